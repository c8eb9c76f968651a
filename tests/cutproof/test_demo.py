"""`cutproof demo` runs end to end in a fresh workspace and everything it shows verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.core.projects import open_ledger
from cutproof.core.workspace import Workspace
from cutproof.demo.run import run_demo
from ledger import verify_receipt
from ledger.fsck import fsck


def test_ledger_tour_leaves_verifiable_artifacts(tmp_path: Path) -> None:
    home = tmp_path / "demo"
    result = CliRunner().invoke(app, ["--home", str(home), "demo", "--ledger-only"])
    assert result.exit_code == 0, result.output
    assert "tampered entry rejected" in result.output and "fsck: clean" in result.output
    ws = Workspace(home)
    ledger = open_ledger(ws)
    [origin] = ledger.origins()
    log = ledger.open_log(origin)
    [receipt] = (home / "receipts").glob("*.tlog-proof")
    entry = receipt.with_suffix(".json").read_bytes()
    assert verify_receipt(receipt.read_text(), entry, log.verifier_keys()).origin == origin
    assert all(r.ok for r in fsck(ws.engine))
    assert (home / "tiles" / origin.replace("/", "_") / "checkpoint").is_file()


def _check(result_home: Path, result) -> None:  # type: ignore[no-untyped-def]
    assert result.outcomes["allowed"] == "allow"
    assert result.outcomes["denied"] == "deny"
    assert result.deliverables and all(p.is_file() for p in result.deliverables)
    assert all(v.startswith("pass") for k, v in result.qc.items() if not k.startswith(("tampered", "metadata")))
    assert result.qc["tampered copy (one byte flipped)"] == "fail"
    assert result.qc["metadata stripped + H.264 CRF 28 transcode"] == "pass (watermark)"
    assert result.audit_html is not None and "receipts/" in result.audit_html.read_text()
    assert result.time_stamps >= len(result.deliverables)  # every claim signature was time-stamped
    if "review" in result.outcomes:  # legal answered "a deep fake": the approved EU edit ships with its disclosure
        assert result.review_obligations is not None
        owed = set(result.review_obligations["disclosure"])
        assert owed == {"end_credit", "sidecar"}  # evidently artistic: the limited form
        reviewed = next(p for p in result.deliverables if "relight" in p.name)
        assert owed <= set(result.disclosures[reviewed.name])
    assert all(r.ok for r in fsck(Workspace(result_home).engine))


def test_full_demo_on_generated_footage(tmp_path: Path) -> None:
    """The whole path on footage the demo generates (fast); the real-footage run is the slow test below."""
    result = run_demo(tmp_path / "demo", footage=tmp_path / "no-footage-here", train_steps=20)
    assert not result.used_real_footage
    _check(tmp_path / "demo", result)


@pytest.mark.slow
def test_full_demo_on_shared_footage(tmp_path: Path, footage_dir: Path) -> None:
    result = run_demo(tmp_path / "demo", footage=footage_dir)
    assert result.used_real_footage
    assert result.outcomes["review"] == "review"
    _check(tmp_path / "demo", result)
    # Each decision for the right reason: the cast model identified the performer in every edited region ...
    cast = result.models["cast"]
    for label in ("allowed", "denied", "review"):
        p = result.presence[label]
        assert len(p["detected"]) == 1 and p["unidentified_faces"] == 0 and cast[:12] in p["method"], (label, p)
    # ... the consenting one is allowed by their grant, the other denied for lack of one, and the review is a
    # policy question (the requester's "not a deep fake", which legal answers), not an unknown face.
    assert "sag2023.alteration.consented" in result.reasons["allowed"]
    assert result.reasons["denied"] == ["sag2023.alteration.consent-required"]
    assert result.reasons["review"] == ["eu.art50.4.not-deep-fake-claimed"]
    assert len({result.presence[k]["detected"][0] for k in ("allowed", "denied", "review")}) == 3
