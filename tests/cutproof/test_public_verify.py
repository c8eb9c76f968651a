"""``POST /api/v1/verify``: anyone may ask whether a file carries Cutproof marks — no token, a size cap, a rate
limit per address, and an answer of public facts only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cutproof.api.app import create_app
from cutproof.api.routes import verify as verify_route
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from tests._support.qc_scenario import PERFORMER_NAME, Scenario, build
from tests._support.video import make_clip

SECRET = "s" * 40


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    d = tmp_path_factory.mktemp("pv")
    ws = Workspace(d / "home")
    ws.init()
    render = make_clip(d / "render.mp4", seconds=1, size=(320, 180))
    (d / "out").mkdir()
    return build(ws, render, d / "out", disclosure=())


def _client(ws: Workspace, **settings: object) -> TestClient:
    verify_route.LIMITER = verify_route._RateLimiter()  # a fresh window per test
    return TestClient(create_app(Settings(home=ws.home, secret_key=SECRET, **settings), ws, run_workers=False))


def test_anyone_learns_the_public_facts_and_nothing_private(scenario: Scenario) -> None:
    client = _client(scenario.ws)
    body = scenario.result.path.read_bytes()
    res = client.post("/api/v1/verify", content=body, headers={"X-Filename": "found-online.mp4"})
    assert res.status_code == 200, res.text
    answer = res.json()
    assert answer["carries_cutproof_marks"] and answer["file"] == "found-online.mp4"
    assert answer["origin"] == scenario.log.origin and answer["edit_index"] == scenario.edit_index
    assert answer["receipt"] and {e["action"] for e in answer["edits"]} >= {"c2pa.edited"}
    for private in (PERFORMER_NAME, "perf-1", "g-1", "consent"):
        assert private not in res.text
    assert not list(scenario.ws.home.glob(".verify-*"))  # nothing of the file is kept


def test_size_cap_and_rate_limit(scenario: Scenario, tmp_path: Path) -> None:
    client = _client(scenario.ws, verify_max_bytes=1000, verify_per_minute=2)
    big = client.post("/api/v1/verify", content=b"x" * 5000, headers={"X-Filename": "big.mp4"})
    assert big.status_code == 413
    other = make_clip(tmp_path / "o.mp4", seconds=1, size=(64, 48), audio=False)
    small = client.post("/api/v1/verify", content=other.read_bytes()[:900], headers={"X-Filename": "o.mp4"})
    assert small.status_code == 422  # a truncated file: nothing could be checked, said as such
    limited = client.post("/api/v1/verify", content=b"x", headers={"X-Filename": "o.mp4"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert not list(scenario.ws.home.glob(".verify-*"))


def test_a_file_without_a_video_name_is_refused(scenario: Scenario) -> None:
    res = _client(scenario.ws).post("/api/v1/verify", content=b"abc", headers={"X-Filename": "notes.txt"})
    assert res.status_code == 422 and "video" in res.json()["detail"]


def _console(ws: Workspace) -> TestClient:
    from cutproof.console import create_app as create_console_app

    verify_route.LIMITER = verify_route._RateLimiter()
    return TestClient(create_console_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False))


def _form_token(page: str) -> str:
    marker = 'name="csrf_token" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_the_console_verify_page_needs_no_account_and_shows_only_public_facts(
    scenario: Scenario, tmp_path: Path
) -> None:
    client = _console(scenario.ws)
    page = client.get("/console/verify")
    assert page.status_code == 200 and "Check a file for Cutproof marks" in page.text  # no sign-in
    body = scenario.result.path.read_bytes()
    forged = client.post("/console/verify", data={"csrf_token": "forged"}, files={"file": ("x.mp4", body)})
    assert forged.status_code == 403  # a form not sent by this page
    res = client.post(
        "/console/verify", data={"csrf_token": _form_token(page.text)}, files={"file": ("found-online.mp4", body)}
    )
    assert res.status_code == 200, res.text
    assert "Carries Cutproof marks" in res.text and scenario.log.origin in res.text
    for private in (PERFORMER_NAME, "perf-1", "g-1"):
        assert private not in res.text
    plain = make_clip(tmp_path / "plain.mp4", seconds=1, size=(320, 180), seed=7)  # other footage, never labelled
    again = client.get("/console/verify")
    res = client.post(
        "/console/verify",
        data={"csrf_token": _form_token(again.text)},
        files={"file": ("plain.mp4", plain.read_bytes())},
    )
    assert res.status_code == 200 and "No Cutproof marks found" in res.text
    bad = client.post(  # each answer is a fresh form with a fresh token
        "/console/verify", data={"csrf_token": _form_token(res.text)}, files={"file": ("notes.txt", b"hello")}
    )
    assert bad.status_code == 422 and "is not named as a video" in bad.text
    assert not list(scenario.ws.home.glob(".verify-*"))  # nothing of any file is kept
