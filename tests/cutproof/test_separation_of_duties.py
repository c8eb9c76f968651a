"""Separation of duties: roles are given and taken by recorded, authorised acts; nobody raises their own roles;
the submitter of an edit can never sign its review — through the API, the console and the CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cutproof.cli.main import app as cli
from cutproof.console import create_app
from cutproof.core import auth
from cutproof.core.access import SeparationOfDutiesError, members
from cutproof.core.identity import local_identity
from cutproof.core.projects import get_project, project_log
from cutproof.core.recorded import scan
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import sign_review, submit
from cutproof.edits.submission import EditSubmission
from records import AccessGranted, AccessRevoked
from tests._support.gated_project import background_edit, setup_gated_project
from tests.console.test_console_access import csrf_of, sign_in

SECRET = "duties-secret-" + "d" * 32


@pytest.fixture
def world(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> dict[str, Any]:
    s = setup_gated_project(
        workspace, footage_dir, tmp_path, secret=SECRET, users=(("ada", "admin"), ("lee", "legal"), ("ed", "editor"))
    )
    auth.add_user(workspace.engine, "newbie")
    app = create_app(Settings(home=workspace.home, secret_key=SECRET), workspace, run_workers=False)
    return {"ws": workspace, "s": s, "client": TestClient(app), "app": app}


def _h(s: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {s[who]}"}


def _access_entries(ws: Workspace) -> list[Any]:
    return [f.record for f in scan(project_log(ws, get_project(ws, "film")), 0) if f.record.kind.startswith("access.")]


def test_admin_cannot_grant_themself_any_role(world: dict[str, Any]) -> None:
    client, s, ws = world["client"], world["s"], world["ws"]
    for role in ("legal", "editor", "qc", "admin"):
        r = client.post("/api/v1/projects/film/members", json={"username": "ada", "role": role}, headers=_h(s, "ada"))
        assert r.status_code == 403, (role, r.text)
    assert ("ada", "legal") not in members(ws, "film")
    assert client.get("/api/v1/projects/film/performers", headers=_h(s, "ada")).status_code == 403
    assert _access_entries(ws) == []  # nothing recorded for a refused act


def test_grant_and_revoke_are_recorded_and_take_effect(world: dict[str, Any]) -> None:
    client, s, ws = world["client"], world["s"], world["ws"]
    token = auth.issue_token(ws.engine, "newbie", pepper=SECRET.encode()).token
    newbie = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/projects/film", headers=newbie).status_code == 404
    r = client.post("/api/v1/projects/film/members", json={"username": "newbie", "role": "qc"}, headers=_h(s, "ada"))
    assert r.status_code == 201, r.text
    assert client.get("/api/v1/projects/film", headers=newbie).status_code == 200
    listed = client.get("/api/v1/projects/film/members", headers=_h(s, "ada")).json()
    assert {"username": "newbie", "project": "film", "role": "qc"} in listed
    body = {"username": "newbie", "role": "qc", "reason": "left the production"}
    assert client.post("/api/v1/projects/film/members/revoke", json=body, headers=_h(s, "ada")).status_code == 200
    assert client.get("/api/v1/projects/film", headers=newbie).status_code == 404  # the role is gone at once
    again = client.post("/api/v1/projects/film/members/revoke", json=body, headers=_h(s, "ada"))
    assert again.status_code == 404
    granted, revoked = _access_entries(ws)
    assert isinstance(granted, AccessGranted) and (granted.username, granted.role) == ("newbie", "qc")
    assert granted.granted_by == "api:ada"
    assert isinstance(revoked, AccessRevoked) and revoked.reason == "left the production"
    assert revoked.revoked_by == "api:ada"
    # only admins change roles
    r = client.post("/api/v1/projects/film/members", json={"username": "newbie", "role": "qc"}, headers=_h(s, "lee"))
    assert r.status_code == 403


def test_submitter_can_never_sign_their_own_review(world: dict[str, Any]) -> None:
    """The attack of the issue: an admin who also holds editor and legal (given by another admin) submits an edit
    that needs review and tries to approve it — refused, through the API and the flow itself."""
    client, s, ws = world["client"], world["s"], world["ws"]
    auth.add_user(ws.engine, "other-admin")
    auth.grant_role(ws.engine, "other-admin", "film", "admin")
    for role in ("editor", "legal"):
        auth.grant_role(ws.engine, "ed", "film", role)
    body = background_edit(s)
    r = client.post("/api/v1/projects/film/edits", json=body, headers=_h(s, "ed"))
    assert r.status_code == 201, r.text
    rid = r.json()["request_id"]
    if r.json()["outcome"] != "review":
        pytest.skip(f"the packs decided {r.json()['outcome']} for this submission; no review to sign")
    size = project_log(ws, get_project(ws, "film")).size()
    own = client.post(
        f"/api/v1/projects/film/edits/{rid}/review", json={"approve": True, "note": "mine"}, headers=_h(s, "ed")
    )
    assert own.status_code == 403, own.text
    with pytest.raises(SeparationOfDutiesError):
        sign_review(ws, get_project(ws, "film"), rid, approve=True, note="via the CLI", reviewer="cli:ed@laptop")
    assert project_log(ws, get_project(ws, "film")).size() == size
    other = client.post(
        f"/api/v1/projects/film/edits/{rid}/review", json={"approve": False, "note": "no"}, headers=_h(s, "lee")
    )
    assert other.status_code == 200, other.text


def test_flow_refuses_self_review_for_any_channel(world: dict[str, Any]) -> None:
    ws, s = world["ws"], world["s"]
    sub = EditSubmission.model_validate(background_edit(s))
    gate, _job = submit(ws, get_project(ws, "film"), sub, identity="api:lee")
    if gate.decision.outcome != "review":
        pytest.skip("no review decision")
    with pytest.raises(SeparationOfDutiesError):
        sign_review(ws, get_project(ws, "film"), gate.request_id, approve=True, note="x", reviewer="api:lee")


def test_cli_member_revoke_and_self_grant(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    ws = world["ws"]
    monkeypatch.setenv("CUTPROOF_SECRET_KEY", SECRET)
    home = ["--home", str(ws.home)]
    res = CliRunner().invoke(cli, [*home, "member", "add", "newbie", "editor", "--project", "film"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, [*home, "member", "revoke", "newbie", "editor", "--project", "film", "--reason", "x"])
    assert res.exit_code == 0, res.output
    assert ("newbie", "editor") not in members(ws, "film")
    me = local_identity().removeprefix("cli:").rsplit("@", 1)[0]
    if me not in {"newbie", "ada", "lee", "ed"}:
        auth.add_user(ws.engine, me)
    res = CliRunner().invoke(cli, [*home, "member", "add", me, "legal", "--project", "film"])
    assert isinstance(res.exception, SeparationOfDutiesError)  # ``main`` prints it and exits 2
    kinds = [r.kind for r in _access_entries(ws)]
    assert kinds == ["access.granted/1", "access.revoked/1"]


def test_console_members_page(world: dict[str, Any]) -> None:
    ws, s = world["ws"], world["s"]
    client = sign_in(TestClient(world["app"]), s["ada"])
    page = client.get("/console/p/film/members")
    assert page.status_code == 200 and "lee" in page.text
    csrf = csrf_of(client, "/console/p/film/members")
    r = client.post(
        "/console/p/film/members",
        data={"csrf_token": csrf, "username": "newbie", "role": "legal"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert ("newbie", "legal") in members(ws, "film")
    r = client.post(
        "/console/p/film/members/revoke",
        data={"csrf_token": csrf, "username": "newbie", "role": "legal", "reason": "wrong person"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert ("newbie", "legal") not in members(ws, "film")
    self_grant = client.post("/console/p/film/members", data={"csrf_token": csrf, "username": "ada", "role": "legal"})
    assert self_grant.status_code == 403
    assert re.search(r"cannot give themself", self_grant.text)
    editor = sign_in(TestClient(world["app"]), s["ed"])
    assert editor.get("/console/p/film/members").status_code == 403
