"""The consent routes of the HTTP API: roles, every write one ledger entry, status codes, receipts."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cutproof import auth
from cutproof.api import create_app
from cutproof.projects import create_project, get_project, project_log
from cutproof.settings import Settings
from cutproof.workspace import Workspace
from ledger import verify_receipt

SECRET = "c" * 40
DOC = base64.b64encode(b"%PDF-1.7 signed eyeline consent").decode()


@pytest.fixture
def api(workspace: Workspace) -> tuple[TestClient, dict[str, dict[str, str]]]:
    settings = Settings(home=workspace.home, secret_key=SECRET)
    create_project(workspace, "film", identity="t")
    heads = {}
    for user, role in (("lee", "legal"), ("ed", "editor"), ("quinn", "qc")):
        auth.add_user(workspace.engine, user)
        auth.grant_role(workspace.engine, user, "film", role)
        token = auth.issue_token(workspace.engine, user, pepper=SECRET.encode()).token
        heads[user] = {"Authorization": f"Bearer {token}"}
    return TestClient(create_app(settings, workspace, run_workers=False)), heads


def _grant(performer_id: str, **over: Any) -> dict[str, Any]:
    body = {
        "performer_id": performer_id, "category": "digital_alteration", "edit_kinds": ["eyeline"],
        "purposes": ["continuity"], "shots": ["12A"], "use_description": "Eyeline to the door in 12A",
        "document_base64": DOC, "contract_edition": "sag-aftra-tv-theatrical-2026",
        "valid_from": "2026-03-01T00:00:00Z", "governing_law": "US-CA",
    }  # fmt: skip
    return body | over


def test_legal_records_and_queries_consent(
    api: tuple[TestClient, dict[str, dict[str, str]]], workspace: Workspace
) -> None:
    client, h = api
    base = "/api/v1/projects/film"
    r = client.post(f"{base}/performers", headers=h["lee"], json={"name": "Alice Marchetti", "guild": "SAG-AFTRA"})
    assert r.status_code == 201, r.text
    pid = r.json()["performer_id"]
    assert [p["name"] for p in client.get(f"{base}/performers", headers=h["ed"]).json()] == ["Alice Marchetti"]
    g = client.post(f"{base}/consents", headers=h["lee"], json=_grant(pid))
    assert g.status_code == 201, g.text
    gid = g.json()["grant_id"]
    cov = client.get(
        f"{base}/coverage", headers=h["quinn"],
        params={"performer": pid, "edit_kind": "eyeline", "purpose": "continuity", "shot": "12A",
                "at": "2026-04-01T00:00:00Z"},
    )  # fmt: skip
    assert cov.status_code == 200 and cov.json()["covered"] is True
    rv = client.post(f"{base}/consents/{gid}/revocation", headers=h["lee"], json={"reason": "withdrawn"})
    assert rv.status_code == 200 and rv.json()["kind"] == "revoked"
    again = client.post(f"{base}/consents/{gid}/revocation", headers=h["lee"], json={"reason": "again"})
    assert again.status_code == 409
    s = client.post(f"{base}/suspensions", headers=h["lee"], json={"reason": "strike", "strike": True})
    assert s.status_code == 201 and s.json()["strike"] is True
    lift = client.post(
        f"{base}/suspensions/{s.json()['suspension_id']}/lift", headers=h["lee"], json={"reason": "over"}
    )
    assert lift.status_code == 200
    state = client.get(f"{base}/consents", headers=h["lee"], params={"at": "2026-04-01T00:00:00Z"}).json()
    assert state["state"]["grants"][0]["revoked_at"] is None
    for p in state["proofs"]:
        verify_receipt(p["receipt"], p["entry"].encode(), state["verifier_keys"])
    assert [e["kind"] for e in client.get(f"{base}/consents/{gid}/history", headers=h["lee"]).json()] == [
        "granted", "revoked", "suspended", "suspension_lifted",
    ]  # fmt: skip
    doc = client.get(f"{base}/consent-documents/{g.json()['document_sha256']}", headers=h["lee"])
    assert doc.content == base64.b64decode(DOC)
    log = project_log(workspace, get_project(workspace, "film"))
    assert log.size() == 6  # project.created + performer + grant + revocation + suspension + lift


def test_roles_and_bad_input(api: tuple[TestClient, dict[str, dict[str, str]]], workspace: Workspace) -> None:
    client, h = api
    base = "/api/v1/projects/film"
    log = project_log(workspace, get_project(workspace, "film"))
    assert client.post(f"{base}/performers", headers=h["ed"], json={"name": "X"}).status_code == 403
    assert client.get(f"{base}/consents", headers=h["ed"]).status_code == 403
    pid = client.post(f"{base}/performers", headers=h["lee"], json={"name": "Bo Lin"}).json()["performer_id"]
    size = log.size()
    cases = [
        (_grant(pid, use_description=" "), 422, "use_description"),
        (_grant(pid, document_base64="not base64!"), 422, "not valid base64"),
        (_grant(pid, signed_by="representative"), 422, "no authorised representative on file"),
        (_grant("prf_00000000deadbeef"), 404, "no performer"),
        (_grant(pid, valid_from="2026-03-01T00:00:00"), 422, "timezone"),
    ]
    for body, code, fragment in cases:
        r = client.post(f"{base}/consents", headers=h["lee"], json=body)
        assert r.status_code == code and fragment in r.text, (body, r.status_code, r.text)
    assert log.size() == size
