"""User text printed by the command line shows literally: never read as Rich markup or emoji codes.

Names, reasons, use descriptions and request ids are the user's (or a file's) text. Printed through a Rich console
as markup, ``[/]`` crashed every listing of the project (``MarkupError``), ``[bold]ma[/]ra`` showed as another
performer (``mara``) and ``:smile:`` became an emoji. These run the real commands, each in its own process (as a
user runs them, with a console made for a wide terminal, so that no table cell is folded), on a real workspace and
ledger.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cutproof.core.projects import create_project
from cutproof.core.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
NAMES = ("Zed [/] Example", "[bold]Ada[/bold]", "Ann :smile: Lee")


@pytest.fixture
def home(workspace: Workspace) -> Path:
    create_project(workspace, "markup-film", identity="test")
    return workspace.home


def cli(home: Path, *args: str, code: int = 0) -> str:
    """``cutproof --home HOME ARGS`` in a fresh process; its standard output (the exit status must be ``code``)."""
    env = os.environ | {"PYTHONPATH": str(REPO), "CUTPROOF_PROJECT": "markup-film", "COLUMNS": "250"}
    env.pop("CUTPROOF_DB", None)  # the workspace's own SQLite file
    done = subprocess.run([sys.executable, "-m", "cutproof", "--home", str(home), *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def test_performer_and_consent_listings_print_names_and_reasons_literally(home: Path, tmp_path: Path) -> None:
    doc = tmp_path / "consent.pdf"
    doc.write_bytes(b"%PDF-1.7 separately signed consent")
    ids = {name: json.loads(cli(home, "performer", "add", "--name", name, "--json"))["performer_id"] for name in NAMES}
    listing = cli(home, "performer", "list")
    for name in NAMES:
        assert name in listing
    assert "😄" not in listing

    zed = ids["Zed [/] Example"]
    use = "Relight [red]the door[/] :smile:"
    g = json.loads(
        cli(home, "consent", "grant", "--performer", zed, "--category", "digital_alteration", "--edit-kind",
            "relight", "--purpose", "continuity", "--use", use, "--shot", "[b]12A", "--document", str(doc),
            "--valid-from", "2026-03-01", "--json")
    )  # fmt: skip
    cli(home, "consent", "revoke", g["grant_id"], "--reason", "[red]withdrawn[/]", "--effective-at", "2026-05-01")
    cli(home, "consent", "suspend", "--all", "--reason", "[/] strike :smile:", "--start", "2026-07-14")

    shown = cli(home, "consent", "show", "--at", "2026-07-20")
    assert "Zed [/] Example" in shown and "shots [b]12A" in shown
    assert "[/] strike :smile:" in shown
    history = cli(home, "consent", "history", g["grant_id"])
    assert "[red]withdrawn[/]" in history

    covers = cli(home, "consent", "covers", "--performer", zed, "--edit-kind", "relight", "--purpose", "continuity",
                 "--shot", "[b]12A", "--at", "2026-04-01")  # fmt: skip
    assert f"covered by {g['grant_id']}" in covers and use in covers and "shot [b]12A" in covers


@pytest.mark.parametrize("performer_id", ["x[/]", "[bold]ma[/]ra", "a :smile: b"])
def test_policy_evaluate_prints_performer_ids_literally(tmp_path: Path, performer_id: str) -> None:
    request = yaml.safe_load((REPO / "policies/examples/continuity-relight.yaml").read_text())
    request["request"]["performers"] = request["request"]["detected_performers"] = [performer_id]
    request["consent"]["performers"][0]["performer_id"] = performer_id
    path = tmp_path / "request.yaml"
    path.write_text(yaml.safe_dump(request))
    out = cli(tmp_path / "home", "policy", "evaluate", str(path))
    assert out.startswith("ALLOW")
    assert f"│ {performer_id} " in out  # the performer column
    assert f"Altering {performer_id}'s recorded" in out
    assert f"relied on: exemption purpose:continuity for {performer_id} [sag2023.alteration.exempt-purpose]" in out
    if performer_id == "[bold]ma[/]ra":
        assert "mara" not in out
