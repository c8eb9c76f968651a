"""The edit flow through the HTTP API of a real server on loopback (real SQLite file)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from cutproof.core.projects import get_project, project_log
from cutproof.core.workspace import Workspace
from ledger import verify_receipt
from tests._support.gated_project import background_edit, setup_gated_project
from tests._support.server import running_server

SECRET = "e2e-secret-" + "x" * 32


def _setup(ws: Workspace, footage: Path, tmp: Path) -> dict[str, str]:
    return setup_gated_project(ws, footage, tmp, secret=SECRET, slug="film")


def test_submit_review_render_download(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> None:
    s, rid = _flow_through_http(workspace, footage_dir, tmp_path)
    # The console's page of the delivered edit shows what its signed edit entry states the render did.
    from fastapi.testclient import TestClient

    from cutproof.console import create_app
    from cutproof.core.settings import Settings
    from tests.console.test_console_access import sign_in

    console = sign_in(TestClient(create_app(Settings(home=workspace.home, secret_key=SECRET), workspace)), s["ed"])
    page = console.get(f"/console/p/film/edits/{rid}").text
    edit_index = next(
        i
        for i, entry in project_log(workspace, get_project(workspace, "film")).entries()
        if b'"edit.applied/1"' in entry and rid.encode() in entry
    )
    metrics = project_log(workspace, get_project(workspace, "film")).entry_json(edit_index)["result"]["metrics"]
    assert "What the render did" in page and f"ledger/entries/{edit_index}" in page
    assert "clean plate set recovered" in page and str(metrics["clean_plate_set_recovered"]) in page
    assert "Check this edit before you use it" not in page  # no warning was recorded


@pytest.mark.postgres
def test_submit_review_render_download_postgres(postgres_db: str, footage_dir: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home", postgres_db)
    ws.init()
    _flow_through_http(ws, footage_dir, tmp_path, db=postgres_db)


def _flow_through_http(
    workspace: Workspace, footage_dir: Path, tmp_path: Path, db: str | None = None
) -> tuple[dict[str, str], str]:
    s = _setup(workspace, footage_dir, tmp_path)
    with running_server(workspace.home, secret=SECRET, db=db) as base:
        ed = httpx.Client(
            base_url=base + "/api/v1/projects/film", headers={"Authorization": f"Bearer {s['ed']}"}, timeout=60
        )
        lee = httpx.Client(
            base_url=base + "/api/v1/projects/film", headers={"Authorization": f"Bearer {s['lee']}"}, timeout=60
        )
        body = background_edit(s)
        assert lee.post("/edits", json=body).status_code == 403  # legal cannot submit edits
        r = ed.post("/edits", json=body)
        assert r.status_code == 201, r.text
        decision = r.json()
        assert decision["outcome"] == "review" and decision["unidentified_faces"] >= 1
        rid = decision["request_id"]
        assert ed.post(f"/edits/{rid}/review", json={"approve": True, "note": "x"}).status_code == 403
        r = lee.post(f"/edits/{rid}/review", json={"approve": True, "note": "Background only, performer intact"})
        assert r.status_code == 200, r.text
        job_id = r.json()["job_id"]
        deadline = time.monotonic() + 300
        while (job := ed.get(f"/jobs/{job_id}").json())["state"] not in ("succeeded", "failed", "cancelled"):
            assert time.monotonic() < deadline, job
            time.sleep(0.5)
        assert job["state"] == "succeeded", job
        rec = ed.get(f"/edits/{rid}").json()
        assert rec["state"] == "delivered"
        video = ed.get(f"/edits/{rid}/deliverable")
        assert video.status_code == 200 and len(video.content) > 10_000
        receipt = ed.get(f"/edits/{rid}/receipt").text
        entry = ed.get(f"/ledger/entries/{rec['label_index']}").content
        vkeys = ed.get("/ledger/vkeys").text.split()
        assert verify_receipt(receipt, entry, vkeys).index == rec["label_index"]
        # a second review of the same request is a conflict, not a second ledger entry
        assert lee.post(f"/edits/{rid}/review", json={"approve": False, "note": "late"}).status_code == 409
    return s, rid


@pytest.mark.parametrize(
    "bad",
    [
        {"shot": "nope", "kind": "background", "purpose": "continuity"},
        {"shot": "x", "kind": "teleport", "purpose": "continuity"},
        {"shot": "x", "kind": "background", "purpose": "Not A Token"},
    ],
)
def test_bad_submissions_are_4xx_and_write_nothing(
    workspace: Workspace, footage_dir: Path, tmp_path: Path, bad: dict[str, str]
) -> None:
    from fastapi.testclient import TestClient

    from cutproof.api import create_app
    from cutproof.core.settings import Settings

    s = _setup(workspace, footage_dir, tmp_path)
    log = project_log(workspace, get_project(workspace, "film"))
    size = log.size()
    client = TestClient(create_app(Settings(home=workspace.home, secret_key=SECRET), workspace, run_workers=False))
    r = client.post("/api/v1/projects/film/edits", json=bad, headers={"Authorization": f"Bearer {s['ed']}"})
    assert 400 <= r.status_code < 500, r.text
    assert log.size() == size
