"""The project an editing-engine command acts on, and recording its results in that project's ledger log.

The engine's commands (``dailies``, ``model``, ``edit``) also work in a workspace without projects: then nothing is
recorded. With a project (``--project`` / ``CUTPROOF_PROJECT``, or the workspace's only one) they append their
entries (``dailies.ingested/1``, ``model.trained/1``, ``edit.direct/1``) to its log through :func:`record`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from cutproof.cli._common import cli_identity
from cutproof.core.projects import Project, ProjectError, get_project, project_log
from cutproof.core.workspace import Workspace
from records import Record

__all__ = ["JsonOpt", "ProjectOpt", "QuietOpt", "WorkersOpt", "optional_project", "project_slug", "record"]

ProjectOpt = Annotated[
    str | None, typer.Option("--project", envvar="CUTPROOF_PROJECT", help="Project slug (default: the only one).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object per line instead of a table.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="No progress bar (none is drawn unless on a terminal).")]
WorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers",
        min=1,
        help="Render the video in segments on this many worker processes (one per core is the most that helps); "
        "the output is the same as with 1.",
    ),
]


def project_slug(ws: Workspace, slug: str | None) -> str | None:
    """The selected project's slug, or None in a workspace without projects.

    Raises:
        ProjectError: ``slug`` names no project of the workspace, or none is named and there are several.
    """
    try:
        return get_project(ws, slug).slug
    except ProjectError:
        if slug is not None:
            raise
        return None


def optional_project(ws: Workspace, slug: str | None) -> Project | None:
    """The selected project, or None in a workspace without projects (then nothing is recorded in a ledger).

    Raises:
        ProjectError: as :func:`project_slug`.
    """
    found = project_slug(ws, slug)
    return get_project(ws, found) if found else None


def record(ws: Workspace, slug: str | None, records: Sequence[Record]) -> str | None:
    """Append typed records to the project's log if there is a project; returns its origin (None when none).

    Raises:
        ProjectError: as :func:`project_slug`.
    """
    try:
        project = get_project(ws, slug)
    except ProjectError:
        if slug is not None:
            raise
        return None
    log = project_log(ws, project)
    log.append([r.entry() for r in records], identity=cli_identity())
    return project.origin
