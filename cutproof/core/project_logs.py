"""Which ledger log belongs to which project, read as plain SQL.

For the ``cutproof ledger`` commands, which open the workspace database without SQLAlchemy (``Workspace.database``)
and load no application tables: ``ledger append`` refuses raw entries on a project's log. The table is described
once, in ``cutproof.core.models`` (``ProjectRow``, ``app_projects``); a test checks this query against it.
"""

from __future__ import annotations

from cutproof.core.workspace import Workspace


def project_of_log(ws: Workspace, origin: str) -> str | None:
    """The slug of the project whose log is ``origin``, or None."""
    with ws.database.read() as sql:
        rows = sql.rows("SELECT slug FROM app_projects WHERE origin = ?", (origin,))
    return str(rows[0][0]) if rows else None
