"""The edit requests' rows read as plain SQL (``store.sql``), for readers that load neither SQLAlchemy nor SQLModel.

The table is defined once, in ``cutproof.core.models`` (``EditRequestRow``, ``app_edit_requests``: the schema, the
migrations); a test checks the column lists here against it. A row comes back as a dict of column name → value with
the values SQLAlchemy would give (``store.sql.decode_columns``): the JSON columns decoded, the times aware (UTC).
``RequestStore`` (``cutproof.edits.requests``) reads through here and turns each row into its ``EditRequestRecord``;
the audit reads the rows themselves (``cutproof audit`` on the embedded SQLite file starts without SQLAlchemy).

A request's ``state`` as read is the row's, except where its render job ended without a deliverable: a request still
``queued`` or ``rendering`` whose job (``app_jobs``) is ``failed`` or ``cancelled`` reads as that. The job's end is
the one record of it, whichever way it came (the render raised, the job was cancelled, its workers were lost too
often), so no path can leave a request that will never render reading as on its way.
"""

from __future__ import annotations

from typing import Any

from store.sql import Sql, decode_columns

TABLE = "app_edit_requests"
COLUMNS = (
    "request_id",
    "project",
    "clip_hash",
    "submission",
    "decision",
    "outcome",
    "decision_index",
    "state",
    "review",
    "review_index",
    "job_id",
    "edit_index",
    "label_index",
    "deliverable",
    "submitted_by",
    "created_at",
    "updated_at",
    "resubmitted_as",
)
"""Every column of ``app_edit_requests``, in the table's order."""
JSON_COLUMNS = frozenset({"submission", "decision", "review"})
TIME_COLUMNS = frozenset({"created_at", "updated_at"})

JOBS_TABLE = "app_jobs"
ENDED_RENDER = ("failed", "cancelled")
"""The job states that end a request without a deliverable; the request reads as its job's state."""
_STATE = (
    "CASE WHEN r.state IN ('queued', 'rendering') AND j.state IN "
    f"({', '.join(repr(s) for s in ENDED_RENDER)}) THEN j.state ELSE r.state END"
)
_SELECT = (
    "SELECT "
    + ", ".join(f"{_STATE} AS state" if c == "state" else f"r.{c} AS {c}" for c in COLUMNS)
    + f" FROM {TABLE} r LEFT JOIN {JOBS_TABLE} j ON j.job_id = r.job_id WHERE r.project = ?"
)


def select_requests(
    sql: Sql, project: str, *, state: str | None = None, request_id: str | None = None
) -> list[dict[str, Any]]:
    """The rows of ``project``'s requests (only those in ``state``, as read, or only ``request_id``), in the order
    they were created."""
    text, params = _SELECT, [project]
    if state is not None:
        text, params = text + f" AND {_STATE} = ?", [*params, state]
    if request_id is not None:
        text, params = text + " AND r.request_id = ?", [*params, request_id]
    rows = sql.dicts(text + " ORDER BY r.created_at", params)
    return [decode_columns(sql.dialect, r, times=TIME_COLUMNS, json_columns=JSON_COLUMNS) for r in rows]
