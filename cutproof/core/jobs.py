"""Durable jobs and the embedded worker pool.

The job interface is deliberately narrow so that a distributed engine (e.g. Ray) can run the same jobs later: a
job is a ``kind`` plus a JSON ``payload``; a handler is a function ``(JobContext, payload) -> result`` registered
for that kind. Everything a handler needs to resume after a crash lives in the job row: handlers run as a list
of named steps, and each finished step's JSON output is saved (``JobContext.step``), so a restarted job skips
what was already done and never repeats a step that has side effects which completed.

States: ``queued`` → ``running`` → ``succeeded`` | ``failed`` | ``cancelled``. A worker claims a job with a
compare-and-swap update and holds a lease it renews while working; a job whose lease expired (its worker died) is
claimed again and resumes at its first unfinished step, up to ``max_attempts`` times, then fails.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, or_, select, update

from cutproof.core.errors import CutproofError
from cutproof.core.models import Job, JobRow, table_of

jobs_table = table_of(JobRow)

TERMINAL = ("succeeded", "failed", "cancelled")
LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 3


class JobError(CutproofError):
    """A job request is invalid or refers to an unknown job."""


class JobNotFoundError(JobError):
    """No job with that id (in that project)."""


class JobCancelled(Exception):
    """Raised inside a handler when cancellation was requested."""


class LeaseLost(Exception):
    """Another worker took the job over (this one stalled past its lease)."""


Handler = Callable[["JobContext", Mapping[str, Any]], dict[str, Any]]


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(t: datetime) -> datetime:
    """A stored time as UTC-aware (SQLite hands back naive datetimes)."""
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _to_job(row: Any) -> Job:
    return Job.model_validate(dict(row._mapping))


_INSERT_JOB = insert(jobs_table)  # built once: a job is queued with every allowed gate decision


class JobQueue:
    """The durable job table."""

    def __init__(self, engine: Engine, *, lease: timedelta = LEASE, max_attempts: int = MAX_ATTEMPTS) -> None:
        self.engine = engine
        self.lease = lease
        self.max_attempts = max_attempts

    def submit(self, project: str, kind: str, payload: Mapping[str, Any], *, created_by: str) -> Job:
        """Queue a job. The payload must be JSON-serialisable.

        Raises:
            JobError: the payload is not JSON.
        """
        with self.engine.begin() as conn:
            return self.insert(conn, project, kind, payload, created_by=created_by)

    def insert(self, conn: Any, project: str, kind: str, payload: Mapping[str, Any], *, created_by: str) -> Job:
        """Queue a job on ``conn``, inside the caller's transaction (e.g. the one that records the decision the job
        carries out, so the two commit together or not at all); returns the job as stored.

        Raises:
            JobError: the payload is not JSON.
        """
        try:
            body = json.loads(json.dumps(payload))
        except (TypeError, ValueError) as exc:
            raise JobError(f"job payload is not JSON: {exc}") from None
        now = _now()
        values: dict[str, Any] = {
            "job_id": uuid.uuid4().hex,
            "project": project,
            "kind": kind,
            "payload": body,
            "state": "queued",
            "progress": 0.0,
            "message": "queued",
            "steps": {},
            "result": None,
            "error": None,
            "cancel_requested": False,
            "attempts": 0,
            "lease_owner": None,
            "lease_expires": None,
            "created_by": created_by,
            "created_at": now,
            "updated_at": now,
        }
        conn.execute(_INSERT_JOB, values)
        return Job.model_validate(values)

    def get(self, job_id: str, project: str | None = None) -> Job:
        """A job by id (optionally required to belong to ``project``).

        Raises:
            JobError: no such job (in that project).
        """
        q = select(jobs_table).where(jobs_table.c.job_id == job_id)
        if project is not None:
            q = q.where(jobs_table.c.project == project)
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None:
            raise JobNotFoundError(f"no job {job_id!r}" + (f" in project {project!r}" if project else ""))
        return _to_job(row)

    def list(self, project: str, *, state: str | None = None, limit: int = 100) -> list[Job]:
        q = select(jobs_table).where(jobs_table.c.project == project)
        if state:
            q = q.where(jobs_table.c.state == state)
        q = q.order_by(jobs_table.c.created_at.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_to_job(r) for r in conn.execute(q)]

    def running(self, *, limit: int = 32) -> list[Job]:
        """The jobs running now, in every project, oldest first (what a progress display follows)."""
        q = select(jobs_table).where(jobs_table.c.state == "running").order_by(jobs_table.c.created_at).limit(limit)
        with self.engine.connect() as conn:
            return [_to_job(r) for r in conn.execute(q)]

    def cancel(self, job_id: str, project: str | None = None) -> Job:
        """Request cancellation: a queued job is cancelled at once, a running one at its next check."""
        job = self.get(job_id, project)
        if job.state in TERMINAL:
            return job
        with self.engine.begin() as conn:
            conn.execute(
                update(jobs_table)
                .where(and_(jobs_table.c.job_id == job_id, jobs_table.c.state == "queued"))
                .values(
                    state="cancelled", cancel_requested=True, message="cancelled before it started", updated_at=_now()
                )
            )
            conn.execute(
                update(jobs_table)
                .where(and_(jobs_table.c.job_id == job_id, jobs_table.c.state == "running"))
                .values(cancel_requested=True, updated_at=_now())
            )
        return self.get(job_id)

    def claim(self, owner: str, kinds: list[str]) -> Job | None:
        """Claim the oldest runnable job (queued, or running with an expired lease) with a compare-and-swap."""
        now = _now()
        runnable = or_(
            jobs_table.c.state == "queued",
            and_(jobs_table.c.state == "running", jobs_table.c.lease_expires < now),
        )
        with self.engine.connect() as conn:
            candidates = conn.execute(
                select(jobs_table.c.job_id, jobs_table.c.state, jobs_table.c.attempts, jobs_table.c.lease_owner)
                .where(and_(runnable, jobs_table.c.kind.in_(kinds)))
                .order_by(jobs_table.c.created_at)
                .limit(8)
            ).all()
        for c in candidates:
            job = self._claim_candidate(owner, c, now)
            if job is not None:
                return job
        return None

    def runnable(self, kinds: list[str], *, limit: int = 64) -> list[str]:
        """Ids of jobs of ``kinds`` a worker could claim now (queued, or running with an expired lease), oldest
        first. A hint for a dispatcher: ``claim_job`` decides."""
        now = _now()
        runnable = or_(
            jobs_table.c.state == "queued",
            and_(jobs_table.c.state == "running", jobs_table.c.lease_expires < now),
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(jobs_table.c.job_id)
                .where(and_(runnable, jobs_table.c.kind.in_(kinds)))
                .order_by(jobs_table.c.created_at)
                .limit(limit)
            ).all()
        return [r.job_id for r in rows]

    def claim_job(self, owner: str, job_id: str, kinds: list[str]) -> Job | None:
        """Claim the job ``job_id`` if it is runnable (queued, or running with an expired lease) with the same
        compare-and-swap as ``claim``; None when it is terminal, leased by a live owner, or of another kind (a
        distributed engine's task for a job someone else runs is a no-op)."""
        now = _now()
        with self.engine.connect() as conn:
            c = conn.execute(
                select(
                    jobs_table.c.job_id,
                    jobs_table.c.state,
                    jobs_table.c.attempts,
                    jobs_table.c.kind,
                    jobs_table.c.lease_expires,
                ).where(jobs_table.c.job_id == job_id)
            ).first()
        if c is None or c.kind not in kinds:
            return None
        expired = c.state == "running" and c.lease_expires is not None and _aware(c.lease_expires) < now
        if c.state != "queued" and not expired:
            return None
        return self._claim_candidate(owner, c, now)

    def _claim_candidate(self, owner: str, c: Any, now: datetime) -> Job | None:
        with self.engine.begin() as conn:
            if c.attempts >= self.max_attempts:
                conn.execute(
                    update(jobs_table)
                    .where(and_(jobs_table.c.job_id == c.job_id, jobs_table.c.state == c.state))
                    .values(
                        state="failed",
                        error=f"gave up after {c.attempts} attempts (worker lost)",
                        message="failed",
                        updated_at=now,
                    )
                )
                return None
            won = conn.execute(
                update(jobs_table)
                .where(
                    and_(
                        jobs_table.c.job_id == c.job_id,
                        jobs_table.c.state == c.state,
                        jobs_table.c.attempts == c.attempts,
                        # a lease renewed since it was read is live again: not taken over
                        or_(jobs_table.c.state == "queued", jobs_table.c.lease_expires < now),
                    )
                )
                .values(
                    state="running",
                    attempts=c.attempts + 1,
                    lease_owner=owner,
                    lease_expires=now + self.lease,
                    message="resumed after a lost worker" if c.state == "running" else "started",
                    updated_at=now,
                )
            ).rowcount
        return self.get(c.job_id) if won else None

    def _update(self, job_id: str, owner: str, **values: Any) -> bool:
        """Update a job this owner still holds; returns False if the lease was lost."""
        values.setdefault("updated_at", _now())
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(jobs_table)
                    .where(
                        and_(
                            jobs_table.c.job_id == job_id,
                            jobs_table.c.lease_owner == owner,
                            jobs_table.c.state == "running",
                        )
                    )
                    .values(**values)
                ).rowcount
            )


class JobContext:
    """What a handler sees: its job, progress reporting, cancellation and resumable steps."""

    def __init__(self, queue: JobQueue, job: Job, owner: str) -> None:
        self.queue = queue
        self.job = job
        self.owner = owner
        self._steps: dict[str, Any] = dict(job.steps)

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress (0..1), renew the lease, and raise ``JobCancelled`` if cancellation was requested."""
        ok = self.queue._update(
            self.job.job_id,
            self.owner,
            progress=max(0.0, min(1.0, fraction)),
            message=message,
            lease_expires=_now() + self.queue.lease,
        )
        if not ok:
            raise LeaseLost(self.job.job_id)
        self.check_cancelled()

    def check_cancelled(self) -> None:
        if self.queue.get(self.job.job_id).cancel_requested:
            raise JobCancelled(self.job.job_id)

    @contextmanager
    def keepalive(self, every: float | None = None) -> Iterator[None]:
        """Renew the lease from a background thread while a long call that reports no progress runs.

        Raises:
            LeaseLost: another worker took the job over meanwhile (raised when the block ends).
        """
        period = every or max(0.2, self.queue.lease.total_seconds() / 3)
        stop, lost = threading.Event(), threading.Event()

        def beat() -> None:
            while not stop.wait(period):
                if not self.queue._update(self.job.job_id, self.owner, lease_expires=_now() + self.queue.lease):
                    lost.set()
                    return

        thread = threading.Thread(target=beat, daemon=True, name=f"cutproof-lease-{self.job.job_id[:8]}")
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
        if lost.is_set():
            raise LeaseLost(self.job.job_id)

    def done(self, name: str) -> Any | None:
        """The saved output of step ``name`` if it already finished in an earlier attempt, else None."""
        return self._steps.get(name)

    def step(self, name: str, fn: Callable[[], Any]) -> Any:
        """Run step ``name`` unless it already finished; save its JSON output before moving on."""
        if name in self._steps:
            return self._steps[name]
        out = fn()
        self._steps[name] = json.loads(json.dumps(out))
        if not self.queue._update(
            self.job.job_id, self.owner, steps=dict(self._steps), lease_expires=_now() + self.queue.lease
        ):
            raise LeaseLost(self.job.job_id)
        return self._steps[name]


class WorkerPool:
    """Threads inside the server that claim and run jobs (the embedded default)."""

    def __init__(
        self, queue: JobQueue, handlers: Mapping[str, Handler], *, workers: int = 2, poll_seconds: float = 0.2
    ) -> None:
        self.queue = queue
        self.handlers = dict(handlers)
        self.workers = workers
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._base_owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def start(self) -> None:
        for i in range(self.workers):
            t = threading.Thread(
                target=self._loop, args=(f"{self._base_owner}:{i}",), daemon=True, name=f"cutproof-worker-{i}"
            )
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()

    def run_one(self, owner: str | None = None) -> Job | None:
        """Claim and run one job in the calling thread (used by the CLI and tests); None if nothing was runnable."""
        owner = owner or f"{self._base_owner}:inline"
        job = self.queue.claim(owner, list(self.handlers))
        if job is None:
            return None
        self._run(job, owner)
        return self.queue.get(job.job_id)

    def _loop(self, owner: str) -> None:
        while not self._stop.is_set():
            try:
                job = self.queue.claim(owner, list(self.handlers))
            except Exception:  # pragma: no cover - database hiccup; try again
                job = None
            if job is None:
                self._stop.wait(self.poll_seconds)
                continue
            self._run(job, owner)

    def _run(self, job: Job, owner: str) -> None:
        run_claimed(self.queue, self.handlers, job, owner)


def run_claimed(queue: JobQueue, handlers: Mapping[str, Handler], job: Job, owner: str) -> None:
    """Run a job ``owner`` has claimed with its registered handler and record the outcome (succeeded, failed,
    cancelled) — unless the lease was lost meanwhile, in which case the job is left to whoever holds it now. Shared
    by the embedded ``WorkerPool`` and the distributed engine (``cutproof.scale``)."""
    ctx = JobContext(queue, job, owner)
    try:
        ctx.check_cancelled()
        result = handlers[job.kind](ctx, job.payload)
    except JobCancelled:
        queue._update(job.job_id, owner, state="cancelled", message="cancelled", lease_owner=None)
    except LeaseLost:
        return
    except Exception as exc:
        queue._update(
            job.job_id,
            owner,
            state="failed",
            error=f"{type(exc).__name__}: {exc}",
            message="failed",
            lease_owner=None,
        )
    else:
        queue._update(
            job.job_id, owner, state="succeeded", progress=1.0, message="done", result=result, lease_owner=None
        )
