"""``cutproof consent …``: record consent grants, revocations and suspensions; show what covered whom.

The registry, the options, times and output are shared with ``cutproof performer`` (``cli._registry``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from cutproof.cli import _common, _plain
from cutproof.cli._app import command_group
from cutproof.cli._common import esc
from cutproof.cli._lazy import commands_here, lazy_group
from cutproof.cli._registry import JsonOpt, ProjectOpt, emit, new_table, parse_time, reader, registry
from records.vocab import Category, ContractEdition, Signer

if TYPE_CHECKING:
    from consent import ConsentGrant

EXIT_NOT_COVERED = 3


# ---------------------------------------------------------------------------------------------- grants


def consent_grant(
    ctx: typer.Context,
    performer: Annotated[str, typer.Option(help="Performer id (see `cutproof performer list`).")],
    category: Annotated[str, typer.Option(help="digital_alteration, ebdr, icdr or background_replica.")],
    edit_kind: Annotated[
        list[str], typer.Option(help="Edit kind covered (repeat): relight, eyeline, background, dialogue, or '*'.")
    ],
    purpose: Annotated[list[str], typer.Option(help="Purpose covered (repeat), e.g. continuity, dubbing, or '*'.")],
    use: Annotated[str, typer.Option(help="The reasonably specific description of the intended use.")],
    document: Annotated[Path, typer.Option(help="The signed consent document (required; stored content-addressed).")],
    signed_by: Annotated[str, typer.Option(help="performer, representative or union.")] = "performer",
    edition: Annotated[str, typer.Option(help="Contract edition.")] = "sag-aftra-tv-theatrical-2023",
    valid_from: Annotated[str, typer.Option(help="Start of validity.")] = "now",
    valid_until: Annotated[str | None, typer.Option(help="End of validity (exclusive).")] = None,
    signed_at: Annotated[
        str | None, typer.Option(help="When the writing was signed (default: --valid-from, or now if later).")
    ] = None,
    notice_at: Annotated[str | None, typer.Option(help="When the performer was given notice of the use.")] = None,
    shot: Annotated[list[str] | None, typer.Option(help="Shot covered (repeat); default all shots.")] = None,
    scene: Annotated[list[str] | None, typer.Option(help="Scene covered (repeat); default all scenes.")] = None,
    separately_signed: Annotated[bool, typer.Option(help="Signed as a separate writing, not buried in terms.")] = True,
    law: Annotated[str | None, typer.Option("--law", help="Governing law, e.g. US-CA, US-NY.")] = None,
    compensation_ref: Annotated[str | None, typer.Option(help="Reference of the compensation agreed.")] = None,
    language: Annotated[list[str] | None, typer.Option(help="Language covered for dubbing (repeat), e.g. fr.")] = None,
    as_json: JsonOpt = False,
    project: ProjectOpt = None,
) -> None:
    """Record a consent grant for one specific use (ledger entry consent.granted/1)."""
    reg = registry(ctx, project)
    start = parse_time(valid_from, "--valid-from")
    assert start is not None
    g = reg.grant(
        performer,
        category=cast(Category, category),
        edit_kinds=edit_kind,
        purposes=purpose,
        use_description=use,
        document=document,
        signed_by=cast(Signer, signed_by),
        contract_edition=cast(ContractEdition, edition),
        valid_from=start,
        valid_until=parse_time(valid_until, "--valid-until"),
        signed_at=parse_time(signed_at, "--signed-at"),
        notice_given_at=parse_time(notice_at, "--notice-at"),
        shots=shot or "all",
        scenes=scene or "all",
        separately_signed=separately_signed,
        governing_law=law,
        compensation_ref=compensation_ref,
        languages=language or None,
        identity=_common.cli_identity(),
    )
    if as_json:
        emit(g.model_dump(mode="json"))
    else:
        _plain.console.print(
            f"Granted {g.grant_id} for {esc(performer)} (ledger index {g.ledger_index}, document {g.document_sha256})"
        )


def consent_revoke(
    ctx: typer.Context,
    grant_id: Annotated[str, typer.Argument(help="The grant to revoke.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the registry, never in the ledger).")],
    effective_at: Annotated[str, typer.Option(help="When the revocation takes effect.")] = "now",
    project: ProjectOpt = None,
) -> None:
    """Revoke a grant (ledger entry consent.revoked/1); the grant itself is never changed."""
    ev = registry(ctx, project).revoke(
        grant_id,
        reason=reason,
        effective_at=parse_time(effective_at, "--effective-at"),
        identity=_common.cli_identity(),
    )
    _plain.console.print(
        f"Revoked {esc(grant_id)} from {ev.effective_at.isoformat()} ({ev.event_id}, ledger index {ev.ledger_index})"
    )


def consent_court_approve(
    ctx: typer.Context,
    grant_id: Annotated[str, typer.Argument(help="The minor's grant the court approved.")],
    document: Annotated[Path, typer.Option(help="The court's approval order (PDF or scan).")],
    reason: Annotated[str, typer.Option(help="Court and case reference (kept in the registry, never in the ledger).")],
    approved_at: Annotated[str, typer.Option(help="When the approval took effect.")] = "now",
    project: ProjectOpt = None,
) -> None:
    """Record a court's approval of a minor's consent contract (ledger entry consent.court_approved/1)."""
    when = parse_time(approved_at, "--approved-at")
    assert when is not None
    ev = registry(ctx, project).approve_by_court(
        grant_id, document=document, approved_at=when, reason=reason, identity=_common.cli_identity()
    )
    _plain.console.print(
        f"Court approval of {esc(grant_id)} from {ev.effective_at.isoformat()} ({ev.event_id}, ledger index "
        f"{ev.ledger_index})"
    )


def consent_suspend(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Why, e.g. 'SAG-AFTRA strike'.")],
    performer: Annotated[str | None, typer.Option(help="Suspend this performer's consents.")] = None,
    all_performers: Annotated[bool, typer.Option("--all", help="Suspend every consent of the project.")] = False,
    start: Annotated[str, typer.Option(help="Start of the suspension.")] = "now",
    end: Annotated[str | None, typer.Option(help="End, if known (else lift it later).")] = None,
    category: Annotated[
        list[str] | None, typer.Option(help="Only grants of this category (repeat), e.g. ebdr; default all.")
    ] = None,
    strike: Annotated[bool, typer.Option("--strike", help="The suspension is caused by a strike.")] = False,
    project: ProjectOpt = None,
) -> None:
    """Suspend consent for one performer or production-wide (ledger entry consent.suspended/1)."""
    if (performer is None) == (not all_performers):
        raise typer.BadParameter("give exactly one of --performer ID or --all", param_hint="--performer/--all")
    s = registry(ctx, project).suspend(
        performer,
        reason=reason,
        start=parse_time(start, "--start"),
        end=parse_time(end, "--end"),
        categories=category or None,
        strike=strike,
        identity=_common.cli_identity(),
    )
    _plain.console.print(f"Suspended {'all consents' if performer is None else esc(performer)}: {s.suspension_id}")


def consent_lift(
    ctx: typer.Context,
    suspension_id: Annotated[str, typer.Argument(help="The suspension to lift.")],
    reason: Annotated[str, typer.Option(help="Why, e.g. 'strike ended'.")],
    end: Annotated[str, typer.Option(help="When it ends.")] = "now",
    project: ProjectOpt = None,
) -> None:
    """End a suspension (ledger entry consent.suspension_lifted/1)."""
    ev = registry(ctx, project).lift_suspension(
        suspension_id, reason=reason, end=parse_time(end, "--end"), identity=_common.cli_identity()
    )
    _plain.console.print(
        f"Lifted {esc(suspension_id)} from {ev.effective_at.isoformat()} (ledger index {ev.ledger_index})"
    )


# ---------------------------------------------------------------------------------------------- queries


def _status(g: ConsentGrant, at: datetime) -> str:
    """The grant's state at ``at`` in a word, from the consent clock's judgement."""
    judged = g.judge(at)
    if judged.revoked_since is not None:
        return "revoked"
    if judged.suspensions:
        return "suspended"
    if judged.not_yet_valid:
        return "not yet valid"
    if judged.expired_since is not None:
        return "expired"
    if g.capacity is not None and not g.capacity.ok:
        return "signer without capacity"
    if g.capacity is not None and g.capacity.court_approval == "missing":
        return "in force (court approval missing)"
    return "in force"


def consent_show(
    ctx: typer.Context,
    performer: Annotated[list[str] | None, typer.Option(help="Only this performer (repeat).")] = None,
    at: Annotated[str, typer.Option(help="Evaluate the state at this time.")] = "now",
    known_at: Annotated[str | None, typer.Option(help="Only count what was recorded by then.")] = None,
    as_json: JsonOpt = False,
    project: ProjectOpt = None,
) -> None:
    """Consent state at a time: grants with revocation/suspension state; --json adds ledger receipts."""
    reg = reader(ctx, project)
    state = reg.state_at(performer or None, parse_time(at, "--at"), known_at=parse_time(known_at, "--known-at"))
    if as_json:
        emit(
            {
                "state": state.model_dump(mode="json"),
                "proofs": [p.model_dump(mode="json") for p in reg.state_proofs(state)],
                "checkpoint": reg.log.checkpoint(),
                "verifier_keys": reg.log.verifier_keys(),
            }
        )
        return
    names = {p.performer_id: p.name for p in state.performers}
    table = new_table("grant", "performer", "scope", "valid", "status", "ledger")
    for g in state.grants:
        window = f"{g.valid_from:%Y-%m-%d}…{g.valid_until:%Y-%m-%d}" if g.valid_until else f"{g.valid_from:%Y-%m-%d}…"
        shots = g.shots if isinstance(g.shots, str) else ", ".join(g.shots)
        scope = f"{g.category}: {', '.join(g.edit_kinds)} for {', '.join(g.purposes)}; shots {shots}"
        table.add_row(
            g.grant_id, esc(names.get(g.performer_id, g.performer_id)), esc(scope), window, _status(g, state.at),
            str(g.ledger_index),
        )  # fmt: skip
    _plain.console.print(f"Consent in project {state.project} at {state.at.isoformat()}")
    _plain.console.print(table)
    for s in state.suspensions:
        _plain.console.print(
            f"Production-wide suspension {s.suspension_id} since {s.start.isoformat()}: {esc(s.reason)}"
        )


def consent_history(
    ctx: typer.Context,
    grant_id: Annotated[str, typer.Argument(help="The grant.")],
    as_json: JsonOpt = False,
    project: ProjectOpt = None,
) -> None:
    """Everything recorded about a grant, in ledger order."""
    events = reader(ctx, project).history(grant_id)
    if as_json:
        emit([e.model_dump(mode="json") for e in events])
        return
    table = new_table("ledger", "event", "effective", "end", "recorded", "by", "reason")
    for e in events:
        table.add_row(
            str(e.ledger_index), e.kind, e.effective_at.isoformat(), e.end.isoformat() if e.end else "-",
            e.recorded_at.isoformat(), esc(e.identity), esc(e.reason or "-"),
        )  # fmt: skip
    _plain.console.print(table)


def consent_covers(
    ctx: typer.Context,
    performer: Annotated[str, typer.Option(help="Performer id.")],
    edit_kind: Annotated[str, typer.Option(help="relight, eyeline, background or dialogue.")],
    purpose: Annotated[str, typer.Option(help="Purpose of the edit, e.g. continuity.")],
    shot: Annotated[str | None, typer.Option(help="Shot of the edit.")] = None,
    scene: Annotated[str | None, typer.Option(help="Scene of the edit.")] = None,
    at: Annotated[str, typer.Option(help="Time of the edit.")] = "now",
    known_at: Annotated[str | None, typer.Option(help="Only count what was recorded by then.")] = None,
    language: Annotated[str | None, typer.Option(help="Target language (dubbing).")] = None,
    as_json: JsonOpt = False,
    project: ProjectOpt = None,
) -> None:
    """What consent covered a performer for a use at a time, with receipts. Exit 0 covered, 3 not covered."""
    cov = reader(ctx, project).covering(
        performer, edit_kind, purpose, shot, scene, parse_time(at, "--at"),
        known_at=parse_time(known_at, "--known-at"), language=language,
    )  # fmt: skip
    if as_json:
        emit(cov.model_dump(mode="json"))
    else:
        verdict = "[green]COVERED[/]" if cov.covered else "[red]NOT COVERED[/]"
        _plain.console.print(
            f"{verdict}: {esc(performer)} for {esc(edit_kind)}/{esc(purpose)} shot {esc(shot or '-')} at "
            f"{cov.at.isoformat()}"
        )
        for c in cov.covering:
            _plain.console.print(
                f"  covered by {c.grant.grant_id} (ledger {c.grant.ledger_index}): {esc(c.grant.use_description)}"
            )
        for c in cov.not_covering:
            _plain.console.print(f"  {c.grant.grant_id} does not cover it: {esc('; '.join(c.shortfalls))}")
        _plain.console.print(f"  {len(cov.proofs())} ledger receipts (use --json to get them)")
    if not cov.covered:
        raise typer.Exit(EXIT_NOT_COVERED)


def consent_document(
    ctx: typer.Context,
    sha256: Annotated[str, typer.Argument(help="Document hash (from a grant or performer).")],
    out: Annotated[Path, typer.Option(help="Where to write the document.")],
    project: ProjectOpt = None,
) -> None:
    """Export a signed document recorded in the project (checked against its hash)."""
    data = reader(ctx, project).document(sha256)
    out.write_bytes(data)
    _plain.console.print(f"Wrote {len(data)} bytes to {esc(out)}")


def consent_check(
    ctx: typer.Context,
    repair: Annotated[bool, typer.Option("--repair", help="Complete interrupted writes.")] = False,
    as_json: JsonOpt = False,
    project: ProjectOpt = None,
) -> None:
    """Check the registry against the ledger (rows without entries, entries without rows). Exit 1 on problems."""
    report = registry(ctx, project).reconcile(repair=repair)
    if as_json:
        emit(report.model_dump(mode="json") | {"ok": report.ok})
    else:
        _plain.console.print(
            f"{report.rows_checked} rows and {report.entries_checked} ledger entries checked "
            f"(log size {report.log_size}); completed {len(report.completed)}, dropped {len(report.abandoned)}"
        )
        for line in report.pending + report.problems:
            _plain.console.print(f"  [red]•[/] {esc(line)}")
        _plain.console.print("[green]OK[/]" if report.ok else "[red]PROBLEMS FOUND[/]")
    if not report.ok:
        raise typer.Exit(1)


consent_app = command_group(
    help="Record consent grants, revocations and suspensions; show what covered whom, with ledger receipts.",
    no_args_is_help=True,
    cls=lazy_group(
        *commands_here(
            __name__,
            {
                "grant": consent_grant,
                "revoke": consent_revoke,
                "court-approve": consent_court_approve,
                "suspend": consent_suspend,
                "lift": consent_lift,
                "show": consent_show,
                "history": consent_history,
                "covers": consent_covers,
                "document": consent_document,
                "check": consent_check,
            },
        )
    ),
)
