"""Every route × role × own/foreign project: no token 401, foreign project 404, missing role 403, else through.

The expected role of each route is stated here, not derived from the code, so a route that loses its
authorization dependency (or a new route nobody classified) fails this test.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cutproof.api import create_app
from cutproof.core import auth
from cutproof.core.projects import create_project
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace

SECRET = "matrix-secret-" + "y" * 32
P = "/api/v1/projects/{project}"

# route → role required in the project ("member": any role; "superuser": workspace administrator; "a|b": either)
EXPECTED: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/projects"): "authenticated",
    ("POST", "/api/v1/projects"): "superuser",
    ("GET", P): "member",
    ("POST", P + "/members"): "admin",
    ("GET", P + "/members"): "admin",
    ("POST", P + "/members/revoke"): "admin",
    ("GET", P + "/ledger/checkpoint"): "member",
    ("GET", P + "/ledger/vkeys"): "member",
    ("GET", P + "/ledger/entries/{index}"): "member",
    ("GET", P + "/ledger/entries/{index}/receipt"): "member",
    ("GET", P + "/ledger/consistency"): "member",
    ("GET", P + "/ledger/tlog/{path}"): "member",
    ("POST", P + "/edits"): "editor",
    ("GET", P + "/edits"): "member",
    ("GET", P + "/edits/{request_id}"): "member",
    ("POST", P + "/edits/{request_id}/review"): "legal",
    ("POST", P + "/edits/{request_id}/resubmit"): "editor",
    ("GET", P + "/edits/{request_id}/deliverable"): "member",
    ("GET", P + "/edits/{request_id}/receipt"): "member",
    ("GET", P + "/jobs/{job_id}"): "member",
    ("POST", P + "/jobs/{job_id}/cancel"): "editor",
    ("POST", P + "/uploads"): "member",
    ("POST", P + "/performers"): "legal",
    ("GET", P + "/performers"): "legal",
    ("POST", P + "/consents"): "legal",
    ("GET", P + "/consents"): "legal",
    ("POST", P + "/consents/{grant_id}/revoke"): "legal",
    ("POST", P + "/consents/{grant_id}/court-approval"): "legal",
    ("GET", P + "/coverage"): "legal",
    ("POST", P + "/performers/{performer_id}/amendments"): "legal",
    ("GET", P + "/suspensions"): "legal",
    ("POST", P + "/suspensions"): "legal",
    ("POST", P + "/suspensions/{suspension_id}/lift"): "legal",
    ("GET", P + "/consents/{grant_id}/history"): "legal",
    ("GET", P + "/consent-state"): "legal",
    ("GET", P + "/consent-check"): "legal",
    ("GET", P + "/consent-documents/{sha256}"): "legal",
    ("GET", P + "/dailies"): "member",
    ("POST", P + "/dailies"): "editor",
    ("POST", P + "/dailies/{clip}/labels"): "editor|legal",
    ("POST", P + "/dailies/ale"): "editor|legal",
    ("GET", P + "/models"): "member",
    ("GET", P + "/models/{model_id}"): "member",
    ("POST", P + "/trainings"): "editor|admin",
    ("GET", P + "/trainings"): "member",
    ("GET", P + "/trainings/{job_id}"): "member",
    ("POST", P + "/trainings/{job_id}/cancel"): "editor|admin",
    ("POST", P + "/cast-tags"): "editor|admin",
    ("GET", P + "/cast-tags"): "member",
    ("POST", P + "/qc"): "qc",
    ("POST", P + "/qc/batch"): "qc",
    ("GET", P + "/qc/batch/{job_id}"): "qc",
    ("GET", P + "/audit"): "legal",
}
ROLES = ("admin", "editor", "legal", "qc")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    ws = Workspace(tmp_path_factory.mktemp("matrix") / "home")
    ws.init()
    create_project(ws, "own", identity="t")
    create_project(ws, "foreign", identity="t")
    tokens: dict[str, str] = {}
    for role in ROLES:
        auth.add_user(ws.engine, role)
        auth.grant_role(ws.engine, role, "own", role)
        tokens[role] = auth.issue_token(ws.engine, role, pepper=SECRET.encode()).token
    auth.add_user(ws.engine, "root", superuser=True)
    tokens["superuser"] = auth.issue_token(ws.engine, "root", pepper=SECRET.encode()).token
    app = create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    return TestClient(app), tokens, app.openapi()["paths"]


def _url(path: str, project: str) -> str:
    return (
        path.replace("{project}", project)
        .replace("{index}", "0")
        .replace("{request_id}", "0" * 32)
        .replace("{job_id}", "0" * 32)
        .replace("{grant_id}", "grt_unknown")
        .replace("{path}", "checkpoint")
        .replace("{performer_id}", "prf_00000000unknown")
        .replace("{suspension_id}", "sus_00000000unknown")
        .replace("{sha256}", "0" * 64)
        .replace("{model_id}", "0" * 64)
        .replace("{clip}", "0" * 12)
    )


def _call(client: TestClient, method: str, url: str, token: str | None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.request(method, url, headers=headers, json={} if method == "POST" else None).status_code


# Open to anyone by design, without a token (rate-limited and size-capped; tests/cutproof/test_public_verify.py).
PUBLIC = {("POST", "/api/v1/verify")}


def test_every_route_is_classified(world) -> None:  # type: ignore[no-untyped-def]
    _client, _tokens, paths = world
    routes = {(m.upper(), p) for p, ops in paths.items() for m in ops} - PUBLIC
    assert routes == set(EXPECTED), f"unclassified: {routes - set(EXPECTED)}; stale: {set(EXPECTED) - routes}"


@pytest.mark.parametrize(("method", "path"), sorted(EXPECTED))
def test_matrix(world, method: str, path: str) -> None:  # type: ignore[no-untyped-def]
    client, tokens, _paths = world
    need = EXPECTED[(method, path)]
    in_project = "{project}" in path
    assert _call(client, method, _url(path, "own"), None) == 401
    assert _call(client, method, _url(path, "own"), "cpt_0000000000000000_" + "A" * 43) == 401
    for who in (*ROLES, "superuser"):
        for project in ("own", "foreign") if in_project else ("own",):
            status = _call(client, method, _url(path, project), tokens[who])
            member = who == "superuser" or project == "own"
            if need == "superuser":
                allowed = who == "superuser"
            elif need == "authenticated":
                allowed = True
            elif not member:
                assert status == 404, (who, project, status)
                continue
            else:
                allowed = who == "superuser" or need == "member" or who in need.split("|")
            if allowed:
                assert status not in (401, 403), (who, project, status)
                if status == 404:
                    body = client.request(
                        method,
                        _url(path, project),
                        headers={"Authorization": f"Bearer {tokens[who]}"},
                        json={} if method == "POST" else None,
                    ).json()
                    assert "project" not in str(body.get("detail", "")).split("'")[0], (who, project, body)
            else:
                assert status == 403, (who, project, status)
