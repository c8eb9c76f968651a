from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cutproof.cli.main import app
from cutproof.core.errors import WorkspaceError
from cutproof.core.workspace import Workspace


def test_init_creates_layout_and_is_idempotent(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home")
    assert not ws.is_initialised
    assert ws.init() is True
    assert ws.is_initialised
    assert stat.S_IMODE(ws.keys_dir.stat().st_mode) == 0o700
    assert ws.blobs_dir.is_dir()
    assert ws.init() is False


def test_require_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match=r"cutproof .*init"):
        Workspace(tmp_path / "nowhere").require()


def test_cli_init_with_home_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "h"), "init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "h" / "workspace.json").is_file()


def test_sqlite_durability_pragmas(workspace: Workspace) -> None:
    with workspace.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


@pytest.mark.postgres
def test_postgres_workspace(tmp_path: Path, postgres_db: str) -> None:
    ws = Workspace(tmp_path / "home", postgres_db)
    ws.init()
    with ws.engine.connect() as conn:
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
