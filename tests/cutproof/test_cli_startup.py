"""The CLI starts light: what a command imports, and the static command tables against the modules they name.

No timing here (bench/cli.py measures start-up); these checks are deterministic: a fresh interpreter runs one
command and reports the modules it loaded, so a heavy import creeping back into ``cutproof --help`` or a ledger
command fails the suite rather than slowing every call.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
import yaml
from typer.testing import CliRunner

import cutproof.cli
from cutproof.cli._lazy import LazyGroup
from cutproof.cli.main import app
from cutproof.core.projects import create_project
from cutproof.core.workspace import Workspace
from tests._support.cli_probe import PROBE

REPO = Path(__file__).resolve().parents[2]
ORIGIN = "cutproof.local/startup-film"

# Never needed to start the CLI, list help, or run a ledger, consent, policy or audit command.
HEAVY = frozenset({"torch", "cv2", "scipy", "av", "c2pa", "fastapi", "uvicorn", "sklearn", "numpy", "ray"})


def loaded_by(tmp_path: Path, *args: str, home: Path | None = None, stdin: bytes = b"") -> set[str]:
    """The modules a fresh ``cutproof ARGS`` process imports (it must exit 0)."""
    return set(probed(tmp_path, *args, home=home, stdin=stdin)["modules"])


def probed(tmp_path: Path, *args: str, home: Path | None = None, stdin: bytes = b"") -> dict:
    """What ``tests._support.cli_probe`` reports of a fresh ``cutproof ARGS`` process (it must exit 0)."""
    out = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    env |= {"CUTPROOF_HOME": str(home or tmp_path / "no-workspace"), "CUTPROOF_PROJECT": "startup-film"}
    env.pop("CUTPROOF_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args], input=stdin, capture_output=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    report = json.loads(out.read_text())
    assert report["code"] == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return report


def heavy(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules} & HEAVY


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("ledger", "--help"),
        ("ledger", "prove", "--help"),
        ("ledger", "verify-receipt", "--help"),
        ("consent", "--help"),
        ("policy", "--help"),
        ("audit", "--help"),
        ("model", "--help"),
        ("edit", "--help"),
        ("model", "train", "--help"),
    ],
)
def test_help_loads_no_heavy_library(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert heavy(loaded_by(tmp_path, *args)) == set()


def test_root_help_loads_no_command_module_and_no_database_library(tmp_path: Path) -> None:
    loaded = loaded_by(tmp_path, "--help")
    assert {m for m in loaded if m.startswith("cutproof.cli.")} == {
        "cutproof.cli.main",
        "cutproof.cli._lazy",
        "cutproof.cli._app",
        "cutproof.cli._collector",
    }
    # the packages themselves: main's stand-in for pydantic's plugin loader is a name in sys.modules, not pydantic
    assert loaded & {"sqlalchemy", "pydantic", "cryptography", "yaml"} == set()
    assert "pydantic.plugin._loader" in loaded  # the probe does see the stand-in
    organs = ("store", "media", "ledger", "consent", "policies", "editor", "labeler")
    allowed = {*organs, *(f"{o}.errors" for o in organs), "store.blobs"}  # errors for the CLI; the workspace's blobs
    assert {m for m in loaded if m.split(".")[0] in organs} <= allowed


def test_checking_the_shipped_packs_loads_no_yaml_parser(tmp_path: Path) -> None:
    """The shipped packs come parsed ahead of time (``policies._parsed``): ``policy check`` imports no PyYAML."""
    assert "yaml" not in loaded_by(tmp_path, "policy", "check")


def test_the_collector_stays_paused_only_in_a_short_command(tmp_path: Path) -> None:
    """``cutproof.cli._collector``: a short command (a read of policy, consent, ledger …) runs with the cyclic
    collector paused; any other command gets it back before it starts working; the in-process app never pauses it."""
    assert probed(tmp_path, "policy", "check")["gc"] is False
    assert probed(tmp_path, "ledger", "--help")["gc"] is False
    assert probed(tmp_path, "db", "--help")["gc"] is True  # not a short command: resumed by the root callback
    assert probed(tmp_path, "qc", "--help")["gc"] is True
    assert CliRunner().invoke(app, ["policy", "check"]).exit_code == 0 and gc.isenabled()


@pytest.fixture
def small_workspace(workspace: Workspace, tmp_path: Path) -> dict[str, str]:
    """A project with two performers, a grant and a few ledger entries, made through the CLI in this process."""
    create_project(workspace, "startup-film", identity="test")

    def cli(*args: str, stdin: str | None = None) -> str:
        result = CliRunner().invoke(app, ["--home", str(workspace.home), *args], input=stdin)
        assert result.exit_code == 0, (result.output, result.exception)
        return result.stdout

    doc = tmp_path / "consent.txt"
    doc.write_text("separately signed relight consent")
    performer = json.loads(cli("performer", "add", "--name", "Ada Example", "--json"))["performer_id"]
    grant = json.loads(
        cli("consent", "grant", "--performer", performer, "--category", "digital_alteration", "--edit-kind", "relight",
            "--purpose", "continuity", "--use", "Relight scene 1", "--document", str(doc),
            "--valid-from", "2026-01-01", "--json")
    )["grant_id"]  # fmt: skip
    (tmp_path / "entry").write_bytes(CliRunner().invoke(app, ["--home", str(workspace.home), "ledger", "get",
                                                               "--log", ORIGIN, "0"]).stdout_bytes)  # fmt: skip
    (tmp_path / "receipt").write_text(cli("ledger", "prove", "--log", ORIGIN, "0"))
    (tmp_path / "vkeys").write_text(cli("ledger", "vkey", "--log", ORIGIN))
    return {"home": str(workspace.home), "performer": performer, "grant": grant}


def test_ledger_consent_policy_and_audit_runs_load_no_heavy_library(tmp_path: Path, small_workspace: dict) -> None:
    home = Path(small_workspace["home"])
    request = REPO / "policies" / "examples" / "continuity-relight.yaml"
    receipt = [str(tmp_path / "receipt"), "--entry", str(tmp_path / "entry"), "--vkey", str(tmp_path / "vkeys")]
    runs: list[tuple[str, ...]] = [
        ("ledger", "list"),
        ("ledger", "checkpoint", "--log", ORIGIN),
        ("ledger", "vkey", "--log", ORIGIN),
        ("ledger", "get", "--log", ORIGIN, "1"),
        ("ledger", "prove", "--log", ORIGIN, "1"),
        ("ledger", "consistency", "--log", ORIGIN, "1"),
        ("ledger", "verify-receipt", *receipt),
        ("ledger", "fsck"),
        ("ledger", "export-tiles", "--log", ORIGIN, str(tmp_path / "tiles")),
        ("ledger", "create", "cutproof.local/another"),
        ("ledger", "rotate-key", "--log", "cutproof.local/another"),
        ("consent", "show"),
        ("consent", "show", "--json"),
        ("consent", "history", small_workspace["grant"]),
        (
            "consent",
            "covers",
            "--performer",
            small_workspace["performer"],
            "--edit-kind",
            "relight",
            "--purpose",
            "continuity",
            "--at",
            "2026-06-01",
        ),
        ("consent", "check"),
        ("performer", "list"),
        ("policy", "check"),
        ("policy", "evaluate", str(request)),
        ("audit", "--format", "json", "--out", "-"),
        ("audit",),
    ]
    for args in runs:
        loaded = loaded_by(tmp_path, *args, home=home)
        assert heavy(loaded) == set(), args
        if args[0] in ("ledger", "consent", "performer", "audit"):  # on the embedded SQLite file: plain SQL on the
            assert {"sqlalchemy", "sqlmodel"} & {m.split(".")[0] for m in loaded} == set(), args  # stdlib's driver
        if args[0] in ("consent", "performer", "policy", "audit"):  # plain text and tables (cutproof.cli._plain)
            assert "rich" not in {m.split(".")[0] for m in loaded}, args
    appended = loaded_by(
        tmp_path, "ledger", "append", "--log", "cutproof.local/another", home=home, stdin=b'{"kind": "note/1"}\n'
    )  # a log of its own: a project's log holds only Cutproof's records
    assert heavy(appended) == set() and "sqlalchemy" not in {m.split(".")[0] for m in appended}
    revoked = loaded_by(tmp_path, "consent", "revoke", small_workspace["grant"], "--reason", "withdrawn", home=home)
    assert heavy(revoked) == set() and "sqlalchemy" not in {m.split(".")[0] for m in revoked}  # a write, too


def test_database_and_rich_load_only_where_used(tmp_path: Path, small_workspace: dict) -> None:
    """``verify-receipt`` (offline) and ``ledger --help`` open no database; the ledger's plain text needs no Rich; a
    ledger command on the embedded SQLite file reads it with the standard library's driver, without SQLAlchemy."""
    home = Path(small_workspace["home"])
    receipt = [str(tmp_path / "receipt"), "--entry", str(tmp_path / "entry"), "--vkey", str(tmp_path / "vkeys")]
    offline = loaded_by(tmp_path, "ledger", "verify-receipt", *receipt)
    assert {"sqlalchemy", "rich"} & {m.split(".")[0] for m in offline} == set()
    assert "sqlalchemy" not in loaded_by(tmp_path, "ledger", "--help")
    proved = {m.split(".")[0] for m in loaded_by(tmp_path, "ledger", "prove", "--log", ORIGIN, "0", home=home)}
    assert "sqlite3" in proved and "rich" not in proved  # the probe does see what a command uses
    assert "sqlalchemy" not in proved


def test_json_output_loads_no_rich_and_row_reads_open_no_ledger(tmp_path: Path, small_workspace: dict) -> None:
    """``--json`` output is plain text (no Rich); a consent state or history printed from the registry's rows opens
    no ledger (its signing and proof code, cryptography with it) while receipts do; ``policy evaluate --project``
    reads the registry as the ``consent`` commands do, without SQLAlchemy."""
    home = Path(small_workspace["home"])
    request = yaml.safe_load((REPO / "policies" / "examples" / "continuity-relight.yaml").read_text())
    del request["consent"]  # the state then comes from the project's registry
    request["request"]["project"]["name"] = "startup-film"
    request["request"]["performers"] = request["request"]["detected_performers"] = [small_workspace["performer"]]
    (tmp_path / "request.yaml").write_text(yaml.safe_dump(request))
    evaluate = ("policy", "evaluate", str(tmp_path / "request.yaml"), "--project", "startup-film")

    def top(*args: str) -> set[str]:
        return {m.split(".")[0] for m in loaded_by(tmp_path, *args, home=home)}

    for args in [("consent", "show", "--json"), ("performer", "list", "--json"), ("policy", "check", "--json")]:
        assert "rich" not in top(*args), args
    evaluated = top(*evaluate, "--json")
    assert "rich" not in evaluated and "sqlalchemy" not in evaluated and "consent" in evaluated
    for args in [("consent", "show"), ("consent", "history", small_workspace["grant"]), ("performer", "list")]:
        loaded = loaded_by(tmp_path, *args, home=home)
        assert "cutproof.cli._plain" in loaded and {"rich", "ledger.log", "cryptography"} & loaded == set(), args
    assert {"ledger.log", "cryptography"} <= loaded_by(tmp_path, "consent", "show", "--json", home=home)  # receipts


# --- the static tables against the modules -------------------------------------------------------------------
def lazy_groups() -> list[tuple[tuple[str, ...], LazyGroup]]:
    """Every lazy group of the CLI with its command path, found by loading every table entry."""
    found: list[tuple[tuple[str, ...], LazyGroup]] = []

    def walk(path: tuple[str, ...], group: object) -> None:
        if isinstance(group, LazyGroup):
            found.append((path, group))
            for entry in group.table:
                walk((*path, entry.name), entry.load())

    walk((), typer.main.get_command(app))
    return found


def rendered_help(group: LazyGroup, path: tuple[str, ...]) -> str:
    ctx = typer.Context(group, info_name=" ".join(["cutproof", *path]), terminal_width=120, max_content_width=120)
    return group.get_help(ctx)


GROUPS = [(), ("policy",), ("performer",), ("consent",), ("model",), ("model", "train"), ("edit",)]


def test_every_lazy_group_is_reached() -> None:
    assert [path for path, _ in lazy_groups()] == GROUPS


@pytest.mark.parametrize("path", GROUPS, ids=" ".join)
def test_table_help_is_the_commands_own(path: tuple[str, ...]) -> None:
    """Help listed from the table, without importing, is byte for byte the help listed from the loaded commands."""
    group = dict(lazy_groups())[path]
    from_table = rendered_help(group, path)
    for name in group.list_commands(typer.Context(group)):
        group.commands[name]  # load it: the help below lists the real commands
    assert rendered_help(group, path) == from_table
    for entry in group.table:
        command = group.commands[entry.name]
        assert command.name == entry.name
        first_paragraph = (command.short_help or command.help or "").split("\n\n")[0]
        assert " ".join(first_paragraph.split()) == entry.help, entry.name


def test_every_command_app_of_the_cli_is_in_a_table() -> None:
    """A Typer app a CLI module declares is a table entry or a sub-group of another app (none is left out)."""
    targets = {entry.target for _, group in lazy_groups() for entry in group.table}
    declared: dict[str, typer.Typer] = {}
    for info in pkgutil.iter_modules(cutproof.cli.__path__):
        module = importlib.import_module(f"cutproof.cli.{info.name}")
        declared |= {f"{module.__name__}:{k}": v for k, v in vars(module).items() if isinstance(v, typer.Typer)}
    sub_groups = {id(group.typer_instance) for value in declared.values() for group in value.registered_groups}
    top = {name for name, value in declared.items() if id(value) not in sub_groups and value is not app}
    assert top <= targets, top - targets


def test_unknown_command_suggests_from_the_table() -> None:
    result = CliRunner().invoke(app, ["ledgr"])
    assert result.exit_code == 2
    assert "Did you mean 'ledger'?" in result.output


def test_no_cli_module_imports_another_command_module() -> None:
    """Command modules share helpers (``_common``, ``_project``, ``_lazy``), never each other."""
    cli_dir = REPO / "cutproof" / "cli"
    commands = {p.stem for p in cli_dir.glob("*.py") if not p.stem.startswith("_")}
    for path in cli_dir.glob("*.py"):
        text = path.read_text()
        for other in commands - {path.stem}:
            assert f"cutproof.cli.{other} import" not in text and f"from cutproof.cli import {other}" not in text, (
                path.name,
                other,
            )
