"""Edit requests (editors submit; the decision comes back synchronously), reviews (legal), jobs, deliverables."""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from cutproof.api.deps import AnyMember, EditorOf, LegalOf, WorkspaceDep
from cutproof.api.public import scrub
from cutproof.core.jobs import Job, JobQueue
from cutproof.core.projects import project_log
from cutproof.edits.flow import deliverables_dir, sign_review, submit
from cutproof.edits.gate import GateResult
from cutproof.edits.requests import EditRequestRecord, RequestNotFoundError, RequestStore
from cutproof.edits.resubmit import resubmit
from cutproof.edits.submission import EditSubmission

router = APIRouter(tags=["edits"])

RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class DecisionPublic(BaseModel):
    request_id: str
    outcome: str
    state: str
    decision_index: int
    reasons: list[dict[str, Any]]
    relied_on: list[dict[str, Any]]
    obligations: dict[str, Any]
    unidentified_faces: int
    job_id: str | None


class ReviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    note: str = Field(min_length=1, max_length=4000)
    answers: dict[str, bool] | None = Field(
        default=None,
        description='An approval answers each question the review was opened for, e.g. {"deep_fake": true}',
    )


def public_record(ws: Any, rec: EditRequestRecord) -> EditRequestRecord:
    """A request as the API shows it: no server paths."""
    return EditRequestRecord.model_validate(scrub(rec.model_dump(mode="json"), ws.home))


def public_job(ws: Any, job: Job) -> Job:
    """A job as the API shows it: no server paths in its steps, result or messages."""
    return Job.model_validate(scrub(job.model_dump(mode="json"), ws.home))


def _get_request(ws: Any, project: str, request_id: str) -> EditRequestRecord:
    try:
        return RequestStore(ws.engine).get(request_id, project)
    except RequestNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no edit request {request_id}") from None


def decision_public(gate: GateResult, job: Job | None) -> DecisionPublic:
    """The answer to a submission: the decision with its reasons, and the render job of an allowed edit."""
    d = gate.decision.to_json()
    return DecisionPublic(
        request_id=gate.request_id,
        outcome=gate.decision.outcome,
        state="queued" if job else ("awaiting_review" if gate.decision.outcome == "review" else "denied"),
        decision_index=gate.decision_index,
        reasons=d.get("reasons", []),
        relied_on=d.get("relied_on", []),
        obligations=d.get("obligations", {}),
        unidentified_faces=gate.presence.unidentified_faces,
        job_id=job.job_id if job else None,
    )


@router.post("/projects/{project}/edits", response_model=DecisionPublic, status_code=status.HTTP_201_CREATED)
async def post_edit(ws: WorkspaceDep, access: EditorOf, body: EditSubmission) -> DecisionPublic:
    """Submit an edit. The gate's decision comes back at once; an allowed edit is queued for rendering."""
    # Well-formed submissions are answered by ``cutproof.api.gate_route`` (the same checks and answer, without
    # FastAPI's per-request machinery); this route documents the operation and answers what that one hands over.
    gate, job = await run_in_threadpool(submit, ws, access.project, body, identity=access.principal.identity)
    return decision_public(gate, job)


@router.get("/projects/{project}/edits", response_model=list[EditRequestRecord])
def list_edits(ws: WorkspaceDep, access: AnyMember, state: str | None = None) -> list[EditRequestRecord]:
    """The project's edit requests (optionally in one state)."""
    return [public_record(ws, r) for r in RequestStore(ws.engine).list(access.project.slug, state=state)]


@router.get("/projects/{project}/edits/{request_id}", response_model=EditRequestRecord)
def get_edit(ws: WorkspaceDep, access: AnyMember, request_id: RequestId) -> EditRequestRecord:
    """One edit request and where it stands."""
    return public_record(ws, _get_request(ws, access.project.slug, request_id))


@router.post(
    "/projects/{project}/edits/{request_id}/resubmit",
    response_model=DecisionPublic,
    status_code=status.HTTP_201_CREATED,
)
async def post_resubmit(ws: WorkspaceDep, access: EditorOf, request_id: RequestId) -> DecisionPublic:
    """Submit an ended edit request again (its render failed or was cancelled, or it was denied or rejected): a new
    request, decided afresh by the gate on consent as it stands now. The old request records the new one's id
    (``resubmitted_as``); a request is submitted again once (409 after that, or while it is still on its way)."""
    _get_request(ws, access.project.slug, request_id)
    _old, gate, job = await run_in_threadpool(
        resubmit, ws, access.project, request_id, identity=access.principal.identity
    )
    return decision_public(gate, job)


@router.post("/projects/{project}/edits/{request_id}/review", response_model=EditRequestRecord)
def post_review(ws: WorkspaceDep, access: LegalOf, request_id: RequestId, body: ReviewCreate) -> EditRequestRecord:
    """Approve or reject an edit awaiting review (legal); the sign-off is a ledger entry."""
    _get_request(ws, access.project.slug, request_id)
    record, _job = sign_review(
        ws,
        access.project,
        request_id,
        approve=body.approve,
        note=body.note,
        reviewer=access.principal.identity,
        answers=body.answers,
    )
    return public_record(ws, record)


@router.get("/projects/{project}/jobs/{job_id}", response_model=Job)
def get_job(ws: WorkspaceDep, access: AnyMember, job_id: JobId) -> Job:
    """A render job: state, progress, result or error."""
    return public_job(ws, JobQueue(ws.engine).get(job_id, access.project.slug))


@router.post("/projects/{project}/jobs/{job_id}/cancel", response_model=Job)
def cancel_job(ws: WorkspaceDep, access: EditorOf, job_id: JobId) -> Job:
    """Cancel a queued or running render job."""
    return public_job(ws, JobQueue(ws.engine).cancel(job_id, access.project.slug))


@router.get("/projects/{project}/edits/{request_id}/deliverable")
def get_deliverable(ws: WorkspaceDep, access: AnyMember, request_id: RequestId) -> FileResponse:
    """Download the labelled deliverable of a delivered edit."""
    rec = _get_request(ws, access.project.slug, request_id)
    if rec.state != "delivered" or not rec.deliverable:
        raise HTTPException(status.HTTP_409_CONFLICT, f"edit request {request_id} is {rec.state}, not delivered")
    path = FsPath(rec.deliverable)
    if path.parent != deliverables_dir(ws, access.project.slug) or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "the deliverable is no longer in the output folder")
    return FileResponse(path, filename=path.name)


@router.get("/projects/{project}/edits/{request_id}/receipt", response_class=PlainTextResponse)
def get_receipt(ws: WorkspaceDep, access: AnyMember, request_id: RequestId) -> PlainTextResponse:
    """The receipt (c2sp.org/tlog-proof@v1) of the label entry of a delivered edit."""
    rec = _get_request(ws, access.project.slug, request_id)
    if rec.label_index is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"edit request {request_id} is {rec.state}, not labelled yet")
    return PlainTextResponse(project_log(ws, access.project).prove(rec.label_index))
