"""``cutproof demo``: a few-second tour of the signed ledger (later issues extend it to the full edit pipeline).

It creates a workspace (``./demo-output`` unless ``--home`` is given), a log of its own for the tour, appends
batches of ``demo.tour/1`` records — each says in words which entry a real project would record at that point; no
product record is ever faked — then shows the signed checkpoint, an offline-verified receipt, a tampered receipt
being rejected, a consistency proof, a key rotation, fsck and a static tlog-tiles export. Everything is computed
live.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import time
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from cutproof.core.console import console
from cutproof.core.projects import open_ledger
from cutproof.core.workspace import MARKER, Workspace
from ledger import Ledger, Log, verify_receipt
from ledger.checkpoint import Checkpoint, checkpoint_text_of
from ledger.errors import ReceiptError
from ledger.export import export_tiles
from ledger.fsck import fsck
from ledger.merkle import verify_consistency
from records import DemoTourEntry

DEMO_HOME = Path("demo-output")
ORIGIN = "cutproof.local/demo-night-shoot"


def fresh_demo_workspace(db_url: str | None = None) -> Workspace:
    """A fresh ./demo-output workspace (only ever deleting a demo workspace).

    Raises:
        typer.BadParameter: ./demo-output exists and is not a Cutproof workspace.
    """
    if DEMO_HOME.exists():
        if not (DEMO_HOME / MARKER).is_file():
            raise typer.BadParameter(f"{DEMO_HOME} exists and is not a Cutproof workspace; move it or pass --home")
        shutil.rmtree(DEMO_HOME)
    return Workspace(DEMO_HOME, db_url)


def _unique_origin(ledger: Ledger) -> str:
    existing = set(ledger.origins())
    n, origin = 1, ORIGIN
    while origin in existing:
        n += 1
        origin = f"{ORIGIN}-{n}"
    return origin


def _sha(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def _batches() -> list[tuple[str, list[dict[str, Any]]]]:
    """Batches of ``demo.tour/1`` records: each says in words what a real project would record at that point
    (nothing here is a product record; the digests are of labels, not of any file)."""
    performers = ["Ada Okafor", "Ben Laurent", "Chiara Rossi"]
    setup = ["a project would be created here (project.created/1)"]
    setup += [f"performer {n} would be registered here (performer.registered/1)" for n in performers]
    setup += [
        f"{n}'s signed relight and eyeline consent would be recorded here (consent.granted/1)" for n in performers
    ]
    dailies = [
        f"camera file A{roll:03d}C{take:03d} would be catalogued here (dailies.ingested/1)"
        for roll in range(1, 9)
        for take in range(1, 257)
    ]
    edit = [
        "a relight model trained on these dailies would be recorded here (model.trained/1)",
        "the gate's decision on a relight request would be recorded here (policy.decided/1)",
        "the relight of shot A001C004 would be recorded here (edit.applied/1)",
    ]
    batches = [("project, performers, consent", setup), ("dailies ingest", dailies), ("model, decision, edit", edit)]
    return [
        (
            label,
            [
                DemoTourEntry(batch=label, sequence=i, says=says, digest=_sha(f"{label}/{i}")).entry()
                for i, says in enumerate(lines)
            ],
        )
        for label, lines in batches
    ]


def run_tour(ws: Workspace) -> None:
    """Run the ledger tour in ``ws`` (created if needed)."""
    ws.init()
    ledger = open_ledger(ws)
    log = ledger.create_log(_unique_origin(ledger))
    console.rule(f"[bold]Cutproof ledger demo[/] — workspace {escape(str(ws.home))}")
    console.print(f"Created log [cyan]{log.origin}[/] with verifier key\n  {log.verifier_keys()[0]}", soft_wrap=True)

    table = Table("batch", "entries", "indexes", "time (one transaction, fsynced, signed)")
    first_checkpoint = log.checkpoint()
    edit_index = -1
    for label, batch in _batches():
        t0 = time.perf_counter()
        appended = log.append(batch, identity="demo:cutproof")
        ms = (time.perf_counter() - t0) * 1000
        table.add_row(label, str(len(batch)), f"{appended[0].index}…{appended[-1].index}", f"{ms:.1f} ms")
        edit_index = appended[-1].index
        if label.startswith("project"):
            first_checkpoint = appended[-1].checkpoint
    console.print(table)
    console.print(Panel(log.checkpoint().rstrip("\n"), title="latest signed checkpoint (C2SP signed note)"))

    _receipts(ws, log, edit_index)
    _consistency(log, first_checkpoint)

    old_vkeys = log.verifier_keys()
    old_receipt = log.prove(edit_index)
    new_vkey = log.rotate_key(identity="demo:cutproof")
    verify_receipt(old_receipt, log.entry(edit_index), old_vkeys)
    console.print(
        f"Rotated the signing key → {new_vkey.split('+')[1]}; the handover checkpoint is signed by old and new keys; "
        "the old receipt still verifies with the old public key."
    )

    [result] = fsck(ws.engine, [log.origin])
    status = "[green]clean[/]" if result.ok else f"[red]{escape(str(result.problem))}[/]"
    console.print(f"fsck: {status} — re-derived {result.size} leaves, all tiles and checkpoints")
    stats = export_tiles(log, ws.home / "tiles" / log.origin.replace("/", "_"))
    console.print(
        f"Exported a static tlog-tiles directory: {stats.tiles} tiles, {stats.bundles} entry bundles → "
        f"{escape(str(ws.home / 'tiles'))}"
    )
    console.rule("[bold green]done")


def _receipts(ws: Workspace, log: Log, index: int) -> None:
    out = ws.home / "receipts"
    out.mkdir(exist_ok=True)
    receipt, entry, vkeys = log.prove(index), log.entry(index), log.verifier_keys()
    (out / f"entry-{index}.tlog-proof").write_text(receipt)
    (out / f"entry-{index}.json").write_bytes(entry)
    got = verify_receipt(receipt, entry, vkeys)
    console.print(Panel(receipt.rstrip("\n"), title=f"receipt for entry {index} (demo.tour) — {escape(str(out))}"))
    console.print(
        f"[green]✓[/] verified offline with only the entry bytes, the receipt and the vkey: entry {got.index} "
        f"is in {got.origin} at tree size {got.size}"
    )
    tampered = entry.replace(b"relight", b"reshape")
    try:
        verify_receipt(receipt, tampered, vkeys)
        console.print("[red]✗ a tampered entry verified — this must never happen[/]")
    except ReceiptError as exc:
        console.print(f"[green]✓[/] tampered entry rejected: {escape(str(exc))}")


def _consistency(log: Log, first_checkpoint: str) -> None:
    old = Checkpoint.parse(checkpoint_text_of(first_checkpoint))
    new = Checkpoint.parse(checkpoint_text_of(log.checkpoint()))
    proof = log.consistency_proof(old.size, new.size)
    verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
    lines = "\n".join(base64.b64encode(h).decode() for h in proof)
    console.print(
        Panel(lines, title=f"consistency proof {old.size} → {new.size}: the log only grew (verified)", expand=False)
    )
