"""``cutproof policy …``: validate policy packs and evaluate edit requests (what-if cases included).

Exit status of ``evaluate``: 0 allow, 3 deny, 4 review, 2 malformed request or pack (one line on stderr).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cutproof.cli._common import console
from policies import Decision, PolicySet, load_pack, load_request_file, resolve_pack_refs, shipped_pack_paths

app = typer.Typer(name="policy", help="Validate policy packs and evaluate edit requests.", no_args_is_help=True)

EXIT_STATUS = {"allow": 0, "deny": 3, "review": 4}
_STYLE = {"allow": "green", "deny": "bold red", "review": "yellow"}


@app.command("check")
def check(
    packs: Annotated[
        list[str] | None,
        typer.Argument(help="Pack files, directories or shipped pack ids (default: the shipped packs)."),
    ] = None,
) -> None:
    """Validate policy packs (and that they combine into one policy set); exit 2 on the first problem."""
    paths = resolve_pack_refs(packs) if packs else shipped_pack_paths()
    loaded = [load_pack(p) for p in paths]
    policy_set = PolicySet(loaded)
    table = Table(title="Policy packs", show_lines=False)
    for col in ("pack", "version", "rules", "reported", "file"):
        table.add_column(col)
    for pack in policy_set.packs:
        reported = sum(1 for r in pack.rules if r.spec.wording == "reported")
        table.add_row(pack.id, pack.spec.version, str(len(pack.rules)), str(reported), pack.source)
    console.print(table)
    console.print(f"policy set {policy_set.hash}: {len(loaded)} pack(s) valid")


@app.command("evaluate")
def evaluate(
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
) -> None:
    """Decide an edit request: allow (exit 0), deny (exit 3) or review (exit 4), with reasons and obligations."""
    paths = resolve_pack_refs(packs) if packs else shipped_pack_paths()
    if add_packs:
        paths = [*paths, *resolve_pack_refs(add_packs)]
    policy_set = PolicySet.load(paths)
    parsed = load_request_file(request_file)
    decision = policy_set.evaluate(parsed.request, parsed.consent)
    if as_json:
        print(json.dumps({"decision_id": decision.decision_id, **decision.to_json()}, indent=2, ensure_ascii=False))
    else:
        _print(decision)
    raise typer.Exit(EXIT_STATUS[decision.outcome])


def _print(decision: Decision) -> None:
    style = _STYLE[decision.outcome]
    console.print(f"[{style}]{decision.outcome.upper()}[/]  decision {decision.decision_id[:16]}")
    table = Table(show_lines=True)
    for col in ("effect", "rule", "performer", "explanation", "citation"):
        table.add_column(col, overflow="fold")
    for r in sorted(decision.reasons, key=lambda r: -("allow", "review", "deny").index(r.effect)):
        citation = r.citation + (" [reported]" if r.wording == "reported" else "")
        table.add_row(f"[{_STYLE[r.effect]}]{r.effect}[/]", r.rule_id, r.performer_id or "-", r.explanation, citation)
    console.print(table)
    if decision.relied_on:
        for rel in decision.relied_on:
            what = f"grant {rel.grant_id}" if rel.kind == "consent" else f"exemption {rel.exemption}"
            idx = f" (ledger #{rel.ledger_index})" if rel.ledger_index is not None else ""
            console.print(f"relied on: {what}{idx} for {rel.performer_id or 'the request'} [{rel.rule_id}]")
    else:
        console.print("relied on: nothing")
    console.print(f"obligations: {decision.obligations.summary()}")
    console.print(f"inputs {decision.inputs_hash}\npolicy set {decision.policy_set_hash}")
