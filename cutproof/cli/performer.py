"""``cutproof performer …``: register, amend and list the performers of a project (see ``cli._registry``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, cast

import typer

from cutproof.cli import _common, _plain
from cutproof.cli._app import command_group
from cutproof.cli._lazy import commands_here, lazy_group
from cutproof.cli._registry import JsonOpt, ProjectOpt, emit, new_table, parse_time, reader, registry
from records.vocab import PerformerKind, Representation


def performer_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Full name (kept in the registry, never in the ledger).")],
    kind: Annotated[str, typer.Option(help="principal, background, stunt or stand_in.")] = "principal",
    guild: Annotated[str | None, typer.Option(help="Guild the performer belongs to, e.g. SAG-AFTRA.")] = None,
    guild_id: Annotated[str | None, typer.Option(help="Membership id in that guild.")] = None,
    minor: Annotated[bool, typer.Option("--minor", help="The performer is a minor.")] = False,
    deceased: Annotated[bool, typer.Option("--deceased", help="The performer is deceased.")] = False,
    died_at: Annotated[str | None, typer.Option(help="Date of death (implies --deceased).")] = None,
    representative: Annotated[
        str | None, typer.Option(help="Authorised representative (estate, guardian); needs --representative-document.")
    ] = None,
    representative_document: Annotated[
        Path | None, typer.Option(help="Document proving the representative's authority (stored content-addressed).")
    ] = None,
    representation: Annotated[str, typer.Option(help="counsel, union or none (in negotiating consent).")] = "none",
    as_json: JsonOpt = False,
    project: ProjectOpt = None,
) -> None:
    """Register a performer (ledger entry performer.registered/1, with no personal data in it)."""
    reg = registry(ctx, project)
    p = reg.register_performer(
        name=name,
        kind=cast(PerformerKind, kind),
        guild=guild,
        guild_id=guild_id,
        minor=minor,
        deceased=deceased,
        died_at=parse_time(died_at, "--died-at"),
        representative_name=representative,
        representative_document=representative_document,
        representation=cast(Representation, representation),
        identity=_common.cli_identity(),
    )
    if as_json:
        emit(p.model_dump(mode="json"))
    else:
        _plain.console.print(f"Registered {p.performer_id} ({p.kind}) in project {reg.project}")


def performer_amend(
    ctx: typer.Context,
    performer_id: Annotated[str, typer.Argument(help="The performer to amend.")],
    reason: Annotated[str, typer.Option(help="Why, e.g. 'death certificate received'.")],
    name: Annotated[str | None, typer.Option(help="Corrected name.")] = None,
    died_at: Annotated[str | None, typer.Option(help="Date of death (marks the performer deceased).")] = None,
    minor: Annotated[bool | None, typer.Option("--minor/--adult", help="Now a minor / now of age.")] = None,
    representative: Annotated[str | None, typer.Option(help="New authorised representative.")] = None,
    representative_document: Annotated[
        Path | None, typer.Option(help="Document proving the new representative's authority.")
    ] = None,
    representation: Annotated[str | None, typer.Option(help="counsel, union or none.")] = None,
    as_json: JsonOpt = False,
    project: ProjectOpt = None,
) -> None:
    """Record a change to a performer (ledger entry performer.amended/1): death, representative, age, name."""
    p = registry(ctx, project).amend_performer(
        performer_id,
        reason=reason,
        name=name,
        died_at=parse_time(died_at, "--died-at"),
        minor=minor,
        representative_name=representative,
        representative_document=representative_document,
        representation=cast(Representation | None, representation),
        identity=_common.cli_identity(),
    )
    if as_json:
        emit(p.model_dump(mode="json"))
    else:
        _plain.console.print(f"Amended {p.performer_id}")


def performer_list(ctx: typer.Context, project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """List the project's performers."""
    performers = reader(ctx, project).performers()
    if as_json:
        emit([p.model_dump(mode="json") for p in performers])
        return
    table = new_table("performer id", "name", "kind", "guild", "flags", "representative")
    for p in performers:
        flags = ", ".join(f for f, on in (("minor", p.minor), ("deceased", p.deceased)) if on)
        guild = f"{p.guild} {p.guild_id or ''}".strip() if p.guild_member else "-"
        representative = _common.esc(p.representative.name) if p.representative else "-"
        table.add_row(p.performer_id, _common.esc(p.name), p.kind, _common.esc(guild), flags or "-", representative)
    _plain.console.print(table)


performer_app = command_group(
    help="Register and list the performers of a project.",
    no_args_is_help=True,
    cls=lazy_group(
        *commands_here(
            __name__,
            {
                "add": performer_add,
                "amend": performer_amend,
                "list": performer_list,
            },
        )
    ),
)
