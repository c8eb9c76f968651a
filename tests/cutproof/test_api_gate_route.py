"""The gate's hot path (``cutproof.api.gate_route``) answers every edit submission exactly as the FastAPI route
it stands in front of: the same requests, good and bad, go to an app with it and to one without it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cutproof.api import create_app
from cutproof.api.gate_route import GateRoute
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from tests._support.gated_project import background_edit, setup_gated_project

SECRET = "gate-route-" + "s" * 32
EDITS = "/api/v1/projects/{}/edits"
HANDED_OVER = {  # what the gate route leaves to the FastAPI route (everything else it answers itself)
    "project slug too long",
    "not JSON",
    "not UTF-8",
    "a JSON list",
    "unknown field",
    # "missing field, no token": refused 401 before the body is read (``cutproof.api.admission``), by both apps
    "text/plain body",
    "chunked body",
}
VOLATILE = ("request_id", "decision_index", "job_id")  # differ from one decision to the next by design


@pytest.fixture
def pair(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> Iterator[tuple[TestClient, TestClient, dict]]:
    s = setup_gated_project(workspace, footage_dir, tmp_path, secret=SECRET, users=(("ed", "editor"), ("lee", "legal")))
    settings = Settings(home=workspace.home, secret_key=SECRET)
    fast = create_app(settings, workspace, run_workers=False)
    plain = create_app(settings, workspace, run_workers=False, gate_route=False)
    assert isinstance(fast.router.routes[0], GateRoute)
    assert not any(isinstance(r, GateRoute) for r in plain.router.routes)
    with TestClient(fast) as f, TestClient(plain) as p:
        yield f, p, s


def _answer(client: TestClient, **request: Any) -> tuple[int, Any, str | None]:
    r = client.post(**request)
    body = r.json()
    if r.status_code == 201:
        assert all(body.pop(k, "missing") != "missing" for k in VOLATILE), body
    return r.status_code, body, r.headers.get("www-authenticate")


def _cases(s: dict[str, str]) -> dict[str, dict[str, Any]]:
    ed = {"Authorization": f"Bearer {s['ed']}"}
    good = background_edit(s)
    raw = json.dumps(good)
    return {
        "decided": {"url": EDITS.format("film"), "json": good, "headers": ed},
        "a purpose no grant covers": {
            "url": EDITS.format("film"),
            "json": {**good, "purpose": "performance_change"},
            "headers": ed,
        },
        "json with a charset": {
            "url": EDITS.format("film"),
            "content": raw,
            "headers": {**ed, "Content-Type": "application/json; charset=utf-8"},
        },
        "no token": {"url": EDITS.format("film"), "json": good},
        "not a bearer token": {"url": EDITS.format("film"), "json": good, "headers": {"Authorization": "Basic eDp5"}},
        "unknown token": {"url": EDITS.format("film"), "json": good, "headers": {"Authorization": "Bearer cp_x_y"}},
        "legal user, not an editor": {
            "url": EDITS.format("film"),
            "json": good,
            "headers": {"Authorization": f"Bearer {s['lee']}"},
        },
        "no such project": {"url": EDITS.format("other"), "json": good, "headers": ed},
        "project slug too long": {"url": EDITS.format("p" * 64), "json": good, "headers": ed},
        "unknown shot": {"url": EDITS.format("film"), "json": {**good, "shot": "nope"}, "headers": ed},
        "unregistered performer": {
            "url": EDITS.format("film"),
            "json": {**good, "performers": ["prf_" + "0" * 32]},
            "headers": ed,
        },
        "region outside the frame": {
            "url": EDITS.format("film"),
            "json": {**good, "region": "0,0,9999,9999"},
            "headers": ed,
        },
        "not JSON": {
            "url": EDITS.format("film"),
            "content": b"{not json",
            "headers": {**ed, "Content-Type": "application/json"},
        },
        "not UTF-8": {
            "url": EDITS.format("film"),
            "content": b'{"shot": "\xff"}',
            "headers": {**ed, "Content-Type": "application/json"},
        },
        "a JSON list": {"url": EDITS.format("film"), "json": [good], "headers": ed},
        "unknown field": {"url": EDITS.format("film"), "json": {**good, "extra": 1}, "headers": ed},
        "missing field, no token": {"url": EDITS.format("film"), "json": {"kind": "background"}},
        "text/plain body": {
            "url": EDITS.format("film"),
            "content": raw,
            "headers": {**ed, "Content-Type": "text/plain"},
        },
        "chunked body": {
            "url": EDITS.format("film"),
            "content": iter([raw[:10].encode(), raw[10:].encode()]),
            "headers": {**ed, "Content-Type": "application/json"},
        },
    }


def test_every_answer_is_the_fastapi_routes_answer(
    pair: tuple[TestClient, TestClient, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, plain, s = pair
    handed: list[str] = []
    hand_over = GateRoute._hand_over

    async def spy(scope: Any, receive: Any, send: Any, body: Any) -> None:
        handed.append(scope["path"])
        await hand_over(scope, receive, send, body)

    monkeypatch.setattr(GateRoute, "_hand_over", staticmethod(spy))
    for name in _cases(s):
        handed.clear()
        mine = _answer(fast, **_cases(s)[name])  # fresh requests each time: a chunked body's iterator is spent
        assert bool(handed) == (name in HANDED_OVER), (name, handed)
        assert mine == _answer(plain, **_cases(s)[name]), name


def test_outcomes_of_the_good_requests(pair: tuple[TestClient, TestClient, dict]) -> None:
    fast, _plain, s = pair
    ed = {"Authorization": f"Bearer {s['ed']}"}
    r = fast.post(EDITS.format("film"), json=background_edit(s), headers=ed)
    assert r.status_code == 201 and r.headers["content-type"] == "application/json"
    assert r.json()["outcome"] in ("allow", "review", "deny")
    assert len(r.json()["request_id"]) == 32
    # what the gate route answers is what was recorded
    got = fast.get(f"{EDITS.format('film')}/{r.json()['request_id']}", headers=ed)
    assert got.status_code == 200 and got.json()["decision_index"] == r.json()["decision_index"]
