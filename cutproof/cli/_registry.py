"""What the ``performer`` and ``consent`` commands share: the project's registry, options, times and output.

The registry is imported by the commands that use it, not at the top, so that ``--help`` answers at once; on the
embedded SQLite file it runs through the standard library's driver (plain SQL, no SQLAlchemy). Every command acts
on one project (``--project SLUG``, env ``CUTPROOF_PROJECT``; default: the workspace's only project). Times are ISO
8601 (``2026-11-23``, ``2026-11-23T10:00:00+01:00``); a time without a zone is taken as UTC.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cutproof.cli._common import ready_workspace
from cutproof.cli._plain import Table

if TYPE_CHECKING:
    from consent import ConsentRegistry, RegistryReader
    from cutproof.core.project_logs import ProjectRef
    from cutproof.core.workspace import Workspace

ProjectOpt = Annotated[
    str | None,
    typer.Option("--project", envvar="CUTPROOF_PROJECT", help="Project slug (default: the workspace's only one)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def registry(ctx: typer.Context, project: str | None) -> ConsentRegistry:
    """The consent registry of the ``--project`` project (the workspace's only one when not given)."""
    from consent import ConsentRegistry  # the registry: loaded by the commands that write, not by --help
    from cutproof.core.project_logs import open_project_log

    ws, proj = _located(ctx, project)
    return ConsentRegistry(ws.database, ws.blobs, open_project_log(ws, proj), proj.slug)


def reader(ctx: typer.Context, project: str | None) -> RegistryReader:
    """The read side of the project's registry: what the commands that only read need (less to load). The
    project's log opens when a command first needs it (receipts, checkpoints), so one that prints states or
    history from the registry's rows never loads the ledger."""
    from consent import RegistryReader  # the registry's reads: loaded by the commands that read, not by --help
    from cutproof.core.project_logs import open_project_log

    ws, proj = _located(ctx, project)
    return RegistryReader(ws.database, ws.blobs, project=proj.slug, open_log=partial(open_project_log, ws, proj))


def _located(ctx: typer.Context, project: str | None) -> tuple[Workspace, ProjectRef]:
    """The initialised workspace and the ``--project`` project in it; on the embedded SQLite file through the
    standard library's driver (plain SQL, no SQLAlchemy).

    Raises:
        ProjectError: no such project, or none named and the workspace has not exactly one.
    """
    from cutproof.core.project_logs import find_project

    ws = ready_workspace(ctx)
    return ws, find_project(ws, project)


def parse_time(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 date or datetime (``now`` for the current time); no zone means UTC.

    Raises:
        typer.BadParameter: not a date/time.
    """
    if text is None:
        return None
    if text == "now":
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 date or time (e.g. 2026-11-23T10:00Z)", param_hint=option
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def new_table(*headers: str) -> Table:
    """A table whose cells wrap rather than truncate (ids and hashes must stay whole), printed by
    ``cutproof.cli._plain.console``."""
    return Table(*headers)


def emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False) + "\n")
