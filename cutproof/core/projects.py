"""Projects: one production, one ledger log, one policy context.

A project is identified by a slug (``my-film``); its ledger log's origin is ``cutproof.local/<slug>``. The project
context (contract edition, start of principal photography, distribution territories, whether the work is evidently
artistic, the policy packs it selected) is what the gate evaluates every edit request against. Creating a project
writes a ``project.created/1`` ledger entry; the row in ``app_projects`` carries that entry's index.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select

from cutproof.core.errors import ProjectError
from cutproof.core.models import Project, ProjectContext, ProjectRow, table_of
from cutproof.core.project_logs import find_project, missing_log, unknown_project
from cutproof.core.workspace import Workspace, open_ledger
from ledger import Log
from ledger.errors import LogExistsError, UnknownLogError
from records import ProjectCreated, ProjectSettings

ORIGIN_HOST = "cutproof.local"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

projects_table = table_of(ProjectRow)


def origin_for(slug: str) -> str:
    """The ledger origin of a project slug."""
    return f"{ORIGIN_HOST}/{slug}"


def check_slug(slug: str) -> str:
    """Return ``slug`` if it is a valid project slug.

    Raises:
        ProjectError: the slug has characters other than a-z, 0-9 and '-' or is too long.
    """
    if not SLUG_RE.match(slug):
        raise ProjectError(
            f"invalid project slug {slug!r}: use 1-63 characters a-z, 0-9 and '-', starting with a letter or digit"
        )
    return slug


def create_project(
    ws: Workspace, slug: str, name: str | None = None, context: ProjectContext | None = None, *, identity: str
) -> Project:
    """Create a project: its ledger log (with its own Ed25519 key), a ``project.created/1`` entry and the row.

    Raises:
        ProjectError: invalid slug, or a project with that slug exists.
    """
    check_slug(slug)
    ctx = context or ProjectContext()
    ws.require()
    with ws.engine.connect() as conn:
        if conn.execute(select(projects_table.c.slug).where(projects_table.c.slug == slug)).first():
            raise ProjectError(f"project {slug!r} already exists; pick another slug or use it with --project {slug}")
    ledger = open_ledger(ws)
    origin = origin_for(slug)
    try:
        log = ledger.create_log(origin)
    except LogExistsError:
        # A previous attempt created the log and stopped before the row was written: adopt it.
        log = ledger.open_log(origin)
    record = ProjectCreated(project=slug, context=ProjectSettings.model_validate(ctx.model_dump(mode="json")))
    appended = log.append([record.entry()], identity=identity)[0]
    now = datetime.now(UTC)
    with ws.engine.begin() as conn:
        conn.execute(
            insert(projects_table).values(
                slug=slug,
                name=name or slug,
                origin=origin,
                context=ctx.model_dump(mode="json"),
                created_at=now,
                ledger_index=appended.index,
            )
        )
    return Project(
        slug=slug, name=name or slug, origin=origin, context=ctx, created_at=now, ledger_index=appended.index
    )


def _row_to_project(row: Any) -> Project:
    return Project.model_validate(dict(row._mapping))


def list_projects(ws: Workspace) -> list[Project]:
    """Every project of the workspace, by slug."""
    with ws.engine.connect() as conn:
        rows = conn.execute(select(projects_table).order_by(projects_table.c.slug)).all()
    return [_row_to_project(r) for r in rows]


_PROJECT_BY_SLUG = select(projects_table).where(projects_table.c.slug == bindparam("slug"))  # built once: per request


def get_project(ws: Workspace, slug: str | None) -> Project:
    """The project named ``slug``, or the workspace's only project when ``slug`` is None.

    Raises:
        ProjectError: unknown slug, or no slug given while the workspace has zero or several projects.
    """
    ws.require()
    if slug is None:
        slug = find_project(ws, None).slug
    # A project never changes once created (nor is it deleted), so each engine keeps the ones it has read: the
    # lookup runs on every API request. An unknown slug is not remembered: another process may create it.
    known: dict[str, Project] = ws.engine.__dict__.setdefault(_PROJECTS_ATTR, {})
    found = known.get(slug)
    if found is not None:
        return found
    with ws.engine.connect() as conn:
        row = conn.execute(_PROJECT_BY_SLUG, {"slug": slug}).first()
    if row is None:
        raise unknown_project(slug)
    return known.setdefault(slug, _row_to_project(row))


_PROJECTS_ATTR = "_cutproof_projects"


def project_log(ws: Workspace, project: Project) -> Log:
    """The ledger log of a project.

    The log's row id never changes once created, so the handle is opened once per database engine and origin and
    reused (every read and append still goes to the database; the handle also keeps the loaded signing keys).

    Raises:
        ProjectError: the project's log is missing from the database (the workspace is damaged).
    """
    engine = ws.engine
    with _logs_lock:
        logs: dict[tuple[str, str], Log] | None = getattr(engine, _LOGS_ATTR, None)
        if logs is None:
            logs = {}
            setattr(engine, _LOGS_ATTR, logs)
        key = (str(ws.keys_dir.resolve()), project.origin)
        log = logs.get(key)
    if log is not None:
        return log
    try:
        log = open_ledger(ws).open_log(project.origin)
    except UnknownLogError:
        raise missing_log(project.slug, project.origin) from None
    with _logs_lock:
        return logs.setdefault(key, log)


_logs_lock = threading.Lock()
_LOGS_ATTR = "_cutproof_project_logs"
