"""Jobs on a Ray cluster: the durable job table stays the single source of truth; Ray only carries them out.

``RayDispatcher`` (in the API server, or the CLI) polls the job table for runnable jobs (queued, or running with
an expired lease) and submits one Ray task per job: ``run_job(home, db_url, tsa_url, job_id, lease_s)``. The task
runs on any node:

1. opens the workspace from its home (a path every node mounts) and its database URL (PostgreSQL for a cluster of
   machines; the SQLite file only when every worker is on one machine);
2. claims *that* job with the job table's compare-and-swap and a lease (``JobQueue.claim_job``), exactly as the
   in-process ``WorkerPool`` does; a job that is terminal or leased by a live owner is left alone — the task is a
   no-op, so a duplicate or retried task never runs a job twice;
3. runs the registered handler (``cutproof.scale.handlers``), which renews the lease as it goes and saves each
   finished step, and records the outcome in the job table (``cutproof.core.jobs.run_claimed``).

A worker killed mid-job: Ray re-runs the task (``max_retries``), which finds the job still leased by the dead
owner and does nothing; once the lease expires the dispatcher sees the job runnable again and submits a new task,
which resumes it at its first unfinished step (the render job finds its ledger entries again by job id, so none is
appended twice, and only moves a labelled file into the delivery folder). After ``max_attempts`` claims the job
fails. Tasks are owned by the dispatcher's process (Ray's ownership): if it exits, its running tasks stop, their
leases expire, and the next dispatcher (another server process, the next CLI run) takes the jobs over.

Videos never travel through Ray: a task receives the workspace's location and a job id, and reads and writes the
workspace's files and blob store on the shared path.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from cutproof.core.jobs import LEASE, TERMINAL, Job, JobQueue, given_up_hook, run_claimed
from cutproof.core.workspace import Workspace
from cutproof.edits.segmented import Segmented
from cutproof.scale.handlers import job_handlers
from cutproof.scale.ray_executor import DEFAULT_MAX_RETRIES, RayExecutor, connect

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5

_WORKSPACES: dict[tuple[str, str, str | None], Workspace] = {}


def _workspace(home: str, db_url: str, tsa_url: str | None) -> Workspace:
    key = (home, db_url, tsa_url)
    if key not in _WORKSPACES:
        _WORKSPACES[key] = Workspace(home, db_url, tsa_url=tsa_url).require()  # type: ignore[arg-type]
    return _WORKSPACES[key]


def run_job(home: str, db_url: str, tsa_url: str | None, job_id: str, lease_s: float) -> dict[str, Any]:
    """The Ray task of one job (see the module docstring); returns whether it ran the job and the job's state."""
    ws = _workspace(home, db_url, tsa_url)
    queue = JobQueue(ws.engine, lease=timedelta(seconds=lease_s))
    # a QC batch fans its files out as further Ray tasks, and a render its segments
    handlers = job_handlers(ws, lambda: RayExecutor(), lambda: Segmented(executor=RayExecutor()))
    owner = f"ray:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    job = queue.claim_job(owner, job_id, list(handlers), on_given_up=given_up_hook(handlers))
    if job is None:
        return {"job_id": job_id, "ran": False, "state": queue.get(job_id).state}
    run_claimed(queue, handlers, job, owner)
    return {"job_id": job_id, "ran": True, "state": queue.get(job_id).state, "owner": owner}


def owner_pid(owner: str | None) -> int | None:
    """The process id in a Ray task's lease owner (``ray:<host>:<pid>:<tag>``), else None."""
    parts = (owner or "").split(":")
    return int(parts[2]) if len(parts) == 4 and parts[0] == "ray" and parts[2].isdigit() else None


class RayDispatcher:
    """Submits the workspace's runnable jobs to a Ray cluster, one task per job at a time (see the module
    docstring). ``start``/``stop`` run it in a background thread (the API server); ``run_until_done`` in the
    calling thread (the CLI)."""

    def __init__(
        self,
        ws: Workspace,
        address: str | None = None,
        *,
        lease: timedelta = LEASE,
        poll_seconds: float = POLL_SECONDS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        num_cpus: float = 1,
    ) -> None:
        self.ws = ws
        self.queue = JobQueue(ws.engine, lease=lease)
        self.kinds = list(job_handlers(ws))
        self.lease = lease
        self.poll_seconds = poll_seconds
        self._ray = connect(address)
        self._task = self._ray.remote(num_cpus=num_cpus, max_retries=max_retries, retry_exceptions=False)(run_job)
        self._inflight: dict[str, Any] = {}  # job id → ObjectRef of its task
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.dispatched = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True, name="cutproof-ray-dispatcher")
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # pragma: no cover - a database or cluster hiccup: try again
                log.exception("Ray dispatcher: could not dispatch; retrying")
            self._stop.wait(self.poll_seconds)

    def tick(self, only: Iterable[str] | None = None) -> list[str]:
        """Forget finished tasks and submit a task for every runnable job without one (of ``only``); returns the
        ids submitted now."""
        if self._inflight:
            refs = list(self._inflight.values())
            ready, _ = self._ray.wait(refs, num_returns=len(refs), timeout=0)
            finished = {r.hex() for r in ready}
            for job_id, ref in list(self._inflight.items()):
                if ref.hex() in finished:
                    del self._inflight[job_id]
                    try:
                        self._ray.get(ref)
                    except Exception as exc:  # retries spent on dead workers: the job's lease tells
                        log.warning("Ray task of job %s ended without a result: %s", job_id, exc)
        wanted = set(only) if only is not None else None
        submitted = []
        for job_id in self.queue.runnable(self.kinds):
            if job_id in self._inflight or (wanted is not None and job_id not in wanted):
                continue
            self._inflight[job_id] = self._task.remote(
                str(self.ws.home.resolve()), self.ws.db_url, self.ws.tsa_url, job_id, self.lease.total_seconds()
            )
            submitted.append(job_id)
            self.dispatched += 1
        return submitted

    def run_until_done(
        self, job_ids: Iterable[str], *, on_done: Callable[[Job], None] | None = None, timeout: float | None = None
    ) -> list[Job]:
        """Dispatch ``job_ids`` and wait until each is terminal (re-dispatching a job whose worker was lost once
        its lease expires); ``on_done`` for each as it ends. Returns the jobs, in the order they ended.

        Raises:
            TimeoutError: ``timeout`` seconds passed first.
        """
        waiting = list(dict.fromkeys(job_ids))
        ended: list[Job] = []
        deadline = None if timeout is None else time.monotonic() + timeout
        while waiting:
            self.tick(waiting)
            for job_id in list(waiting):
                job = self.queue.get(job_id)
                if job.state in TERMINAL:
                    waiting.remove(job_id)
                    ended.append(job)
                    if on_done is not None:
                        on_done(job)
            if waiting:
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"jobs not finished after {timeout} s: {', '.join(waiting)}")
                time.sleep(self.poll_seconds)
        return ended
