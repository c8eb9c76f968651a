"""``cutproof db …``: the workspace database's schema (upgrade it, show where it stands, list the migrations).

The operator's procedure (back up, upgrade, PostgreSQL settings) is in docs/operators-database.md.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cutproof.cli._app import command_group
from cutproof.cli._common import console, esc, ready_workspace
from cutproof.core import schema

app = command_group(help="Upgrade the database schema and show where it stands.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Upgrade the workspace database to this Cutproof's schema (back it up first).

    A database made by Cutproof 0.1.0 is recognised and stamped at the baseline revision first. The upgrade runs
    in one transaction: if it fails, the database is left as it was.
    """
    ws = ready_workspace(ctx)
    done = ws.upgrade_schema()
    if done.stamped_release_0_1_0:
        console.print(f"Recognised a database made by Cutproof 0.1.0: stamped at revision {schema.BASELINE}")
    if done.applied:
        console.print(
            f"Upgraded {esc(done.before or 'an empty database')} → {done.after}: ran {', '.join(done.applied)}"
        )
    else:
        console.print(f"At revision {done.after} (head){'' if done.stamped_release_0_1_0 else ': nothing to do'}")


@app.command("current")
def current(
    ctx: typer.Context,
    check: Annotated[bool, typer.Option("--check", help="Exit with status 1 unless the schema is up to date.")] = False,
) -> None:
    """Show the database's schema revision and whether it needs `cutproof db upgrade`."""
    found = ready_workspace(ctx).schema_state()
    console.print(esc(found.describe()), highlight=False)
    if check and not found.is_current:
        raise typer.Exit(1)


@app.command("history")
def history() -> None:
    """List the schema revisions this Cutproof ships, newest first."""
    for rev in schema.history():
        flags = (("head", rev.revision == schema.HEAD), ("0.1.0", rev.revision == schema.BASELINE))
        marks = ", ".join(mark for mark, on in flags if on)
        after = "" if rev.down_revision is None else f"  (after {rev.down_revision})"
        console.print(f"{rev.revision}  {f'({marks}) ' if marks else ''}{rev.title}{after}", highlight=False)
