"""Models over the API: train one from the project's dailies as a durable job, follow or cancel it, list and get
models, and tag performers' faces for the cast model.

Training runs through ``cutproof.training.run`` exactly as ``cutproof model train`` does (same checks, same engine
calls, same ``model.trained/1`` entry); here it is queued as a ``train-model`` job for the server's worker pool.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field

from cutproof.api.deps import AnyMember, ProjectAccess, WorkspaceDep, project_access
from cutproof.cast.project import tag_face
from cutproof.core.auth import Role
from cutproof.core.jobs import Job, JobNotFoundError, JobQueue
from cutproof.training.jobs import TRAIN_JOB, submit_training
from cutproof.training.run import KINDS, TrainingSpec
from editor import Catalogue, ModelRecord, ModelRegistry
from editor.cast import CastTags
from editor.errors import ModelNotFoundError
from media import Region

router = APIRouter(tags=["models"])

EditorOrAdmin = Annotated[ProjectAccess, project_access(Role.EDITOR, Role.ADMIN)]
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
ModelIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="Model id (64 hex digits; no prefixes)")]


class TrainingJobPublic(BaseModel):
    """A training job: what it trains, where it stands, and the model it produced."""

    job_id: str
    model_kind: str
    state: str
    progress: float
    message: str
    spec: dict[str, Any]
    model_id: str | None = Field(description="Set once the job succeeded")
    ledger_index: int | None = Field(description="Index of its model.trained/1 entry, once recorded")
    error: str | None
    cancel_requested: bool
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, job: Job) -> TrainingJobPublic:
        result = job.result or {}
        spec = dict(job.payload.get("spec", {}))
        return cls(
            job_id=job.job_id,
            model_kind=str(spec.get("kind", "")),
            state=job.state,
            progress=job.progress,
            message=job.message,
            spec=spec,
            model_id=result.get("model_id"),
            ledger_index=result.get("ledger_index"),
            error=job.error,
            cancel_requested=job.cancel_requested,
            created_by=job.created_by,
            created_at=job.created_at,
            updated_at=job.updated_at,
        )


class TrainingInputPublic(BaseModel):
    """One daily a model was trained on."""

    content_hash: str
    file_name: str | None = Field(description="Catalogue file name (None if no longer catalogued)")
    clip: str | None = Field(description="Short clip id")
    frames: list[int]
    frame_rate: str
    role: str


class ModelPublic(BaseModel):
    """A trained model; its id is the SHA-256 of its training manifest."""

    model_id: str
    training_manifest_sha256: str
    kind: str
    dailies: list[TrainingInputPublic]
    hyperparameters: dict[str, Any]
    seeds: dict[str, Any]
    code_version: str
    metrics: dict[str, Any]
    model_file_hash: str
    model_file_size: int
    created_at: datetime
    training_manifest: dict[str, Any] | None = Field(default=None, description="The full manifest (GET one model)")


def _public(record: ModelRecord, catalogue: Catalogue, *, full: bool = False) -> ModelPublic:
    inputs = []
    for i in record.manifest.inputs:
        clip = catalogue.find(i.content_hash)
        j = i.as_json()
        inputs.append(
            TrainingInputPublic(
                content_hash=i.content_hash,
                file_name=clip.path.name if clip else None,
                clip=clip.short_id if clip else None,
                frames=list(j["frames"]),
                frame_rate=j["frame_rate"],
                role=i.role,
            )
        )
    return ModelPublic(
        model_id=record.model_id,
        training_manifest_sha256=record.model_id,
        kind=record.kind,
        dailies=inputs,
        hyperparameters=dict(record.manifest.hyperparameters),
        seeds=dict(record.manifest.seeds),
        code_version=record.manifest.code_version,
        metrics=record.metrics,
        model_file_hash=record.model_file_hash,
        model_file_size=record.model_file_size,
        created_at=record.created_at,
        training_manifest=record.manifest.as_json() if full else None,
    )


@router.post(
    "/projects/{project}/trainings",
    response_model=TrainingJobPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses={422: {"description": "the spec does not fit the project's dailies; nothing was queued or written"}},
)
def post_training(
    ws: WorkspaceDep, access: EditorOrAdmin, body: Annotated[TrainingSpec, Body(discriminator="kind")]
) -> TrainingJobPublic:
    """Train a model from the project's dailies (editor or admin). The spec is checked at once (unknown dailies,
    a frame range outside a clip, an unregistered performer, takes without a face, no face tags for a cast model
    → 422, nothing written); the training runs as a job: follow it at ``/trainings/{job_id}``."""
    job = submit_training(ws, access.project, body, identity=access.principal.identity)
    return TrainingJobPublic.of(job)


@router.get("/projects/{project}/trainings", response_model=list[TrainingJobPublic])
def list_trainings(
    ws: WorkspaceDep, access: AnyMember, state: Annotated[str | None, Query(max_length=16)] = None
) -> list[TrainingJobPublic]:
    """The project's training jobs, newest first."""
    jobs = JobQueue(ws.engine).list(access.project.slug, state=state, limit=1000)
    return [TrainingJobPublic.of(j) for j in jobs if j.kind == TRAIN_JOB]


def training_job(ws: Any, project: str, job_id: str) -> Job:
    """A training job of ``project`` (404 for any other job, or another project's)."""
    try:
        job = JobQueue(ws.engine).get(job_id, project)
    except JobNotFoundError:
        job = None
    if job is None or job.kind != TRAIN_JOB:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no training job {job_id}")
    return job


@router.get("/projects/{project}/trainings/{job_id}", response_model=TrainingJobPublic)
def get_training(ws: WorkspaceDep, access: AnyMember, job_id: JobId) -> TrainingJobPublic:
    """A training job: state, progress (0–1) and message, then the model id and its ledger entry, or the error."""
    return TrainingJobPublic.of(training_job(ws, access.project.slug, job_id))


@router.post("/projects/{project}/trainings/{job_id}/cancel", response_model=TrainingJobPublic)
def cancel_training(ws: WorkspaceDep, access: EditorOrAdmin, job_id: JobId) -> TrainingJobPublic:
    """Cancel a training job (editor or admin): a queued one at once, a running one before it records the model."""
    training_job(ws, access.project.slug, job_id)
    return TrainingJobPublic.of(JobQueue(ws.engine).cancel(job_id, access.project.slug))


@router.get("/projects/{project}/models", response_model=list[ModelPublic])
def list_models(
    ws: WorkspaceDep,
    access: AnyMember,
    kind: Annotated[str | None, Query(description=f"One of {', '.join(KINDS)}", max_length=32)] = None,
) -> list[ModelPublic]:
    """The project's trained models, newest first: id (= training-manifest hash), kind, dailies used, metrics."""
    catalogue = Catalogue(ws.engine)
    records = ModelRegistry(ws.engine, ws.blobs).list(kind=kind, project=access.project.slug)
    return [_public(r, catalogue) for r in records]


@router.get("/projects/{project}/models/{model_id}", response_model=ModelPublic)
def get_model(ws: WorkspaceDep, access: AnyMember, model_id: ModelIdPath) -> ModelPublic:
    """One model with its full training manifest."""
    try:
        record = ModelRegistry(ws.engine, ws.blobs).get(model_id)
    except ModelNotFoundError:
        record = None
    if record is None or record.project != access.project.slug:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no model {model_id} in this production")
    return _public(record, Catalogue(ws.engine), full=True)


class CastTagCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    performer_id: str = Field(min_length=1, max_length=128, description="Registered performer of the project")
    clip: str = Field(min_length=1, max_length=300, description="Catalogue clip ref (e.g. their reference footage)")
    frame: int = Field(ge=0, le=10_000_000)
    box: str | None = Field(
        default=None, max_length=100, description="Face box x,y,w,h; default: the one face detected on the frame"
    )


class CastTagPublic(BaseModel):
    performer_id: str
    clip: str
    frame: int
    box: dict[str, int]


@router.post("/projects/{project}/cast-tags", response_model=CastTagPublic, status_code=status.HTTP_201_CREATED)
def post_cast_tag(ws: WorkspaceDep, access: EditorOrAdmin, body: CastTagCreate) -> CastTagPublic:
    """Tag a registered performer's face on a frame of the project's dailies (editor or admin); the cast model
    (``POST /trainings`` with ``{"kind": "cast"}``) learns the cast from these tags."""
    clip = Catalogue(ws.engine).get(body.clip, project=access.project.slug)
    box = Region.parse(body.box) if body.box else None
    tag = tag_face(ws, access.project, clip, body.frame, body.performer_id, box)
    return CastTagPublic(performer_id=tag.label, clip=tag.clip_hash, frame=tag.frame, box=tag.box.as_json())


@router.get("/projects/{project}/cast-tags", response_model=list[CastTagPublic])
def list_cast_tags(ws: WorkspaceDep, access: AnyMember) -> list[CastTagPublic]:
    """The project's face tags."""
    return [
        CastTagPublic(performer_id=t.label, clip=t.clip_hash, frame=t.frame, box=t.box.as_json())
        for t in CastTags(ws.engine).list(access.project.slug)
    ]
