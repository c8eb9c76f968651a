"""``cutproof project …``: create and inspect projects (one ledger log and one policy context each)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from cutproof.cli._app import command_group
from cutproof.cli._common import cli_identity, ready_workspace
from cutproof.cli._plain import Table, console, esc
from cutproof.core.projects import ProjectContext, create_project, get_project, list_projects

app = command_group(help="Create and inspect projects.", no_args_is_help=True)

ProjectOpt = Annotated[
    str | None, typer.Option("--project", envvar="CUTPROOF_PROJECT", help="Project slug (default: the only one).")
]


@app.command("create")
def create(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Short id: a-z, 0-9 and '-'.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    agreement: Annotated[str, typer.Option(help="Contract and edition in force.")] = "sag-aftra-tv-theatrical-2026",
    principal_photography: Annotated[
        str | None, typer.Option("--principal-photography", help="Start of principal photography, YYYY-MM-DD.")
    ] = None,
    territory: Annotated[
        list[str] | None, typer.Option("--territory", help="Distribution territory (repeat), e.g. US, EU.")
    ] = None,
    artistic: Annotated[
        bool, typer.Option("--artistic/--not-artistic", help="Evidently artistic, creative or fictional work.")
    ] = True,
    pack: Annotated[list[str] | None, typer.Option("--pack", help="Policy pack id to select (repeat).")] = None,
) -> None:
    """Create a project with its ledger log and policy context."""
    ws = ready_workspace(ctx)
    start = date.fromisoformat(principal_photography) if principal_photography else None
    context = ProjectContext(
        agreement=agreement,
        principal_photography_start=start,
        distribution_territories=tuple(territory or ("US",)),
        evidently_artistic=artistic,
        policy_packs=tuple(pack or ()),
    )
    project = create_project(ws, slug, name, context, identity=cli_identity())
    console.print(f"Created project [bold]{project.slug}[/] with ledger log {project.origin}")


@app.command("list")
def list_(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the workspace's projects."""
    projects = list_projects(ready_workspace(ctx))
    if as_json:
        for p in projects:
            print(json.dumps(p.model_dump(mode="json"), sort_keys=True))
        return
    table = Table("slug", "name", "ledger log", "territories", "principal photography")
    for p in projects:
        table.add_row(
            p.slug,
            esc(p.name),
            p.origin,
            esc(", ".join(p.context.distribution_territories)),
            str(p.context.principal_photography_start or "-"),
        )
    console.print(table)


@app.command("show")
def show(ctx: typer.Context, project: ProjectOpt = None) -> None:
    """Show a project and its policy context as JSON."""
    p = get_project(ready_workspace(ctx), project)
    print(json.dumps(p.model_dump(mode="json"), indent=2, sort_keys=True))
