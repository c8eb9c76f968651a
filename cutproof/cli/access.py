"""``cutproof user|member|token …``: who may use the API, in which projects, with which roles."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from cutproof.cli._app import command_group
from cutproof.cli._common import cli_identity, console, esc, ready_workspace
from cutproof.core import access, auth
from cutproof.core.projects import get_project
from cutproof.core.settings import Settings

user_app = command_group(help="Manage API users.", no_args_is_help=True)
member_app = command_group(help="Give users roles in projects.", no_args_is_help=True)
token_app = command_group(help="Create, list and revoke API tokens.", no_args_is_help=True)


def _pepper() -> bytes:
    return Settings().check_safe().secret_key.get_secret_value().encode()


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: str,
    superuser: Annotated[bool, typer.Option("--superuser", help="Workspace administrator.")] = False,
) -> None:
    """Create a user."""
    auth.add_user(ready_workspace(ctx).engine, username, superuser=superuser)
    console.print(f"Created user {esc(username)}{' (workspace administrator)' if superuser else ''}")


@member_app.command("add")
def member_add(
    ctx: typer.Context,
    username: str,
    role: Annotated[auth.Role, typer.Argument(help="admin, editor, legal or qc")],
    project: Annotated[str | None, typer.Option("--project", envvar="CUTPROOF_PROJECT")] = None,
) -> None:
    """Give USERNAME the ROLE in a project (recorded in its ledger as ``access.granted/1``; never to yourself)."""
    ws = ready_workspace(ctx)
    p = get_project(ws, project)
    changed = access.grant(ws, p, username, role, by=cli_identity())
    console.print(f"{esc(username)} is now {role.value} in {p.slug}" + ("" if changed else " (already was)"))


@member_app.command("revoke")
def member_revoke(
    ctx: typer.Context,
    username: str,
    role: Annotated[auth.Role, typer.Argument(help="admin, editor, legal or qc")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded in the ledger).")],
    project: Annotated[str | None, typer.Option("--project", envvar="CUTPROOF_PROJECT")] = None,
) -> None:
    """Take ROLE in a project away from USERNAME (recorded in its ledger as ``access.revoked/1``)."""
    ws = ready_workspace(ctx)
    p = get_project(ws, project)
    access.revoke(ws, p, username, role, by=cli_identity(), reason=reason)
    console.print(f"{esc(username)} is no longer {role.value} in {p.slug}")


@member_app.command("list")
def member_list(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option("--project", envvar="CUTPROOF_PROJECT")] = None,
) -> None:
    """Who holds which role in a project."""
    ws = ready_workspace(ctx)
    p = get_project(ws, project)
    for username, role in access.members(ws, p.slug):
        print(f"{username}\t{role}")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: str,
    days: Annotated[int, typer.Option(help="Lifetime in days (1-366).")] = auth.DEFAULT_TOKEN_DAYS,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Create an API token for USERNAME. The token is printed once and never stored."""
    issued = auth.issue_token(ready_workspace(ctx).engine, username, pepper=_pepper(), label=label, days=days)
    print(issued.token)
    typer.echo(
        f"token id {issued.token_id}, expires {issued.expires_at:%Y-%m-%d %H:%M} UTC; "
        "store it now: it is not shown again",
        err=True,
    )


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    username: Annotated[str | None, typer.Option("--user")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List tokens (ids and dates, never secrets)."""
    rows = auth.list_tokens(ready_workspace(ctx).engine, username)
    if as_json:
        for r in rows:
            print(json.dumps(r.model_dump(), default=str, sort_keys=True))
        return
    table = Table("id", "user", "label", "created", "expires", "revoked")
    for r in rows:
        table.add_row(
            r.token_id,
            esc(r.username),
            esc(r.label),
            f"{r.created_at:%Y-%m-%d}",
            f"{r.expires_at:%Y-%m-%d}",
            f"{r.revoked_at:%Y-%m-%d}" if r.revoked_at else "",
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token_id: str) -> None:
    """Revoke a token by id."""
    auth.revoke_token(ready_workspace(ctx).engine, token_id)
    console.print(f"Revoked token {esc(token_id)}")
