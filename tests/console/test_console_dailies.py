"""Dailies from the browser: camera files uploaded on the Shots page are ingested as ``POST /uploads`` + ``POST
/dailies`` do; each file's outcome is shown, a rejected one with its reason and nothing catalogued."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cutproof.console import create_app
from cutproof.core.projects import get_project, project_log
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from editor import Catalogue
from tests._support.gated_project import gated_workspace
from tests.console.test_console_access import csrf_of, sign_in

SECRET = "console-dailies-" + "d" * 32
SHOTS = "/console/p/film/shots"
CREMA = "crema-d_1001_DFA_NEU_XX.flv"


@pytest.fixture
def world(tmp_path: Path, footage_dir: Path) -> dict[str, Any]:
    ws, s = gated_workspace(tmp_path, footage_dir, secret=SECRET)
    app = create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    return {"ws": ws, "ed": sign_in(TestClient(app), s["ed"]), "lee": sign_in(TestClient(app), s["lee"])}


def _upload(client: TestClient, files: list[tuple[str, bytes]]) -> Any:
    return client.post(
        "/console/p/film/dailies",
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
        headers={"X-CSRF-Token": csrf_of(client, SHOTS)},
    )


def _names(ws: Workspace) -> set[str]:
    return {c.path.name for c in Catalogue(ws.engine).list(project="film")}


def test_an_editor_ingests_camera_files_from_the_shots_page(world: dict[str, Any], footage_dir: Path) -> None:
    ws = world["ws"]
    log = project_log(ws, get_project(ws, "film"))
    size = log.size()
    assert 'aria-label="Add dailies"' in world["ed"].get(SHOTS).text
    assert 'aria-label="Add dailies"' not in world["lee"].get(SHOTS).text  # legal labels, editors ingest
    r = _upload(world["ed"], [(CREMA, (footage_dir / CREMA).read_bytes()), ("A001C003.mov", b"not a camera file")])
    assert r.status_code == 200, r.text
    assert "Ingested just now" in r.text and f">{CREMA}</a>" in r.text
    assert "REJECTED</span> A001C003.mov:" in r.text
    assert CREMA in _names(ws) and "A001C003.mov" not in _names(ws)
    assert log.size() > size  # dailies.ingested/1 recorded for the clip


def test_only_rejected_files_answer_422_with_nothing_catalogued(world: dict[str, Any]) -> None:
    before = _names(world["ws"])
    r = _upload(world["ed"], [("broken.mxf", b"\x06\x0e\x2b\x34 truncated")])
    assert r.status_code == 422 and "REJECTED" in r.text, r.text
    assert _names(world["ws"]) == before
