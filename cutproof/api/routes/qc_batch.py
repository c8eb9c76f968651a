"""Batch QC of a delivery (qc): queue a ``qc-batch`` job over uploaded deliverables, then follow its progress and
read its summary report (``cutproof.qc.batch``). Same authorization as the single-file QC route: the qc role in
the project; uploads and jobs of another project are answered as unknown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from cutproof.api.deps import QcOf, WorkspaceDep
from cutproof.api.public import scrub
from cutproof.core.jobs import JobNotFoundError, JobQueue
from cutproof.core.uploads import resolve_upload
from cutproof.qc.batch import QC_BATCH_JOB, VERDICTS, saved_results, submit_qc_batch

router = APIRouter(tags=["qc"])

JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
MAX_FILES = 10_000


class QcBatchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: list[Annotated[str, Field(max_length=80)]] = Field(
        min_length=1, max_length=MAX_FILES, description="blob:<sha256> of each uploaded deliverable"
    )


@router.post("/projects/{project}/qc/batch", status_code=status.HTTP_202_ACCEPTED)
def qc_batch_create(ws: WorkspaceDep, access: QcOf, body: QcBatchCreate) -> dict[str, Any]:
    """Queue QC of every listed upload; every reference is resolved first (an unknown one queues nothing)."""
    slug = access.project.slug
    files = [(ref, resolve_upload(ws, slug, ref)) for ref in dict.fromkeys(body.files)]
    job = submit_qc_batch(ws, access.project, files, identity=access.principal.identity)
    return {"job_id": job.job_id, "state": job.state, "total": len(files)}


@router.get("/projects/{project}/qc/batch/{job_id}")
def qc_batch_status(ws: WorkspaceDep, access: QcOf, job_id: JobId) -> dict[str, Any]:
    """Where a QC batch stands: state, files checked so far with their counts, and the report once it is done."""
    job = JobQueue(ws.engine).get(job_id, access.project.slug)
    if job.kind != QC_BATCH_JOB:
        raise JobNotFoundError(f"no QC batch {job_id!r} in project {access.project.slug!r}")
    done = saved_results(job.steps)
    report = job.result if job.state == "succeeded" else None
    files = report["files"] if report else list(done.values())
    answer = {
        "job_id": job.job_id,
        "state": job.state,
        "progress": job.progress,
        "message": job.message,
        "error": job.error,
        "total": len(job.payload.get("files", [])),
        "checked": len(files),
        "counts": {v: sum(1 for f in files if f.get("verdict") == v) for v in VERDICTS},
        "report": report,
    }
    return dict(scrub(answer, ws.home))
