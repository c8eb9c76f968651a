"""Entry point of the ``cutproof`` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cutproof.cli import access, serve
from cutproof.cli import audit as audit_cli
from cutproof.cli import background as _background
from cutproof.cli import cast as cast_cli
from cutproof.cli import dailies as dailies_cli
from cutproof.cli import db as db_cli
from cutproof.cli import editor as editor_cli
from cutproof.cli import identity as identity_cli
from cutproof.cli import ledger as ledger_cli
from cutproof.cli import policy as policy_cli
from cutproof.cli import project as project_cli
from cutproof.cli import qc as qc_cli
from cutproof.cli import requests as requests_cli
from cutproof.cli._common import console, workspace
from cutproof.cli.consent import consent_app, performer_app
from cutproof.cli.demo import demo as demo_command
from cutproof.cli.watermark import app as watermark_app
from cutproof.core.errors import USER_ERRORS
from cutproof.core.settings import DEFAULT_HOME
from cutproof.core.workspace import Workspace

app = typer.Typer(
    name="cutproof",
    help="Make AI edits to film and TV footage, and prove them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # never print locals: they may hold key material
)
app.add_typer(policy_cli.app, name="policy")

app.add_typer(project_cli.app, name="project")
app.add_typer(access.user_app, name="user")
app.add_typer(access.member_app, name="member")
app.add_typer(access.token_app, name="token")
app.command("serve")(serve.serve)
app.command("audit")(audit_cli.audit)
app.add_typer(requests_cli.request_app, name="request")
app.add_typer(requests_cli.jobs_app, name="jobs")
app.add_typer(performer_app, name="performer")
app.add_typer(consent_app, name="consent")
app.add_typer(watermark_app, name="watermark")
app.add_typer(db_cli.app, name="db")


@app.callback()
def _global_options(
    ctx: typer.Context,
    home: Annotated[
        Path, typer.Option("--home", envvar="CUTPROOF_HOME", help="Workspace directory (database, keys, blobs).")
    ] = DEFAULT_HOME,
    db: Annotated[
        str | None,
        typer.Option("--db", envvar="CUTPROOF_DB", help="SQLAlchemy database URL (default: SQLite in --home)."),
    ] = None,
) -> None:
    ctx.obj = Workspace(home, db)


app.add_typer(ledger_cli.app, name="ledger")
app.command(name="demo")(demo_command)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the workspace: database schema, key directory and blob store (safe to run again)."""
    ws = workspace(ctx)
    created = ws.init()
    console.print(f"{'Created' if created else 'Updated'} Cutproof workspace at {ws.home} (database: {_safe_url(ws)})")


app.add_typer(identity_cli.app, name="identity")
app.add_typer(qc_cli.app, name="qc")
app.add_typer(dailies_cli.dailies_app, name="dailies")
app.add_typer(editor_cli.model_app, name="model")
app.add_typer(editor_cli.edit_app, name="edit")
app.add_typer(cast_cli.app, name="cast")
_background.register(editor_cli.train_app, editor_cli.edit_app)
cast_cli.register(editor_cli.train_app, editor_cli.edit_app)


def _safe_url(ws: Workspace) -> str:
    """The database URL with any password masked."""
    from sqlalchemy.engine import make_url

    return make_url(ws.db_url).render_as_string(hide_password=True)


def main() -> None:
    """Run the CLI; errors of the components become one line on stderr and exit status 2."""
    try:
        app()
    except USER_ERRORS as exc:
        print(f"cutproof: error: {exc}", file=sys.stderr)
        sys.exit(2)
