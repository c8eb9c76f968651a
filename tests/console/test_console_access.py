"""The console's access rules, in process: every page × role × own/foreign project answers as the API would (404
foreign, 403 missing role, sign-in without a session), and the session and CSRF machinery holds.

As in ``tests/cutproof/test_authorization_matrix.py``, each page's role is stated here, not derived from the code,
so a page that loses its authorization (or a new page nobody classified) fails.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from consent import ConsentRegistry
from cutproof.console import create_app
from cutproof.console.app import PAGE_MODULES
from cutproof.console.sessions import COOKIE, SessionStore
from cutproof.console.web import PREFIX
from cutproof.core import auth
from cutproof.core.projects import create_project, get_project, project_log
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace

SECRET = "console-secret-" + "z" * 32
P = "/console/p/{project}"
ROLES = ("admin", "editor", "legal", "qc")

# page → role it needs in the project ("member": any role; "a|b": either)
PAGES: dict[tuple[str, str], str] = {
    ("GET", P + "/"): "member",
    ("GET", P + "/reviews"): "legal",
    ("GET", P + "/reviews/{request_id}"): "legal",
    ("POST", P + "/reviews/{request_id}"): "legal",
    ("GET", P + "/performers"): "legal",
    ("GET", P + "/performers/{performer_id}"): "legal",
    ("GET", P + "/documents/{sha256}"): "legal",
    ("GET", P + "/audit"): "legal",
    ("GET", P + "/audit/export.{fmt}"): "legal",
    ("GET", P + "/audit/marked"): "legal",
    ("POST", P + "/audit/timeline"): "legal",
    ("POST", P + "/dailies/ale"): "editor|legal",
    ("POST", P + "/dailies"): "editor",
    ("GET", P + "/shots"): "member",
    ("GET", P + "/shots/{clip_hash}"): "member",
    ("GET", P + "/shots/{clip_hash}/frames/{index}.jpg"): "member",
    ("POST", P + "/shots/{clip_hash}/edits"): "editor",
    ("POST", P + "/shots/{clip_hash}/labels"): "editor|legal",
    ("POST", P + "/shots/{clip_hash}/cast-tags"): "editor|admin",
    ("GET", P + "/edits"): "member",
    ("GET", P + "/edits/{request_id}"): "member",
    ("GET", P + "/edits/{request_id}/events"): "member",
    ("GET", P + "/edits/{request_id}/deliverable"): "member",
    ("GET", P + "/edits/{request_id}/receipt"): "member",
    ("POST", P + "/edits/{request_id}/resubmit"): "editor",
    ("GET", P + "/models"): "member",
    ("POST", P + "/models/train"): "editor|admin",
    ("GET", P + "/models/jobs/{job_id}"): "member",
    ("GET", P + "/models/jobs/{job_id}/events"): "member",
    ("POST", P + "/models/jobs/{job_id}/cancel"): "editor|admin",
    ("GET", P + "/qc"): "qc",
    ("GET", P + "/members"): "admin",
    ("POST", P + "/members"): "admin",
    ("POST", P + "/members/revoke"): "admin",
    ("POST", P + "/qc"): "qc",
    ("GET", P + "/qc/batches/{batch_id}"): "qc",
    ("GET", P + "/qc/checks/{check_id}"): "qc",
    ("GET", P + "/qc/history"): "qc",
    ("GET", P + "/ledger"): "member",
    ("GET", P + "/ledger/lookup"): "member",
    ("GET", P + "/ledger/entries/{index}"): "member",
    ("GET", P + "/ledger/entries/{index}/receipt"): "member",
    ("GET", P + "/ledger/consistency"): "member",
}
QUERY = {
    P + "/audit/marked": "?timeline=" + "0" * 64 + "&name=cut.edl",
    P + "/ledger/lookup": "?index=0",
    P + "/ledger/consistency": "?old=0",
}


class World:
    def __init__(self, ws: Workspace, app: object, tokens: dict[str, str], document: str) -> None:
        self.ws, self.app, self.tokens, self.document = ws, app, tokens, document
        self.clients: dict[str, TestClient] = {}

    def client(self, who: str) -> TestClient:
        if who not in self.clients:
            self.clients[who] = sign_in(TestClient(self.app), self.tokens[who])  # type: ignore[arg-type]
        return self.clients[who]


def sign_in(client: TestClient, token: str) -> TestClient:
    page = client.get("/console/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, page.text
    r = client.post(
        "/console/sign-in", data={"token": token, "csrf_token": csrf[1], "next": "/console/"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"] == "/console/", r.text
    return client


def csrf_of(client: TestClient, path: str) -> str:
    m = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get(path).text)
    assert m
    return m[1]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    ws = Workspace(tmp_path_factory.mktemp("console") / "home")
    ws.init()
    for slug in ("own", "foreign"):
        create_project(ws, slug, identity="t")
    reg = ConsentRegistry(ws.engine, ws.blobs, project_log(ws, get_project(ws, "own")))
    performer = reg.register_performer(name="Ada Quill", kind="principal")
    grant = reg.grant(
        performer.performer_id,
        category="digital_alteration",
        edit_kinds=["relight"],
        purposes=["continuity"],
        use_description="Relight for continuity",
        document=b"%PDF-1.4 signed consent",
        signed_by="performer",
        contract_edition="sag-aftra-tv-theatrical-2026",
        valid_from=datetime.now(UTC) - timedelta(days=1),
    )
    tokens: dict[str, str] = {}
    for role in ROLES:
        auth.add_user(ws.engine, role)
        auth.grant_role(ws.engine, role, "own", role)
        tokens[role] = auth.issue_token(ws.engine, role, pepper=SECRET.encode()).token
    auth.add_user(ws.engine, "root", superuser=True)
    tokens["superuser"] = auth.issue_token(ws.engine, "root", pepper=SECRET.encode()).token
    app = create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    return World(ws, app, tokens, grant.document_sha256)


def _url(path: str, project: str, document: str) -> str:
    return (
        path.replace("{project}", project)
        .replace("{request_id}", "0" * 32)
        .replace("{job_id}", "0" * 32)
        .replace("{performer_id}", "prf_00000000unknown")
        .replace("{sha256}", document)
        .replace("{fmt}", "json")
        .replace("{clip_hash}", "0" * 64)
        .replace("{index}", "0")
        .replace("{batch_id}", "0" * 32)
        .replace("{check_id}", "0" * 32)
    ) + QUERY.get(path, "")


def test_every_page_is_classified(world: World) -> None:
    routes = {
        (m, PREFIX + r.path)
        for module in PAGE_MODULES
        for r in module.router.routes
        if r.path.startswith("/p/")
        for m in r.methods - {"HEAD"}
    }
    assert routes == set(PAGES), f"unclassified: {routes - set(PAGES)}; stale: {set(PAGES) - routes}"


@pytest.mark.parametrize(("method", "path"), sorted(PAGES))
def test_page_matrix(world: World, method: str, path: str) -> None:
    need = PAGES[(method, path)]
    anonymous = TestClient(world.app)  # type: ignore[arg-type]
    r = anonymous.request(method, _url(path, "own", world.document), follow_redirects=False)
    assert r.status_code in (303, 403), r.status_code  # GET: to sign-in; POST: no session, no CSRF token
    if method == "GET":
        assert r.headers["location"].startswith("/console/sign-in?next=")
    for who in (*ROLES, "superuser"):
        client = world.client(who)
        headers = {"X-CSRF-Token": csrf_of(client, "/console/")} if method == "POST" else {}
        for project in ("own", "foreign"):
            status = client.request(method, _url(path, project, world.document), headers=headers).status_code
            if who != "superuser" and project == "foreign":
                assert status == 404, (who, project, status)
                continue
            allowed = who == "superuser" or need == "member" or who in need.split("|")
            assert (status != 403) if allowed else (status == 403), (who, project, status)
            assert status not in (401, 500), (who, project, status)


def test_sign_in_sets_a_strict_http_only_cookie_and_refuses_a_bad_token(world: World) -> None:
    client = TestClient(world.app)  # type: ignore[arg-type]
    page = client.get("/console/sign-in")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]  # type: ignore[index]
    bad = client.post("/console/sign-in", data={"token": "cpt_0000000000000000_" + "A" * 43, "csrf_token": csrf})
    assert bad.status_code == 401 and "does not work" in bad.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', bad.text)[1]  # type: ignore[index]
    r = client.post(
        "/console/sign-in",
        data={"token": world.tokens["qc"], "csrf_token": csrf, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/console/"  # never off-site after sign-in
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(COOKIE + "=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/console" in cookie and "Secure" not in cookie  # local use, plain http
    assert world.tokens["qc"] not in cookie  # the token travels sealed


def test_sign_in_needs_its_own_form(world: World) -> None:
    client = TestClient(world.app)  # type: ignore[arg-type]
    r = client.post("/console/sign-in", data={"token": world.tokens["qc"], "csrf_token": "forged"})
    assert r.status_code == 403


def test_secure_cookie_outside_local_use(world: World) -> None:
    settings = Settings(home=world.ws.home, secret_key=SECRET, environment="production")
    app = create_app(settings, world.ws, run_workers=False)
    client = sign_in(TestClient(app, base_url="https://testserver"), world.tokens["qc"])
    assert client.get("/console/").status_code == 200
    r = TestClient(app).get("/console/sign-in")  # even over plain http, the cookie asks for https
    assert "Secure" in r.headers["set-cookie"]


def test_post_without_csrf_token_is_refused_and_writes_nothing(world: World) -> None:
    client = world.client("legal")
    r = client.post("/console/p/own/shots/" + "0" * 64 + "/labels", data={"scene": "12"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post("/console/p/own/shots/" + "0" * 64 + "/labels", data={"scene": "12", "csrf_token": "wrong"})
    assert r.status_code == 403
    r = client.post(
        "/console/p/own/shots/" + "0" * 64 + "/labels",
        data={"scene": "12", "csrf_token": csrf_of(client, "/console/")},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403 and "cross-origin" in r.text


def test_security_headers(world: World) -> None:
    r = world.client("legal").get("/console/p/own/performers")
    assert r.status_code == 200 and "Ada Quill" in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["cache-control"] == "no-store"
    assert r.headers["x-frame-options"] == "DENY"
    api = TestClient(world.app).get("/healthz")  # type: ignore[arg-type]
    assert "content-security-policy" not in api.headers  # the API's answers are left as they were


def test_documents_are_legal_only_and_open_as_pdf(world: World) -> None:
    url = f"/console/p/own/documents/{world.document}"
    r = world.client("legal").get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert world.client("editor").get(url).status_code == 403
    assert world.client("editor").get(url.replace("/own/", "/foreign/")).status_code == 404


def test_sign_out_ends_the_session_even_for_a_copied_cookie(world: World) -> None:
    client = sign_in(TestClient(world.app), world.tokens["editor"])  # type: ignore[arg-type]
    stolen = client.cookies.get(COOKIE)
    r = client.post("/console/sign-out", data={"csrf_token": csrf_of(client, "/console/")}, follow_redirects=False)
    assert r.status_code == 303
    thief = TestClient(world.app)  # type: ignore[arg-type]
    thief.cookies.set(COOKIE, stolen or "", path="/console")
    assert thief.get("/console/", follow_redirects=False).status_code == 303


def test_revoking_the_token_ends_the_session(world: World) -> None:
    issued = auth.issue_token(world.ws.engine, "qc", pepper=SECRET.encode())
    client = sign_in(TestClient(world.app), issued.token)  # type: ignore[arg-type]
    assert client.get("/console/p/own/qc").status_code == 200
    auth.revoke_token(world.ws.engine, issued.token_id)
    r = client.get("/console/p/own/qc", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/sign-in")


def test_session_expires_when_idle(world: World) -> None:
    store = SessionStore(world.ws.engine)
    start = datetime.now(UTC)
    cookie, _ = store.open(world.tokens["qc"], "qc", now=start)
    assert store.resolve(cookie, now=start + timedelta(minutes=59)).username == "qc"
    with pytest.raises(Exception, match="sign in again"):
        store.resolve(cookie, now=start + timedelta(minutes=59) + timedelta(hours=1, seconds=1))
    with pytest.raises(Exception, match="sign in again"):
        store.resolve(cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"), now=start)  # tampered seal
