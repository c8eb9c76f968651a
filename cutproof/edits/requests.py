"""Edit requests as the application tracks them (the ledger holds the proof; this table holds the workflow).

Reads go through ``cutproof.edits.request_rows`` (plain SQL, shared with the audit); writes are SQLAlchemy Core on
the table model, inside the caller's transaction where the ledger entry they go with is appended.

States: ``denied`` (final) · ``awaiting_review`` → ``queued`` (approved: the sign-off queues the render) |
``rejected`` (final) · ``queued`` → ``rendering`` → ``delivered`` | ``failed`` | ``cancelled``. ``failed`` and
``cancelled`` are the render job's end, read from the job (``request_rows``); a request that ended without a
deliverable can be submitted again as a new one (``cutproof.edits.resubmit.resubmit``, ``resubmitted_as``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, update

from cutproof.core.errors import CutproofError
from cutproof.core.models import EditRequestRecord, EditRequestRow, table_of
from cutproof.edits.request_rows import select_requests
from store.sql import as_database

requests_table = table_of(EditRequestRow)

INITIAL_STATE = {"allow": "queued", "deny": "denied", "review": "awaiting_review"}
FINAL_STATES = ("delivered", "failed", "cancelled", "denied", "rejected")
"""The states a request does not leave (``failed`` and ``cancelled`` as read from its render job)."""


class RequestNotFoundError(CutproofError):
    """No edit request with that id in that project."""


def insert_request(
    conn: Any,
    *,
    request_id: str,
    project: str,
    clip_hash: str,
    submission: dict[str, Any],
    decision: dict[str, Any],
    decision_index: int,
    submitted_by: str,
    at: datetime,
    state: str | None = None,
    job_id: str | None = None,
) -> None:
    """Insert a decided request's row on ``conn``, inside the caller's transaction (the gate's: the one that
    appends the decision to the ledger, so the row and its ``policy.decided/1`` entry commit together).

    ``state`` defaults to where the outcome leaves a request (``INITIAL_STATE``); a caller that queues the render
    in the same transaction passes ``queued`` and the ``job_id``.
    """
    outcome = str(decision["outcome"])
    conn.execute(
        _INSERT,  # built once, values as parameters (columns left out stay NULL): this runs for every decision
        {
            "request_id": request_id,
            "project": project,
            "clip_hash": clip_hash,
            "submission": submission,
            "decision": decision,
            "outcome": outcome,
            "decision_index": decision_index,
            "state": state or INITIAL_STATE[outcome],
            "job_id": job_id,
            "submitted_by": submitted_by,
            "created_at": at,
            "updated_at": at,
        },
    )


_INSERT = insert(requests_table)


def update_request(
    conn: Any, request_id: str, *, expect_state: str | tuple[str, ...] | None = None, **values: Any
) -> bool:
    """Update a request on ``conn``, inside the caller's transaction; with ``expect_state`` only if it is still in
    that state (compare-and-swap). Returns whether the row was updated."""
    q = update(requests_table).where(requests_table.c.request_id == request_id)
    if expect_state is not None:
        states = (expect_state,) if isinstance(expect_state, str) else expect_state
        q = q.where(requests_table.c.state.in_(states))
    return bool(conn.execute(q.values(updated_at=datetime.now(UTC), **values)).rowcount)


def mark_resubmitted(conn: Any, request_id: str, new_request_id: str) -> bool:
    """Record on ``conn`` that ``request_id`` was submitted again as ``new_request_id``, inside the transaction
    that records the new request's decision; only if it names none yet (compare-and-swap). Returns whether it did."""
    q = update(requests_table).where(
        requests_table.c.request_id == request_id, requests_table.c.resubmitted_as.is_(None)
    )
    return bool(conn.execute(q.values(resubmitted_as=new_request_id, updated_at=datetime.now(UTC))).rowcount)


class RequestStore:
    """The ``app_edit_requests`` table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._db = as_database(engine)

    def get(self, request_id: str, project: str) -> EditRequestRecord:
        with self._db.read() as sql:
            rows = select_requests(sql, project, request_id=request_id)
        if not rows:
            raise RequestNotFoundError(f"no edit request {request_id!r} in project {project!r}")
        return EditRequestRecord.model_validate(rows[0])

    def list(self, project: str, *, state: str | None = None) -> list[EditRequestRecord]:
        with self._db.read() as sql:
            rows = select_requests(sql, project, state=state or None)
        return [EditRequestRecord.model_validate(r) for r in rows]

    def update(self, request_id: str, *, expect_state: str | tuple[str, ...] | None = None, **values: Any) -> bool:
        """Update a request; with ``expect_state`` only if it is still in that state (compare-and-swap)."""
        with self.engine.begin() as conn:
            return update_request(conn, request_id, expect_state=expect_state, **values)
