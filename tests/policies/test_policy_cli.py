"""``cutproof policy check|evaluate`` on the shipped example requests, and its error paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutproof.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "policies" / "examples"
runner = CliRunner()

# example file -> (extra args, exit status, deciding rule)
EXPECTED = {
    "continuity-relight.yaml": ([], 0, "sag2023.alteration.exempt-purpose"),
    "deceased-estate-consent.yaml": ([], 0, "sag2023.deceased.representative-consent"),
    "dialogue-ratings-studio.yaml": ([], 0, "sag2023.alteration.exempt-purpose"),
    "dubbing-after-2027-line.yaml": ([], 3, "sag2026.dubbing.replica-consent-required"),
    "eyeline-unidentified-face.yaml": ([], 4, "core.unidentified-face"),
}


def test_every_example_has_an_expectation() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_examples_decide_as_documented(name: str) -> None:
    extra, status, rule = EXPECTED[name]
    result = runner.invoke(app, ["policy", "evaluate", str(EXAMPLES / name), "--json", *extra])
    assert result.exit_code == status, result.output
    body = json.loads(result.output)
    assert body["schema"] == "policy.decided/1"
    assert rule in {r["rule_id"] for r in body["reasons"] if r["effect"] == body["outcome"]}
    assert len(body["inputs_hash"]) == 64 and len(body["policy_set_hash"]) == 64
    text = runner.invoke(app, ["policy", "evaluate", str(EXAMPLES / name), *extra])
    assert text.exit_code == status
    assert rule in text.output.replace("\n", "").replace(" ", "").replace("│", "") or rule[:12] in text.output
    assert "obligations:" in text.output


def test_studio_pack_added_turns_dialogue_edit_into_review() -> None:
    args = ["policy", "evaluate", str(EXAMPLES / "dialogue-ratings-studio.yaml"), "--json"]
    result = runner.invoke(app, [*args, "--add-pack", "studio-legal-review"])
    assert result.exit_code == 4
    assert "studio.dialogue.legal-review" in {r["rule_id"] for r in json.loads(result.output)["reasons"]}
    only = runner.invoke(app, [*args, "--packs", "studio-legal-review"])
    assert only.exit_code == 4
    assert {p["id"] for p in json.loads(only.output)["packs"]} == {"studio-legal-review"}


def test_check_lists_packs() -> None:
    result = runner.invoke(app, ["policy", "check"])
    assert result.exit_code == 0, result.output
    assert "5 pack(s) valid" in " ".join(result.output.split())
    listed = runner.invoke(app, ["policy", "check", "--rules"])
    assert listed.exit_code == 0 and "Rules" in listed.output and listed.output.count("cutproof-core") >= 4
    body = json.loads(runner.invoke(app, ["policy", "check", "--json"]).output)
    rules = {r["id"]: r for p in body["packs"] for r in p["rules"]}
    assert rules["sag2026.dubbing.replica-consent-required"]["wording"] == "reported"
    assert len(body["policy_set_hash"]) == 64 and len(body["packs"]) == 5
    studio = runner.invoke(app, ["policy", "check", "studio-legal-review"])
    assert studio.exit_code == 0 and "1 pack(s) valid" in " ".join(studio.output.split())


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "cutproof", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_malformed_request_and_pack_exit_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = (EXAMPLES / "continuity-relight.yaml").read_text().replace("kind: relight", "kind: relit")
    bad.write_text(text)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "kind: relit" in ln)
    done = _cli("policy", "evaluate", str(bad))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "request.edit.kind" in done.stderr and f"bad.yaml:{line}:" in done.stderr
    pack = tmp_path / "studio.yaml"
    pack.write_text(
        "schema: cutproof.policy-pack/1\nid: s\ntitle: S\nversion: '1'\nrules:\n  - id: r\n    effect: deny\n"
    )
    done = _cli("policy", "check", str(pack))
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"cutproof: error: invalid policy pack {pack}:6: rules.0.citation: missing required key 'citation'"
    )
