"""Which engine runs the jobs: the embedded in-process ``WorkerPool`` (default), or a Ray cluster when
``Settings.ray_address`` (``CUTPROOF_RAY_ADDRESS``) is set. One choice for the API server and the CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Protocol

from cutproof.core.jobs import Job, JobQueue, WorkerPool, run_claimed
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from cutproof.edits.segmented import Segmented
from cutproof.scale.handlers import job_handlers, local_executors


class Runner(Protocol):
    """What the API server starts and stops: a worker pool, or a dispatcher to Ray."""

    def start(self) -> None: ...

    def stop(self, timeout: float = 10.0) -> None: ...


def qc_executors(settings: Settings) -> Callable[[], Executor]:
    """Where a QC batch checks its files: Ray tasks with a cluster set, else a local process pool."""
    if settings.ray_address:
        address = settings.ray_address

        def on_ray() -> Executor:
            from cutproof.scale.ray_executor import RayExecutor  # Ray only where a cluster is configured

            return RayExecutor(address)

        return on_ray
    return local_executors(settings.qc_workers)


def render_segments(settings: Settings) -> Callable[[], Segmented]:
    """Where a render job renders and labels its video: in segments as Ray tasks with a cluster set, else on
    ``settings.render_workers`` local processes (1: in one piece; 0: one per core)."""
    if settings.ray_address:
        address = settings.ray_address

        def on_ray() -> Segmented:
            from cutproof.scale.ray_executor import RayExecutor  # Ray only where a cluster is configured

            return Segmented(executor=RayExecutor(address))

        return on_ray
    workers = settings.render_workers or os.cpu_count() or 1
    return lambda: Segmented(workers=workers)


def make_runner(ws: Workspace, settings: Settings) -> Runner:
    """The API server's job runner: a ``RayDispatcher`` with a cluster set, else ``settings.workers`` threads."""
    if settings.ray_address:
        from cutproof.scale.ray_engine import RayDispatcher

        return RayDispatcher(ws, settings.ray_address)
    handlers = job_handlers(ws, qc_executors(settings), render_segments(settings))
    return WorkerPool(JobQueue(ws.engine), handlers, workers=settings.workers)


def run_jobs(
    ws: Workspace,
    settings: Settings,
    job_ids: Iterable[str] | None = None,
    *,
    on_done: Callable[[Job], None] | None = None,
) -> list[Job]:
    """Run jobs now and wait for them (the CLI): ``job_ids``, or every runnable job. In this process, or on the
    Ray cluster when one is set. Returns the jobs as they ended."""
    handlers = job_handlers(ws, qc_executors(settings), render_segments(settings))
    if settings.ray_address:
        from cutproof.scale.ray_engine import RayDispatcher

        dispatcher = RayDispatcher(ws, settings.ray_address)
        ids = list(job_ids) if job_ids is not None else dispatcher.queue.runnable(dispatcher.kinds, limit=10_000)
        return dispatcher.run_until_done(ids, on_done=on_done)
    pool = WorkerPool(JobQueue(ws.engine), handlers)
    ended: list[Job] = []
    wanted = set(job_ids) if job_ids is not None else None
    while True:
        job = pool.run_one() if wanted is None else _run_wanted(pool, wanted - {j.job_id for j in ended})
        if job is None:
            return ended
        ended.append(job)
        if on_done is not None:
            on_done(job)


def _run_wanted(pool: WorkerPool, wanted: set[str]) -> Job | None:
    """Claim and run one of ``wanted`` in this thread; None when none of them is runnable."""
    owner = f"{pool._base_owner}:inline"
    for job_id in sorted(wanted):
        job = pool.queue.claim_job(owner, job_id, list(pool.handlers))
        if job is not None:
            run_claimed(pool.queue, pool.handlers, job, owner)
            return pool.queue.get(job_id)
    return None
