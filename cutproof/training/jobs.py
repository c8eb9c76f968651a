"""Model training as a durable job (the API's path; the CLI and demo call ``cutproof.training.run.train_model``).

``submit_training`` checks the spec against the project first (bad input is refused, nothing is queued or
written) and queues a ``train-model`` job whose payload is the spec with every clip pinned to its content hash.
The job runs the same functions as the CLI, as resumable steps (``cutproof.core.jobs``):

1. ``train`` — re-check the spec (re-hashing the clips), train, and stage the model file under
   ``<home>/staging/<job id>/`` (atomic rename); the lease is renewed while the engine works;
2. ``model.trained`` — append ``model.trained/1`` (found again, not appended twice, after a crash);
3. ``register`` — store the model file and register the model (idempotent).

Cancellation is honoured until step 2 starts (kinds that report progress — lighting, background — stop at their
next training step; cast, eyeline and dialogue at the end of training). A job that fails or is cancelled before
step 2 leaves no ledger entry, no registered model and no staged file; a crash resumes at the first unfinished
step, so a model is never half-registered.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cutproof.core.errors import CutproofError
from cutproof.core.jobs import Job, JobContext, JobQueue, LeaseLost
from cutproof.core.projects import Project, get_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.training.run import (
    AnySpec,
    TrainedModel,
    append_trained_entry,
    prepare,
    register_trained,
    run,
)
from cutproof.training.specs import stored_spec
from editor import TrainingManifest

TRAIN_JOB = "train-model"


class TrainingJobError(CutproofError):
    """A training job cannot go on (its staged model file is gone or altered)."""


def training_handlers(ws: Workspace) -> dict[str, Any]:
    """The training job kind bound to a workspace (merged into ``cutproof.edits.flow.job_handlers``)."""
    return {TRAIN_JOB: lambda ctx, payload: run_training_job(ws, ctx, payload)}


def submit_training(ws: Workspace, project: Project, spec: AnySpec, *, identity: str) -> Job:
    """Check ``spec`` against the project and queue its training job.

    Raises:
        TrainingSetupError, ClipNotFoundError: the spec does not fit the project (nothing queued or written).
    """
    prepared = prepare(ws, project, spec)
    payload = {"spec": prepared.spec.model_dump(mode="json")}
    return JobQueue(ws.engine).submit(project.slug, TRAIN_JOB, payload, created_by=identity)


def _stage(ws: Workspace, job_id: str) -> Path:
    return ws.home / "staging" / f"train-{job_id}"


def _progress(ctx: JobContext) -> Any:
    """Engine progress → job progress (5–90 %), at most twice a second (each report is a write)."""
    last = [0.0]

    def report(done: int, total: int, what: str) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5 or done >= total:
            last[0] = now
            ctx.progress(0.05 + 0.85 * done / max(total, 1), what)

    return report


def _load_staged(stage: Path, saved: Mapping[str, Any]) -> TrainedModel:
    path = stage / str(saved["file"])
    if not path.is_file():
        raise TrainingJobError(f"the staged model file {path} is gone; start the training again")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != saved["file_sha256"]:
        raise TrainingJobError(f"the staged model file {path} was altered; start the training again")
    return TrainedModel(TrainingManifest.from_json(saved["manifest"]), data, dict(saved["metrics"]))


def run_training_job(ws: Workspace, ctx: JobContext, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The training job: train → ``model.trained/1`` → register (see the module docstring)."""
    project = get_project(ws, ctx.job.project)
    spec = stored_spec(payload["spec"])
    stage = _stage(ws, ctx.job.job_id)
    log = project_log(ws, project)

    def train() -> dict[str, Any]:
        ctx.progress(0.01, f"checking the {spec.kind} training inputs")
        prepared = prepare(ws, project, spec, verify_content=True)
        with ctx.keepalive():
            trained = run(ws, prepared, progress=_progress(ctx))
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir(parents=True)
        tmp = stage / "model.tmp"
        tmp.write_bytes(trained.model_file)
        os.replace(tmp, stage / "model.bin")
        return {
            "model_id": trained.model_id,
            "manifest": trained.manifest.as_json(),
            "metrics": json.loads(json.dumps(trained.metrics)),
            "file": "model.bin",
            "file_sha256": trained.file_hash,
        }

    try:
        saved = ctx.step("train", train)
        trained = _load_staged(stage, saved)
        ctx.progress(0.93, "recording model.trained/1")  # the last point where a cancellation stops the job
    except LeaseLost:
        raise
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    size_before = ctx.step("model.trained:size-before", log.size)
    index = ctx.step(
        "model.trained",
        lambda: append_trained_entry(log, trained, identity=ctx.job.created_by, search_from=size_before),
    )
    ctx.step("register", lambda: register_trained(ws, project, trained).model_id)
    shutil.rmtree(stage, ignore_errors=True)
    return {
        "model_id": trained.model_id,
        "model_kind": trained.manifest.model_kind,
        "model_file_hash": trained.file_hash,
        "ledger_index": index,
        "metrics": saved["metrics"],
    }
