"""The consent routes of the HTTP API (ours and the basics in ``resources``): roles, one ledger entry per write,
status codes, receipts that verify."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cutproof.api import create_app
from cutproof.core import auth
from cutproof.core.projects import create_project, get_project, project_log
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from ledger import verify_receipt

SECRET = "c" * 40
BASE = "/api/v1/projects/film"
Api = tuple[TestClient, dict[str, dict[str, str]]]


@pytest.fixture
def api(workspace: Workspace) -> Api:
    settings = Settings(home=workspace.home, secret_key=SECRET)
    create_project(workspace, "film", identity="t")
    heads = {}
    for user, role in (("lee", "legal"), ("ed", "editor")):
        auth.add_user(workspace.engine, user)
        auth.grant_role(workspace.engine, user, "film", role)
        token = auth.issue_token(workspace.engine, user, pepper=SECRET.encode()).token
        heads[user] = {"Authorization": f"Bearer {token}"}
    return TestClient(create_app(settings, workspace, run_workers=False)), heads


def _upload(client: TestClient, h: dict[str, str], data: bytes) -> str:
    r = client.post(f"{BASE}/uploads", headers=h | {"X-Filename": "signed.pdf"}, content=data)
    assert r.status_code == 201, r.text
    return str(r.json()["ref"])


def _grant(performer_id: str, doc: str, **over: Any) -> dict[str, Any]:
    body = {
        "performer_id": performer_id, "category": "ebdr", "edit_kinds": ["dialogue"], "purposes": ["dubbing"],
        "use_description": "Dub the replica into French", "document": doc, "signed_by": "performer",
        "contract_edition": "sag-aftra-tv-theatrical-2026", "valid_from": "2026-03-01T00:00:00Z",
    }  # fmt: skip
    return body | over


def test_suspend_lift_history_state_and_documents(api: Api, workspace: Workspace) -> None:
    client, h = api
    lee = h["lee"]
    pid = client.post(f"{BASE}/performers", headers=lee, json={"name": "Alice", "kind": "principal"}).json()[
        "performer_id"
    ]
    doc = _upload(client, lee, b"%PDF-1.7 signed dubbing consent")
    g = client.post(f"{BASE}/consents", headers=lee, json=_grant(pid, doc))
    assert g.status_code == 201, g.text
    gid = g.json()["grant_id"]
    s = client.post(
        f"{BASE}/suspensions", headers=lee,
        json={"reason": "strike", "strike": True, "categories": ["ebdr"], "start": "2026-07-14T00:00:00Z"},
    )  # fmt: skip
    assert s.status_code == 201 and s.json()["strike"] is True
    sid = s.json()["suspension_id"]
    lift = client.post(
        f"{BASE}/suspensions/{sid}/lift", headers=lee, json={"reason": "over", "end": "2026-08-01T00:00:00Z"}
    )
    assert lift.status_code == 200 and lift.json()["kind"] == "suspension_lifted"
    again = client.post(f"{BASE}/suspensions/{sid}/lift", headers=lee, json={"reason": "again"})
    assert again.status_code == 409
    assert client.get(f"{BASE}/suspensions", headers=lee).json()[0]["end"] == "2026-08-01T00:00:00Z"
    hist = client.get(f"{BASE}/consents/{gid}/history", headers=lee).json()
    assert [e["kind"] for e in hist] == ["granted", "suspended", "suspension_lifted"]
    during = client.get(f"{BASE}/consent-state", headers=lee, params={"at": "2026-07-20T00:00:00Z"}).json()
    assert during["state"]["grants"][0]["suspensions"][0]["suspension_id"] == sid
    for p in during["proofs"]:
        verify_receipt(p["receipt"], p["entry"].encode(), during["verifier_keys"])
    assert {p["kind"] for p in during["proofs"]} == {
        "performer.registered/1", "consent.granted/1", "consent.suspended/1", "consent.suspension_lifted/1",
    }  # fmt: skip
    amended = client.post(
        f"{BASE}/performers/{pid}/amendments", headers=lee,
        json={"reason": "death certificate", "died_at": "2026-09-01T00:00:00Z", "representative_name": "Estate",
              "representative_document": _upload(client, lee, b"letters testamentary")},
    )  # fmt: skip
    assert amended.status_code == 200, amended.text
    assert amended.json()["deceased"] is True
    file = client.get(f"{BASE}/consent-documents/{g.json()['document_sha256']}", headers=lee)
    assert file.content == b"%PDF-1.7 signed dubbing consent"
    check = client.get(f"{BASE}/consent-check", headers=lee).json()
    assert check["problems"] == [] and check["pending"] == []
    assert project_log(workspace, get_project(workspace, "film")).size() == 6


def test_roles_unknown_records_and_bad_input_write_nothing(api: Api, workspace: Workspace) -> None:
    client, h = api
    log = project_log(workspace, get_project(workspace, "film"))
    size = log.size()
    assert client.post(f"{BASE}/suspensions", headers=h["ed"], json={"reason": "strike"}).status_code == 403
    assert client.get(f"{BASE}/consent-state", headers=h["ed"]).status_code == 403
    lee = h["lee"]
    cases = [
        ("post", f"{BASE}/suspensions", {"reason": "x", "performer_id": "prf_00000000deadbeef"}, 404, "no performer"),
        ("post", f"{BASE}/suspensions", {"reason": " "}, 422, "suspension reason is empty"),
        ("post", f"{BASE}/suspensions", {"reason": "x", "categories": ["deepfake"]}, 422, "categories"),
        ("post", f"{BASE}/suspensions", {"reason": "x", "start": "2026-07-14T00:00:00"}, 422, "timezone"),
        ("post", f"{BASE}/suspensions/sus_00000000deadbeef/lift", {"reason": "x"}, 404, "no suspension"),
        ("post", f"{BASE}/performers/prf_00000000deadbeef/amendments", {"reason": "x", "minor": True}, 404,
         "no performer"),
        ("get", f"{BASE}/consents/cg_00000000deadbeef/history", None, 404, "no grant"),
        ("get", f"{BASE}/consent-documents/{'0' * 64}", None, 404, "no document"),
    ]  # fmt: skip
    for method, url, body, code, fragment in cases:
        r = client.request(method, url, headers=lee, json=body)
        assert r.status_code == code and fragment in r.text, (url, body, r.status_code, r.text)
    assert log.size() == size
