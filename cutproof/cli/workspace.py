"""``cutproof init``: create the workspace that ``--home`` (and ``--db``) point at."""

from __future__ import annotations

import typer
from sqlalchemy.engine import make_url

from cutproof.cli._common import console, esc, workspace
from cutproof.core.workspace import Workspace


def init(ctx: typer.Context) -> None:
    """Create the workspace: database schema, key directory and blob store (safe to run again)."""
    ws = workspace(ctx)
    created = ws.init()
    console.print(
        f"{'Created' if created else 'Updated'} Cutproof workspace at {esc(ws.home)} (database: {esc(_safe_url(ws))})"
    )


def _safe_url(ws: Workspace) -> str:
    """The database URL with any password masked."""
    return make_url(ws.db_url).render_as_string(hide_password=True)
