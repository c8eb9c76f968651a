"""Every job kind of the application, bound to a workspace: render-edit and train-model
(``cutproof.edits.flow.job_handlers``; a render's segments run where ``segmented`` says: local processes or Ray
tasks) and qc-batch (``cutproof.qc.batch``), whose files are checked on the executor ``make_executor`` makes (a local
process pool, or Ray tasks)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from typing import Any

from cutproof.core.jobs import Handler
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import job_handlers as edit_handlers
from cutproof.edits.segmented import Segmented
from cutproof.qc.batch import QC_BATCH_JOB, local_executor, run_qc_batch_job


def job_handlers(
    ws: Workspace,
    make_executor: Callable[[], Executor] | None = None,
    segmented: Callable[[], Segmented] | None = None,
) -> dict[str, Handler]:
    """The handlers of every job kind; ``make_executor``: where a QC batch checks its files (default: a process
    pool with one worker per core); ``segmented``: where a render job renders and labels its video (default: in
    one piece, in the job's thread)."""
    make = make_executor or local_executor

    def qc_batch(ctx: Any, payload: Any) -> dict[str, Any]:
        return run_qc_batch_job(ws, ctx, payload, make)

    return {**edit_handlers(ws, segmented), QC_BATCH_JOB: qc_batch}


def local_executors(workers: int) -> Callable[[], Executor]:
    """A maker of in-process QC pools of ``workers`` processes (0: one per core)."""
    return partial(local_executor, workers)
