"""Bounded concurrency for the API: past a limit of requests in flight, answer 503 at once instead of queueing.

Under overload an unbounded queue makes every request slow (each waits behind all the others, then times out at
the client, whose retry joins the queue again). Refusing the excess immediately with ``503 Service Unavailable``
and ``Retry-After`` keeps the admitted requests fast and tells clients when to come back. ``/healthz`` is never
refused, so an overloaded server is not mistaken for a dead one.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT_PATHS = frozenset({"/healthz"})


class LoadShedding:
    """ASGI middleware: at most ``limit`` HTTP requests in flight; the excess gets 503 with ``Retry-After``.

    The count lives on the event loop (one thread), so it needs no lock. ``shed`` counts the refused requests.
    """

    def __init__(self, app: ASGIApp, limit: int, retry_after_s: int = 1) -> None:
        if limit < 1:
            raise ValueError(f"the in-flight limit must be at least 1, got {limit}")
        self.app = app
        self.limit = limit
        self.retry_after_s = retry_after_s
        self.in_flight = 0
        self.shed = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self.shed += 1
            await self._refuse(send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "detail": f"the server is at its limit of {self.limit} requests in flight; "
                f"retry after {self.retry_after_s} s",
                "error": "Overloaded",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(self.retry_after_s).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
