"""The `cutproof ledger` CLI contract: outputs, exit codes, every bad-input case."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.core.workspace import Workspace
from ledger.merkle import EMPTY_ROOT, leaf_hash

ORIGIN = "cutproof.local/cli-film"
REPO = Path(__file__).resolve().parents[2]


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | bytes | None = None, code: int = 0):  # type: ignore[no-untyped-def]
        result = self.runner.invoke(app, ["--home", str(self.home), *args], input=input)
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result


@pytest.fixture
def cli(workspace: Workspace) -> Cli:
    c = Cli(workspace.home)
    c("ledger", "create", ORIGIN)
    return c


def test_append_and_read_back(cli: Cli, tmp_path: Path) -> None:
    out = cli(
        "ledger", "append", "--log", ORIGIN, "--identity", "cli:test", input='{"kind":"a/1","x":1}\n\n{"kind":"b/1"}\n'
    )
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert [x["index"] for x in lines] == [0, 1]
    got = cli("ledger", "get", "--log", ORIGIN, "0").stdout_bytes
    assert json.loads(got)["ledger"]["identity"] == "cli:test"
    assert lines[0]["leaf_hash"] == leaf_hash(got).hex()
    cp = cli("ledger", "checkpoint", "--log", ORIGIN).stdout
    assert cp.startswith(f"{ORIGIN}\n2\n") and "\n\n— " in cp
    vkeys = cli("ledger", "vkey", "--log", ORIGIN).stdout
    assert vkeys.startswith(ORIGIN + "+") and vkeys.count("\n") == 1
    receipt = cli("ledger", "prove", "--log", ORIGIN, "0").stdout
    assert receipt.startswith("c2sp.org/tlog-proof@v1\nindex 0\n")
    (tmp_path / "r.tlog-proof").write_text(receipt)
    (tmp_path / "e").write_bytes(got)
    (tmp_path / "vk").write_text(vkeys)
    ok = cli("ledger", "verify-receipt", str(tmp_path / "r.tlog-proof"), "--entry", str(tmp_path / "e"),
             "--vkey", vkeys.strip())  # fmt: skip
    assert ok.stdout == f"valid: entry 0 is in {ORIGIN} at tree size 2\n"
    cli("ledger", "verify-receipt", str(tmp_path / "r.tlog-proof"), "--entry", str(tmp_path / "e"),
        "--vkey", str(tmp_path / "vk"))  # fmt: skip
    (tmp_path / "e2").write_bytes(cli("ledger", "get", "--log", ORIGIN, "1").stdout_bytes)
    bad = cli("ledger", "verify-receipt", str(tmp_path / "r.tlog-proof"), "--entry", str(tmp_path / "e2"),
              "--vkey", vkeys.strip(), code=1)  # fmt: skip
    assert "invalid receipt: inclusion proof" in bad.stderr and bad.stderr.count("\n") == 1
    (tmp_path / "t.tlog-proof").write_text(receipt.replace("index 0", "index 1"))
    cli("ledger", "verify-receipt", str(tmp_path / "t.tlog-proof"), "--entry", str(tmp_path / "e"),
        "--vkey", vkeys.strip(), code=1)  # fmt: skip
    assert cli("ledger", "consistency", "--log", ORIGIN, "1").stdout.count("\n") == 1
    assert cli("ledger", "consistency", "--log", ORIGIN, "0", "2").stdout == ""
    assert cli("ledger", "list").stdout == f"{ORIGIN}\t2\n"
    assert cli("ledger", "fsck").stdout.startswith(f"ok\t{ORIGIN}\tsize 2")
    cli("ledger", "export-tiles", "--log", ORIGIN, str(tmp_path / "static"))
    assert (tmp_path / "static" / "tile" / "0" / "000.p" / "2").read_bytes() == bytes.fromhex(
        lines[0]["leaf_hash"] + lines[1]["leaf_hash"]
    )
    new = cli("ledger", "rotate-key", "--log", ORIGIN).stdout.strip()
    assert cli("ledger", "vkey", "--log", ORIGIN).stdout.splitlines() == [vkeys.strip(), new]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ('{"kind":"a/1"}\nnot json\n', "line 2: not valid JSON"),
        ('{"kind":"a/1"}\n[1,2]\n', "line 2: expected a JSON object, got list"),
        ('{"kind":"a/1"}\n\n{"x":1}\n', 'line 3: an entry needs a "kind"'),
        ('{"kind":"a/1","ledger":{}}\n', 'line 1: the top-level key "ledger" is reserved'),
        ('{"kind":"a/1","b":"' + "x" * 66000 + '"}\n', "line 1: canonical form is"),
        ('{"kind":"a/1","n":NaN}\n', "line 1: not valid JSON"),
        ('{"kind":"a/1","k":1,"k":2}\n', "line 1: not valid JSON (duplicate key 'k')"),
        ("\n\n", "no entries on stdin"),
    ],
)
def test_append_bad_input_writes_nothing(cli: Cli, stdin: str, message: str) -> None:
    before = cli("ledger", "checkpoint", "--log", ORIGIN).stdout
    result = cli("ledger", "append", "--log", ORIGIN, input=stdin, code=2)
    assert message in result.stderr and result.stderr.count("\n") == 1 and result.stdout == ""
    assert cli("ledger", "checkpoint", "--log", ORIGIN).stdout == before


def test_append_rejects_non_utf8(cli: Cli) -> None:
    result = cli("ledger", "append", "--log", ORIGIN, input=b'{"kind":"\xff"}\n', code=2)
    assert "not UTF-8" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["get", "--log", "cutproof.local/nope", "0"], "no log 'cutproof.local/nope'"),
        (["get", "--log", ORIGIN, "0"], "no entry 0"),
        (["prove", "--log", ORIGIN, "0"], "no entry 0"),
        (["prove", "--log", ORIGIN, "0", "--size", "5"], "beyond"),
        (["consistency", "--log", ORIGIN, "3"], "need 0 <= old <= new <= 0"),
        (["create", ORIGIN], "already exists"),
        (["create", "bad origin"], "invalid log origin"),
        (["checkpoint", "--log", "x"], "no log 'x'"),
        (["export-tiles", "--log", "x", "/tmp/never"], "no log 'x'"),
        (["fsck", "--log", "x"], "no log 'x'"),
    ],
)
def test_bad_requests(cli: Cli, args: list[str], message: str) -> None:
    result = cli("ledger", *args, code=2)
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_verify_receipt_bad_inputs(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "e").write_bytes(b"{}")
    missing = cli("ledger", "verify-receipt", str(tmp_path / "nope"), "--entry", str(tmp_path / "e"), "--vkey", "x",
                  code=2)  # fmt: skip
    assert "cannot read" in missing.stderr
    (tmp_path / "r").write_text(
        "c2sp.org/tlog-proof@v1\nindex 0\n\n" + cli("ledger", "checkpoint", "--log", ORIGIN).stdout
    )
    bad_key = cli("ledger", "verify-receipt", str(tmp_path / "r"), "--entry", str(tmp_path / "e"),
                  "--vkey", "nonsense+1+2", code=2)  # fmt: skip
    assert "--vkey" in bad_key.stderr
    vk = cli("ledger", "vkey", "--log", ORIGIN).stdout.strip()
    out = cli("ledger", "verify-receipt", str(tmp_path / "r"), "--entry", str(tmp_path / "e"), "--vkey", vk, code=1)
    assert "leaf index 0 is not in a tree of size 0" in out.stderr
    assert base64.b64encode(EMPTY_ROOT).decode() in cli("ledger", "checkpoint", "--log", ORIGIN).stdout


def test_uninitialised_workspace(tmp_path: Path) -> None:
    result = Cli(tmp_path / "none")("ledger", "list", code=2)
    assert "cutproof" in result.stderr and "init" in result.stderr


def test_fsck_exit_1_on_corruption(cli: Cli, workspace: Workspace) -> None:
    cli("ledger", "append", "--log", ORIGIN, input='{"kind":"a/1"}\n{"kind":"a/1"}\n')
    from sqlalchemy import text

    with workspace.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_entries SET data=:d WHERE idx=1"), {"d": b'{"kind":"b/1"}'})
    result = cli("ledger", "fsck", code=1)
    assert result.stdout.startswith(f"CORRUPT\t{ORIGIN}\tledger_tiles: tile tile/0/000.p/2 hash #1".replace(".p/2", ""))
    assert "ledger_entries index 1" in result.stdout


def test_real_process_round_trip(cli: Cli) -> None:
    """The CLI as auditors run it: a real process, stdin/stdout bytes."""
    cmd = [sys.executable, "-m", "cutproof", "--home", str(cli.home), "ledger"]
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([*cmd, "append", "--log", ORIGIN], input=b'{"kind":"a/1"}\n', capture_output=True,
                          env=env, cwd=REPO, check=True)  # fmt: skip
    assert json.loads(done.stdout)["index"] == 0
    got = subprocess.run([*cmd, "get", "--log", ORIGIN, "0"], capture_output=True, env=env, cwd=REPO, check=True)
    assert leaf_hash(got.stdout).hex() == json.loads(done.stdout)["leaf_hash"]
    bad = subprocess.run([*cmd, "get", "--log", ORIGIN, "9"], capture_output=True, env=env, cwd=REPO)
    assert bad.returncode == 2 and bad.stderr.decode().count("\n") == 1


def test_append_to_a_projects_log_is_refused(cli: Cli) -> None:
    """A project's log holds only what Cutproof's commands write after their checks: a raw entry there — even a
    well-formed consent record that never went through the registry — is refused, and nothing is written."""
    cli("project", "create", "raw-film", "--name", "Raw Film")
    origin = "cutproof.local/raw-film"
    before = cli("ledger", "checkpoint", "--log", origin).stdout
    forged = json.dumps({"kind": "consent.granted/1", "grant_id": "cg_forged"}) + "\n"
    result = cli("ledger", "append", "--log", origin, input=forged, code=2)
    assert "is the log of project 'raw-film'" in result.stderr and "nothing was appended" in result.stderr
    assert cli("ledger", "checkpoint", "--log", origin).stdout == before
