"""The durable job table (``JobQueue``): queueing, reading, cancelling and claiming jobs with a compare-and-swap
under a renewable lease. The public module is ``cutproof.core.jobs`` (which explains states and leases, and holds
the side that runs jobs: ``JobContext``, ``WorkerPool``, ``run_claimed``); it re-exports every name here, so
import them from there.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, insert, or_, select, update

from cutproof.core.errors import CutproofError
from cutproof.core.models import Job, JobRow, table_of

jobs_table = table_of(JobRow)

TERMINAL = ("succeeded", "failed", "cancelled")
LEASE = timedelta(seconds=30)
MAX_ATTEMPTS = 3

GivenUp = Callable[[Job], None]
"""Called with a job the queue has just given up on (failed after ``max_attempts`` lost workers), once, by the
worker whose claim gave it up: no handler ran to end it, so this is where its kind cleans up after it."""


class JobError(CutproofError):
    """A job request is invalid or refers to an unknown job."""


class JobNotFoundError(JobError):
    """No job with that id (in that project)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(t: datetime) -> datetime:
    """A stored time as UTC-aware (SQLite hands back naive datetimes)."""
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _to_job(row: Any) -> Job:
    return Job.model_validate(dict(row._mapping))


def _still_as_read(c: Any, now: datetime) -> Any:
    """The compare-and-swap of a claim or a give-up: the job is as the claimer read it (state, attempts), and still
    runnable (queued, or its lease expired: a lease renewed since it was read is live again, its worker back)."""
    return and_(
        jobs_table.c.job_id == c.job_id,
        jobs_table.c.state == c.state,
        jobs_table.c.attempts == c.attempts,
        or_(jobs_table.c.state == "queued", jobs_table.c.lease_expires < now),
    )


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

    def claim(self, owner: str, kinds: list[str], *, on_given_up: GivenUp | None = None) -> Job | None:
        """Claim the oldest runnable job (queued, or running with an expired lease) with a compare-and-swap. A job
        whose workers were lost ``max_attempts`` times is failed instead, and handed to ``on_given_up``."""
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
            job = self._claim_candidate(owner, c, now, on_given_up)
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

    def claim_job(self, owner: str, job_id: str, kinds: list[str], *, on_given_up: GivenUp | None = None) -> Job | None:
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
        return self._claim_candidate(owner, c, now, on_given_up)

    def _claim_candidate(self, owner: str, c: Any, now: datetime, on_given_up: GivenUp | None) -> Job | None:
        if c.attempts >= self.max_attempts:
            self._give_up(c, now, on_given_up)
            return None
        won = self._swap(
            c,
            now,
            state="running",
            attempts=c.attempts + 1,
            lease_owner=owner,
            lease_expires=now + self.lease,
            message="resumed after a lost worker" if c.state == "running" else "started",
        )
        return self.get(c.job_id) if won else None

    def _give_up(self, c: Any, now: datetime, on_given_up: GivenUp | None) -> None:
        """Fail a job its workers were lost on too often; the one claim whose compare-and-swap does it (of any
        racing) hands it to ``on_given_up``, after the failure is committed."""
        gave_up = self._swap(
            c,
            now,
            state="failed",
            error=f"gave up after {c.attempts} attempts (worker lost)",
            message="failed",
            lease_owner=None,
        )
        if gave_up and on_given_up is not None:
            on_given_up(self.get(c.job_id))

    def _swap(self, c: Any, now: datetime, **values: Any) -> bool:
        """Update the job ``c`` (as read) with ``values`` if it is still as read (``_still_as_read``)."""
        with self.engine.begin() as conn:
            q = update(jobs_table).where(_still_as_read(c, now)).values(updated_at=now, **values)
            return bool(conn.execute(q).rowcount)

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
