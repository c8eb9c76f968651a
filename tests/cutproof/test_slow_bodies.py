"""The slow-body attack on a real server (``cutproof serve`` on loopback): clients that announce a body and then
send five bytes of it must not hold the server's in-flight places — without a token they are answered 401 before
their body is read, through the console they are capped per client, and with a token they time out (408). All the
while, authenticated requests keep answering 200."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from cutproof.core import auth
from cutproof.core.projects import create_project
from cutproof.core.workspace import Workspace
from tests._support.server import server_process

SECRET = "slow-body-secret-" + "s" * 32
ATTACKERS = 40  # more than the default 32 places in flight
BODY_TIMEOUT_S = 2


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    ws = Workspace(tmp_path_factory.mktemp("slow") / "home")
    ws.init()
    create_project(ws, "film", identity="t")
    auth.add_user(ws.engine, "ed")
    auth.grant_role(ws.engine, "ed", "film", "editor")
    token = auth.issue_token(ws.engine, "ed", pepper=SECRET.encode()).token
    env = {"CUTPROOF_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S), "CUTPROOF_WORKERS": "0"}
    with server_process(ws.home, secret=SECRET, workers=0, extra_env=env) as server:
        yield server.base, token


@contextlib.contextmanager
def slow_bodies(
    base: str, path: str, headers: str = "", n: int = ATTACKERS, content_type: str = "application/json"
) -> Iterator[list[socket.socket]]:
    """``n`` connections that announce a 100,000-byte body and send 5 bytes of it, held open."""
    host, port = base.removeprefix("http://").split(":")
    socks = []
    try:
        for _ in range(n):
            s = socket.create_connection((host, int(port)), timeout=10)
            s.sendall(
                f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n{headers}"
                "Content-Length: 100000\r\n\r\nhello".encode()
            )
            socks.append(s)
        time.sleep(0.5)  # let the server take them all in
        yield socks
    finally:
        for s in socks:
            s.close()


def _status(s: socket.socket) -> int | None:
    s.settimeout(BODY_TIMEOUT_S * 3)
    try:
        head = s.recv(64)
    except (TimeoutError, ConnectionResetError):
        return None
    return int(head.split()[1]) if head.startswith(b"HTTP/1.1") else None


def _authenticated_answers(base: str, token: str, n: int = 20) -> list[int]:
    h = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, headers=h, timeout=5) as c:
        return [c.get("/api/v1/projects/film").status_code for _ in range(n)]


def test_unauthenticated_slow_bodies_are_refused_before_the_body(served: tuple[str, str]) -> None:
    base, token = served
    with (
        slow_bodies(base, "/api/v1/projects/film/edits") as edits,
        slow_bodies(base, "/api/v1/projects/film/performers") as performers,
    ):
        assert _authenticated_answers(base, token) == [200] * 20
        assert [_status(s) for s in edits + performers] == [401] * 2 * ATTACKERS  # answered at once, body unread


def test_junk_tokens_are_refused_before_the_body(served: tuple[str, str]) -> None:
    base, token = served
    junk = "Authorization: Bearer cpt_0000000000000000_" + "A" * 43 + "\r\n"
    with slow_bodies(base, "/api/v1/projects/film/edits", junk) as socks:
        assert _authenticated_answers(base, token) == [200] * 20
        assert [_status(s) for s in socks] == [401] * ATTACKERS


def test_console_slow_bodies_are_capped_per_client(served: tuple[str, str]) -> None:
    base, token = served
    with slow_bodies(base, "/console/sign-in", content_type="application/x-www-form-urlencoded") as socks:
        assert _authenticated_answers(base, token) == [200] * 20
        statuses = [_status(s) for s in socks]
    assert statuses.count(503) >= ATTACKERS - 8  # at most a quarter of the places for one client
    assert set(statuses) <= {503, 408, 400, 403, 422}, statuses  # the admitted ones time out


def test_authenticated_slow_bodies_time_out(served: tuple[str, str]) -> None:
    base, token = served
    auth_header = f"Authorization: Bearer {token}\r\n"
    start = time.monotonic()
    with slow_bodies(base, "/api/v1/projects/film/uploads", auth_header, n=4) as socks:
        statuses = [_status(s) for s in socks]
    assert statuses == [408] * 4
    assert time.monotonic() - start < BODY_TIMEOUT_S * 4
    assert _authenticated_answers(base, token, 3) == [200] * 3


def test_a_normal_upload_still_works(served: tuple[str, str]) -> None:
    base, token = served
    r = httpx.post(
        base + "/api/v1/projects/film/uploads", content=b"x" * 200_000, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.status_code == 201, r.text
