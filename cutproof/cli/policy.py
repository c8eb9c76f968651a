"""``cutproof policy …``: validate policy packs and evaluate edit requests (what-if cases included).

Exit status of ``evaluate``: 0 allow, 3 deny, 4 review, 2 malformed request or pack (one line on stderr).

The packs' models and the consent judgement are imported by the commands that use them, so that ``--help``
answers at once; output is plain text and tables (``cutproof.cli._plain``: no Rich).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cutproof.cli import _plain
from cutproof.cli._app import command_group
from cutproof.cli._common import esc
from cutproof.cli._lazy import commands_here, lazy_group

if TYPE_CHECKING:
    from policies import ConsentState, Decision, EditRequest, PolicySet


EXIT_STATUS = {"allow": 0, "deny": 3, "review": 4}
_STYLE = {"allow": "green", "deny": "bold red", "review": "yellow"}


def check(
    packs: Annotated[
        list[str] | None,
        typer.Argument(help="Pack files, directories or shipped pack ids (default: the shipped packs)."),
    ] = None,
    rules: Annotated[
        bool, typer.Option("--rules", help="Also list every rule: id, effect, wording, citation.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print packs and rules as JSON.")] = False,
) -> None:
    """Validate policy packs (and that they combine into one policy set); exit 2 on the first problem."""
    from policies import PolicySet, load_pack, resolve_pack_refs, shipped_pack_paths

    paths = resolve_pack_refs(packs) if packs else shipped_pack_paths()
    loaded = [load_pack(p) for p in paths]
    policy_set = PolicySet(loaded)
    if as_json:
        print(json.dumps(_set_json(policy_set), indent=2, ensure_ascii=False))
        return
    table = _plain.Table("pack", "version", "rules", "reported", "file", title="Policy packs")
    for pack in policy_set.packs:
        reported = sum(1 for r in pack.rules if r.spec.wording == "reported")
        table.add_row(esc(pack.id), esc(pack.spec.version), str(len(pack.rules)), str(reported), esc(pack.source))
    _plain.console.print(table)
    if rules:
        listing = _plain.Table("pack", "rule", "scope", "effect", "citation", title="Rules")
        for pack in policy_set.packs:
            for rule in pack.rules:
                spec = rule.spec
                citation = spec.citation + (" [reported]" if spec.wording == "reported" else "")
                listing.add_row(esc(pack.id), esc(spec.id), esc(spec.for_each), esc(spec.effect), esc(citation))
        _plain.console.print(listing)
    _plain.console.print(f"policy set {policy_set.hash}: {len(loaded)} pack(s) valid")


def _set_json(policy_set: PolicySet) -> dict[str, object]:
    keys = ("id", "effect", "for_each", "wording", "citation")
    return {
        "policy_set_hash": policy_set.hash,
        "packs": [
            {
                "id": pack.id,
                "version": pack.spec.version,
                "sha256": pack.sha256,
                "file": pack.source,
                "rules": [{k: getattr(r.spec, k) for k in keys} for r in pack.rules],
            }
            for pack in policy_set.packs
        ],
    }


def evaluate(
    ctx: typer.Context,
    request_file: Annotated[Path, typer.Argument(help="REQUEST.yaml: the edit request, optionally with consent.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
    packs: Annotated[
        list[str] | None,
        typer.Option("--packs", help="Use these packs instead of the shipped ones (file, directory or pack id)."),
    ] = None,
    add_packs: Annotated[
        list[str] | None,
        typer.Option("--add-pack", help="Add a pack to the selection (e.g. a studio pack); repeatable."),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            envvar="CUTPROOF_PROJECT",
            help="Evaluate against this project's consent registry when the file inlines no consent (read only).",
        ),
    ] = None,
) -> None:
    """Decide an edit request: allow (exit 0), deny (exit 3) or review (exit 4), with reasons and obligations.

    The consent state is the one inlined in the file (a what-if case; no registry touched) or, when the file has
    no ``consent`` section and ``--project`` is given, the project's registry state at the request's time.
    Nothing is written: recording decisions in the ledger is the edit flow's job.
    """
    from cutproof.edits.consent_facts import judge_snapshot
    from policies import (
        PolicySet,
        RequestError,
        UnknownPerformerError,
        load_request_file,
        resolve_pack_refs,
        shipped_pack_paths,
    )

    paths = resolve_pack_refs(packs) if packs else shipped_pack_paths()
    if add_packs:
        paths = [*paths, *resolve_pack_refs(add_packs)]
    policy_set = PolicySet.load(paths)
    parsed = load_request_file(request_file)
    try:
        if not parsed.consent_inline and project is not None:
            state = _registry_state(ctx, project, parsed.request)
        else:
            state = judge_snapshot(parsed.consent, parsed.request.time)
        decision = policy_set.evaluate(parsed.request, state)
    except UnknownPerformerError as exc:
        raise UnknownPerformerError(exc.field, exc.problem, file=str(request_file)) from None
    except RequestError as exc:
        raise RequestError(exc.field, exc.problem, file=str(request_file)) from None
    if as_json:
        print(json.dumps({"decision_id": decision.decision_id, **decision.to_json()}, indent=2, ensure_ascii=False))
    else:
        _print(decision)
    raise typer.Exit(EXIT_STATUS[decision.outcome])


def _registry_state(ctx: typer.Context, slug: str, request: EditRequest) -> ConsentState:
    """The project's consent state for the performers the request touches, judged at the request's time (read
    through the registry's read side, as the ``consent`` commands do).

    Raises:
        RequestError: the request names another project than ``--project``.
    """
    from cutproof.cli._registry import reader
    from cutproof.edits.consent_facts import from_registry
    from policies import RequestError

    registry = reader(ctx, slug)
    if request.project.name != registry.project:
        raise RequestError(
            "request.project.name",
            f"the request is for project {request.project.name!r} but --project is {registry.project!r}",
        )
    return from_registry(registry.state_at(request.touched(), at=request.time), request.time)


def _print(decision: Decision) -> None:
    style = _STYLE[decision.outcome]
    _plain.console.print(f"[{style}]{decision.outcome.upper()}[/]  decision {decision.decision_id[:16]}")
    table = _plain.Table("effect", "rule", "performer", "explanation", "citation", show_lines=True)
    for r in sorted(decision.reasons, key=lambda r: -("allow", "review", "deny").index(r.effect)):
        citation = r.citation + (" [reported]" if r.wording == "reported" else "")
        table.add_row(
            f"[{_STYLE[r.effect]}]{r.effect}[/]", esc(r.rule_id), esc(r.performer_id or "-"), esc(r.explanation),
            esc(citation),
        )  # fmt: skip
    _plain.console.print(table)
    if decision.relied_on:
        for rel in decision.relied_on:
            what = f"grant {rel.grant_id}" if rel.kind == "consent" else f"exemption {rel.exemption}"
            idx = f" (ledger #{rel.ledger_index})" if rel.ledger_index is not None else ""
            _plain.console.print(esc(f"relied on: {what}{idx} for {rel.performer_id or 'the request'} [{rel.rule_id}]"))
    else:
        _plain.console.print("relied on: nothing")
    _plain.console.print(f"obligations: {esc(decision.obligations.summary())}")
    _plain.console.print(f"inputs {decision.inputs_hash}\npolicy set {decision.policy_set_hash}")


app = command_group(
    name="policy",
    help="Validate policy packs and evaluate edit requests.",
    no_args_is_help=True,
    cls=lazy_group(
        *commands_here(
            __name__,
            {
                "check": check,
                "evaluate": evaluate,
            },
        )
    ),
)
