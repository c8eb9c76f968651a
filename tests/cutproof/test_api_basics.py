from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cutproof.api import create_app
from cutproof.core import auth
from cutproof.core.errors import SettingsError
from cutproof.core.projects import create_project
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from ledger import verify_receipt

SECRET = "x" * 40


@pytest.fixture
def setup(workspace: Workspace):  # type: ignore[no-untyped-def]
    settings = Settings(home=workspace.home, secret_key=SECRET, max_request_bytes=1024)
    create_project(workspace, "film-a", identity="t")
    create_project(workspace, "film-b", identity="t")
    auth.add_user(workspace.engine, "root", superuser=True)
    auth.add_user(workspace.engine, "lee")
    auth.grant_role(workspace.engine, "lee", "film-a", "legal")
    tokens = {u: auth.issue_token(workspace.engine, u, pepper=SECRET.encode()).token for u in ("root", "lee")}
    client = TestClient(create_app(settings, workspace))
    return client, tokens


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_default_secret_refused_outside_local() -> None:
    with pytest.raises(SettingsError, match="CUTPROOF_SECRET_KEY"):
        Settings(environment="production").check_safe()
    Settings(environment="production", secret_key=SECRET).check_safe()


def test_auth_statuses(setup) -> None:  # type: ignore[no-untyped-def]
    client, tokens = setup
    assert client.get("/api/v1/projects").status_code == 401
    assert client.get("/api/v1/projects", headers=_h("cpt_bad")).status_code == 401
    r = client.get("/api/v1/projects", headers=_h(tokens["lee"]))
    assert [p["slug"] for p in r.json()] == ["film-a"]
    assert client.get("/api/v1/projects/film-b", headers=_h(tokens["lee"])).status_code == 404
    assert client.get("/api/v1/projects/nope", headers=_h(tokens["lee"])).status_code == 404
    r = client.post(
        "/api/v1/projects/film-a/members", headers=_h(tokens["lee"]), json={"username": "lee", "role": "editor"}
    )
    assert r.status_code == 403
    r = client.post("/api/v1/projects", headers=_h(tokens["lee"]), json={"slug": "c"})
    assert r.status_code == 403


def test_ledger_face(setup) -> None:  # type: ignore[no-untyped-def]
    client, tokens = setup
    h = _h(tokens["lee"])
    cp = client.get("/api/v1/projects/film-a/ledger/checkpoint", headers=h)
    assert cp.status_code == 200 and cp.text.startswith("cutproof.local/film-a\n")
    entry = client.get("/api/v1/projects/film-a/ledger/entries/0", headers=h).content
    receipt = client.get("/api/v1/projects/film-a/ledger/entries/0/receipt", headers=h).text
    vkeys = client.get("/api/v1/projects/film-a/ledger/vkeys", headers=h).text.split()
    assert verify_receipt(receipt, entry, vkeys).index == 0
    assert client.get("/api/v1/projects/film-a/ledger/entries/99", headers=h).status_code == 404
    assert client.get("/api/v1/projects/film-b/ledger/checkpoint", headers=h).status_code == 404
    assert client.get("/api/v1/projects/film-a/ledger/checkpoint").status_code == 401


def test_body_size_limit(setup) -> None:  # type: ignore[no-untyped-def]
    client, tokens = setup
    r = client.post(
        "/api/v1/projects",
        headers=_h(tokens["root"]),
        content=b"{" + b" " * 2000 + b"}",
    )
    assert r.status_code == 413
