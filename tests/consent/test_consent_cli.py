"""``cutproof performer …`` / ``cutproof consent …`` end to end on a real workspace and ledger."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consent import InvalidRecordError
from cutproof.cli.main import app
from cutproof.core.projects import create_project, get_project, project_log
from cutproof.core.workspace import Workspace
from ledger import verify_receipt

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def home(workspace: Workspace) -> Path:
    create_project(workspace, "night-shift", identity="test")
    return workspace.home


def cli(home: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"CUTPROOF_PROJECT": "night-shift"})
    assert result.exit_code == code, (result.output, result.exception)
    return result.output


def test_performer_grant_revoke_suspend_show_covers(home: Path, tmp_path: Path) -> None:
    doc = tmp_path / "eyeline-consent.pdf"
    doc.write_bytes(b"%PDF-1.7 separately signed eyeline consent")
    p = json.loads(cli(home, "performer", "add", "--name", "Alice Marchetti", "--guild", "SAG-AFTRA",
                       "--guild-id", "SAG-0042", "--representation", "union", "--json"))  # fmt: skip
    pid = p["performer_id"]
    assert [x["name"] for x in json.loads(cli(home, "performer", "list", "--json"))] == ["Alice Marchetti"]
    assert "Marchetti" in cli(home, "performer", "list")
    g = json.loads(
        cli(home, "consent", "grant", "--performer", pid, "--category", "digital_alteration", "--edit-kind", "eyeline",
            "--purpose", "continuity", "--shot", "12A", "--shot", "12B", "--use", "Eyeline to the door in 12A/12B",
            "--document", str(doc), "--valid-from", "2026-03-01", "--valid-until", "2027-03-01", "--law", "US-CA",
            "--json")
    )  # fmt: skip
    assert g["shots"] == ["12A", "12B"] and g["valid_from"] == "2026-03-01T00:00:00Z"

    out = cli(home, "consent", "covers", "--performer", pid, "--edit-kind", "eyeline", "--purpose", "continuity",
              "--shot", "12B", "--at", "2026-04-01")  # fmt: skip
    assert "COVERED" in out and g["grant_id"] in out
    cov = json.loads(
        cli(home, "consent", "covers", "--performer", pid, "--edit-kind", "eyeline", "--purpose", "dubbing",
            "--shot", "12B", "--at", "2026-04-01", "--json", code=3)
    )  # fmt: skip
    assert cov["covered"] is False and "covers purposes continuity, not dubbing" in cov["not_covering"][0]["shortfalls"]

    cli(home, "consent", "revoke", g["grant_id"], "--reason", "withdrawn", "--effective-at", "2026-05-01")
    out = cli(home, "consent", "suspend", "--all", "--reason", "strike", "--start", "2026-07-14")
    sid = out.split(": ")[-1].strip()
    cli(home, "consent", "lift", sid, "--reason", "over", "--end", "2026-08-01")

    shown = json.loads(cli(home, "consent", "show", "--performer", pid, "--at", "2026-04-15", "--json"))
    assert shown["state"]["grants"][0]["revoked_at"] is None
    kinds = [p["kind"] for p in shown["proofs"]]
    assert kinds == ["performer.registered/1", "consent.granted/1", "consent.revoked/1", "consent.suspended/1",
                     "consent.suspension_lifted/1"]  # fmt: skip
    for proof in shown["proofs"]:
        verify_receipt(proof["receipt"], proof["entry"].encode(), shown["verifier_keys"])
    later = json.loads(cli(home, "consent", "show", "--at", "2026-07-20", "--json"))
    assert later["state"]["grants"][0]["revoked_at"] == "2026-05-01T00:00:00Z"
    assert later["state"]["suspensions"][0]["reason"] == "strike"
    table = cli(home, "consent", "show", "--at", "2026-05-02")
    assert "revoked" in table
    history = json.loads(cli(home, "consent", "history", g["grant_id"], "--json"))
    assert [e["kind"] for e in history] == ["granted", "revoked", "suspended", "suspension_lifted"]

    out_doc = tmp_path / "exported.pdf"
    cli(home, "consent", "document", g["document_sha256"], "--out", str(out_doc))
    assert out_doc.read_bytes() == doc.read_bytes()
    assert "OK" in cli(home, "consent", "check")


def test_errors_are_one_line_and_write_nothing(home: Path, tmp_path: Path) -> None:
    """Run the real process: user errors print `cutproof: error: …` and exit 2, leaving the ledger untouched."""
    env = os.environ | {"PYTHONPATH": str(REPO), "CUTPROOF_PROJECT": "night-shift"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cutproof", "--home", str(home), *args],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip

    proc = run("consent", "grant", "--performer", "prf_00000000deadbeef", "--category", "ebdr",
               "--edit-kind", "dialogue", "--purpose", "dubbing", "--use", "x",
               "--document", str(tmp_path / "missing.pdf"))  # fmt: skip
    assert proc.returncode == 2
    assert "cutproof: error: no performer 'prf_00000000deadbeef' in project night-shift" in proc.stderr
    unknown = CliRunner().invoke(app, ["--home", str(home), "consent", "show", "--project", "no-such-film"])
    assert "unknown project 'no-such-film'" in str(unknown.exception)
    bad_time = cli(home, "consent", "show", "--at", "yesterday-ish", code=2)
    assert "not an ISO 8601 date" in " ".join(bad_time.replace("│", " ").split())
    ws = Workspace(home)
    assert project_log(ws, get_project(ws, "night-shift")).size() == 1  # just project.created/1


def test_undecodable_text_is_refused_with_a_message_and_nothing_written(home: Path) -> None:
    """A byte that is not UTF-8 reaches Python's argv as a lone surrogate (``\\udcff``), which has no canonical
    JSON: the command says so and exits 2 (it used to end in a traceback), and the log is untouched."""
    ws = Workspace(home)
    size = project_log(ws, get_project(ws, "night-shift")).size()
    argv = [sys.executable, "-m", "cutproof", "--home", str(home), "consent", "suspend", "--all", "--reason"]
    done = subprocess.run(
        [*map(os.fsencode, argv), b"strike \xff"], capture_output=True, env={**os.environ,
        "CUTPROOF_PROJECT": "night-shift", "PYTHONPATH": str(REPO)}, cwd=REPO, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr.decode(errors="replace")
    assert b"cannot be signed" in done.stderr and b"Traceback" not in done.stderr
    assert project_log(ws, get_project(ws, "night-shift")).size() == size


def test_suspend_needs_exactly_one_target(home: Path) -> None:
    out = cli(home, "consent", "suspend", "--reason", "strike", code=2)
    assert "exactly one of --performer ID or --all" in " ".join(out.replace("│", " ").split())


def test_performer_amend(home: Path, tmp_path: Path) -> None:
    letters = tmp_path / "letters.pdf"
    letters.write_bytes(b"%PDF-1.7 letters testamentary")
    pid = json.loads(cli(home, "performer", "add", "--name", "Harold Okafor", "--json"))["performer_id"]
    cli(home, "performer", "amend", pid, "--reason", "death certificate", "--died-at", "2026-06-10",
        "--representative", "Marguerite Okafor", "--representative-document", str(letters))  # fmt: skip
    (p,) = json.loads(cli(home, "performer", "list", "--json"))
    assert p["deceased"] is True and p["died_at"] == "2026-06-10T00:00:00Z"
    assert p["representative"]["name"] == "Marguerite Okafor"
    again = CliRunner().invoke(
        app, ["--home", str(home), "performer", "amend", pid, "--reason", "again", "--died-at", "2026-06-10"]
    )
    assert isinstance(again.exception, InvalidRecordError) and "nothing to amend" in str(again.exception)
