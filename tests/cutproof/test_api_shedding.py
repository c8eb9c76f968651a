"""Load shedding: past the in-flight limit the API answers 503 with Retry-After at once; /healthz always answers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cutproof.api.shedding import LoadShedding
from cutproof.core.settings import Settings


async def _call(app: Any, path: str) -> tuple[int, dict[bytes, bytes]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "http", "path": path, "method": "GET", "headers": []}, receive, send)
    return sent[0]["status"], dict(sent[0].get("headers", []))


def test_requests_past_the_limit_are_shed_with_retry_after() -> None:
    async def scenario() -> None:
        release = asyncio.Event()
        entered = asyncio.Event()

        async def slow(scope: Any, receive: Any, send: Any) -> None:
            entered.set()
            await release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

        app = LoadShedding(slow, limit=1)
        first = asyncio.create_task(_call(app, "/api/v1/projects"))
        await entered.wait()
        assert app.in_flight == 1
        status, headers = await _call(app, "/api/v1/projects")
        assert status == 503 and headers[b"retry-after"] == b"1" and app.shed == 1
        health = asyncio.create_task(_call(app, "/healthz"))  # exempt: reaches the app although it is full
        await asyncio.sleep(0)
        release.set()
        assert (await first)[0] == 200 and (await health)[0] == 200
        assert app.in_flight == 0
        assert (await _call(app, "/api/v1/projects"))[0] == 200  # capacity is back

    asyncio.run(scenario())


def test_an_app_error_frees_its_slot() -> None:
    async def scenario() -> None:
        async def broken(scope: Any, receive: Any, send: Any) -> None:
            raise RuntimeError("boom")

        app = LoadShedding(broken, limit=1)
        with pytest.raises(RuntimeError):
            await _call(app, "/x")
        assert app.in_flight == 0

    asyncio.run(scenario())


def test_limit_is_a_setting_and_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUTPROOF_MAX_IN_FLIGHT", "7")
    assert Settings().max_in_flight == 7
    with pytest.raises(ValueError):
        LoadShedding(lambda *a: None, limit=0)  # type: ignore[arg-type,return-value]
