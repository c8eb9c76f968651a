"""``cutproof identity``: show or replace the workspace's C2PA signing identity (certificate chain + key)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cutproof.cli._app import command_group
from cutproof.cli._common import console, esc, ready_workspace
from labeler.errors import IdentityImportError
from labeler.identity import import_identity, load_identity
from labeler.timestamps import trust_tsa

app = command_group(help="The C2PA signing identity deliverables are signed with.", no_args_is_help=True)


@app.command("show")
def show(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show the signing certificate, its issuer and the trust anchor verifiers need (never the key)."""
    facts = load_identity(ready_workspace(ctx).keys_dir).describe()
    if as_json:
        print(json.dumps(facts, indent=2))
        return
    for name, value in facts.items():
        console.print(f"[bold]{name.replace('_', ' ')}[/bold]: {esc(value)}")


@app.command("import")
def import_(
    ctx: typer.Context,
    chain: Annotated[Path, typer.Argument(help="PEM chain: signing certificate first, then intermediates.")],
    key: Annotated[Path, typer.Argument(help="PEM private key of the signing certificate (unencrypted).")],
    anchors: Annotated[
        Path | None, typer.Option("--trust-anchor", help="PEM root certificate(s), if not at the end of CHAIN.")
    ] = None,
) -> None:
    """Replace the project CA with the production's own certificate chain and key (validated first)."""
    ws = ready_workspace(ctx)
    try:
        chain_pem = chain.read_bytes()
        key_pem = key.read_bytes()
        anchors_pem = anchors.read_bytes() if anchors is not None else None
    except OSError as exc:
        raise IdentityImportError(f"cannot read {exc.filename}: {exc.strerror}") from None
    facts = import_identity(ws.keys_dir, chain_pem, key_pem, anchors_pem).describe()
    console.print(
        f"Imported signing identity {esc(facts['signer_subject'])} (trust anchor: {esc(facts['trust_anchors'])})"
    )


@app.command("trust-tsa")
def trust_tsa_cmd(
    ctx: typer.Context,
    root: Annotated[Path, typer.Argument(help="PEM root certificate of the RFC 3161 time-stamp authority.")],
) -> None:
    """Trust a time-stamp authority's root, so QC reports the claim signatures' time-stamps as trusted (the TSA
    itself is the ``--tsa-url`` / ``CUTPROOF_TSA_URL`` setting)."""
    ws = ready_workspace(ctx)
    try:
        pem = root.read_text()
    except OSError as exc:
        raise IdentityImportError(f"cannot read {exc.filename}: {exc.strerror}") from None
    trust_tsa(ws.keys_dir, pem)
    console.print(f"Trusting time-stamp authority root {esc(root.name)}; tsa url: {esc(ws.tsa_url or 'not set')}")
