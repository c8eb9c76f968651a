"""Which project a command acts on and which ledger log is its, read as plain SQL.

For the commands that open the workspace database without SQLAlchemy (``Workspace.database``) and load no
application tables: the ``cutproof ledger`` commands (``ledger append`` refuses raw entries on a project's log) and
the consent registry's commands, which need a project's slug and log, not its settings. The table is described
once, in ``cutproof.core.models`` (``ProjectRow``, ``app_projects``); a test checks these queries against it.
``cutproof.core.projects.get_project`` resolves a project left unnamed here too, so both say the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cutproof.core.errors import ProjectError
from cutproof.core.workspace import Workspace, open_ledger
from ledger.errors import UnknownLogError

if TYPE_CHECKING:
    from ledger import Log


@dataclass(frozen=True)
class ProjectRef:
    """A project's slug and the origin of its ledger log."""

    slug: str
    origin: str


def project_of_log(ws: Workspace, origin: str) -> str | None:
    """The slug of the project whose log is ``origin``, or None."""
    with ws.database.read() as sql:
        rows = sql.rows("SELECT slug FROM app_projects WHERE origin = ?", (origin,))
    return str(rows[0][0]) if rows else None


def find_project(ws: Workspace, slug: str | None) -> ProjectRef:
    """The project named ``slug``, or the workspace's only project when ``slug`` is None.

    Raises:
        ProjectError: unknown slug, or no slug given while the workspace has zero or several projects.
    """
    ws.require()
    with ws.database.read() as sql:
        if slug is None:
            rows = sql.rows("SELECT slug, origin FROM app_projects ORDER BY slug")
        else:
            rows = sql.rows("SELECT slug, origin FROM app_projects WHERE slug = ?", (slug,))
    if slug is not None and not rows:
        raise unknown_project(slug)
    if not rows:
        raise ProjectError("this workspace has no project yet; create one with `cutproof project create SLUG`")
    if len(rows) > 1:
        names = ", ".join(str(r[0]) for r in rows)
        raise ProjectError(f"several projects exist ({names}); choose one with --project or CUTPROOF_PROJECT")
    return ProjectRef(str(rows[0][0]), str(rows[0][1]))


def open_project_log(ws: Workspace, project: ProjectRef) -> Log:
    """The project's ledger log on the plain-SQL database (``open_ledger(ws, alone=True)``).

    Raises:
        ProjectError: the project's log is missing from the database (the workspace is damaged).
    """
    try:
        return open_ledger(ws, alone=True).open_log(project.origin)
    except UnknownLogError:
        raise missing_log(project.slug, project.origin) from None


def unknown_project(slug: str) -> ProjectError:
    """The error for a slug no project of the workspace has."""
    return ProjectError(f"unknown project {slug!r}; `cutproof project list` shows the projects of this workspace")


def missing_log(slug: str, origin: str) -> ProjectError:
    """The error for a project whose ledger log is not in the database."""
    return ProjectError(
        f"project {slug!r} has no ledger log {origin} in this database; "
        "check --db points at the project's database, then run `cutproof ledger fsck`"
    )
