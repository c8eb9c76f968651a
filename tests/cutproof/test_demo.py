"""`cutproof demo` runs end to end in a fresh workspace and everything it shows verifies."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.workspace import Workspace
from ledger import Ledger, verify_receipt
from ledger.fsck import fsck


def test_demo_runs_and_leaves_verifiable_artifacts(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    result = CliRunner().invoke(app, ["--home", str(home), "demo"])
    assert result.exit_code == 0, result.output
    assert "tampered entry rejected" in result.output and "fsck: clean" in result.output
    ws = Workspace(home)
    ledger = Ledger(ws.engine, ws.keys_dir)
    [origin] = ledger.origins()
    log = ledger.open_log(origin)
    [receipt] = (home / "receipts").glob("*.tlog-proof")
    entry = receipt.with_suffix(".json").read_bytes()
    assert verify_receipt(receipt.read_text(), entry, log.verifier_keys()).origin == origin
    assert all(r.ok for r in fsck(ws.engine))
    assert (home / "tiles" / origin.replace("/", "_") / "checkpoint").is_file()
    again = CliRunner().invoke(app, ["--home", str(home), "demo"])  # a second run adds a second demo log
    assert again.exit_code == 0, again.output
    assert len(ledger.origins()) == 2
