"""Admission before the in-flight count: who may make the server wait for a request body.

A request body arrives at the client's pace; while it trickles in, the request holds one of the server's
``max_in_flight`` places (``cutproof.api.shedding``). Unchecked, 32 connections that announce a body and send
five bytes of it hold every place, and every other caller gets 503 for as long as they keep the sockets open.
``Admission`` (outermost ASGI middleware) closes that door:

1. **Authentication before the body.** An API request that carries a body (``Content-Length`` > 0 or chunked) is
   authenticated from its headers first (the bearer token, as every route checks it); without a valid token it is
   answered 401 at once, its body never read and no in-flight place taken. The routes still authorise as before.
2. **A body timeout.** Every chunk of a body must arrive within ``body_timeout_s`` and the whole body at no less
   than ``MIN_BODY_RATE`` bytes/s after that allowance; otherwise the request is answered 408 and its place freed.
3. **Per-client limits.** A request that comes without a token (the console's forms, a sign-in) holds at most
   ``per_client`` places per client address, so one client cannot fill the server even through the console.

``/healthz`` passes untouched, as in load shedding. The public routes that take a body from anyone (``PUBLIC``:
the free verification interface) skip step 1 and are held to steps 2 and 3 like the console's forms.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import anyio
from fastapi.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cutproof.core import auth
from cutproof.core.auth import InvalidTokenError

PUBLIC = frozenset({"/verify"})  # API paths (below the API prefix) that anyone may send a body to
MIN_BODY_RATE = 16 * 1024  # bytes/s a body must average once the idle allowance is spent


class BodyTimeout(HTTPException):
    """The client stopped sending its body (408, through the app's HTTP error handling, or this middleware)."""

    def __init__(self, detail: str) -> None:
        super().__init__(408, detail, headers={"connection": "close"})


class Admission:
    """ASGI middleware (see the module's docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        workspace: Any,
        settings: Any,
        api_prefix: str,
        body_timeout_s: float,
        per_client: int,
    ) -> None:
        self.app = app
        self.ws = workspace
        self.pepper = settings.secret_key.get_secret_value().encode()
        self.api_prefix = api_prefix
        self.body_timeout_s = body_timeout_s
        self.per_client = max(1, per_client)
        self.anonymous: Counter[str] = Counter()  # in-flight requests without a token, per client address
        self.refused = Counter[str]()  # 401 before the body, 408, per-client 503 (for tests and metrics)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") == "/healthz":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if not _announces_body(headers):  # nothing to wait for: the routes authenticate as ever
            await self.app(scope, receive, send)
            return
        token = _bearer(headers)
        valid = token is not None and await self._valid(token)
        path = scope.get("path", "")
        public = path.removeprefix(self.api_prefix) in PUBLIC
        if not valid and not public and path.startswith(self.api_prefix + "/"):
            self.refused["unauthenticated"] += 1
            await _answer(send, 401, "a request with a body needs a valid bearer token", bearer=True)
            return
        client = (scope.get("client") or ("?", 0))[0]
        counted = not valid  # e.g. the console's forms (a session cookie, or a sign-in), the public verify route
        if counted:
            if self.anonymous[client] >= self.per_client:
                self.refused["per_client"] += 1
                await _answer(send, 503, f"at most {self.per_client} requests at once from one client without a token")
                return
            self.anonymous[client] += 1
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, self._timed(receive, headers), tracking_send)
        except BodyTimeout as exc:
            if not started:
                await _answer(send, 408, exc.detail)
        finally:
            if counted:
                self.anonymous[client] -= 1
                if not self.anonymous[client]:
                    del self.anonymous[client]

    async def _valid(self, token: str) -> bool:
        try:
            await run_in_threadpool(auth.authenticate, self.ws.engine, token, pepper=self.pepper)
        except InvalidTokenError:
            return False
        return True

    def _timed(self, receive: Receive, headers: dict[bytes, bytes]) -> Receive:
        length = headers.get(b"content-length", b"")
        expected = int(length) if length.isdigit() and len(length) < 19 else 0
        deadline = time.monotonic() + self.body_timeout_s + expected / MIN_BODY_RATE
        done = False

        async def receive_in_time() -> Message:
            nonlocal done
            if done:
                return await receive()  # after the body: e.g. waiting for a disconnect
            wait = min(self.body_timeout_s, deadline - time.monotonic())
            with anyio.move_on_after(max(wait, 0)) as scope:
                message = await receive()
            if scope.cancelled_caught:
                self.refused["body_timeout"] += 1
                raise BodyTimeout(
                    f"the request body did not arrive in time (each part within {self.body_timeout_s:g} s, the "
                    f"whole at {MIN_BODY_RATE // 1024} KiB/s or faster)"
                )
            if message["type"] != "http.request" or not message.get("more_body", False):
                done = True
            return message

        return receive_in_time


def _announces_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length")
    if length is not None:
        return length.strip() not in (b"", b"0")
    return b"chunked" in headers.get(b"transfer-encoding", b"").lower()


def _bearer(headers: dict[bytes, bytes]) -> str | None:
    value = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


async def _answer(send: Send, status: int, detail: str, *, bearer: bool = False) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if bearer:
        headers.append((b"www-authenticate", b"Bearer"))
    if status in (401, 408, 503):
        headers.append((b"connection", b"close"))  # the unread body makes the connection unusable
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
