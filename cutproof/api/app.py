"""The FastAPI application factory."""

from __future__ import annotations

import gc
import json
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consent import (
    AlreadyLiftedError,
    AlreadyRevokedError,
    DuplicatePerformerError,
    UnknownGrantError,
    UnknownPerformerError,
    UnknownSuspensionError,
)
from cutproof import __version__
from cutproof.api.admission import Admission
from cutproof.api.gate_route import GateRoute
from cutproof.api.pool import LOCK_NAME, ElectedPool
from cutproof.api.public import scrub
from cutproof.api.shedding import LoadShedding
from cutproof.core.access import MembershipNotFoundError, SeparationOfDutiesError
from cutproof.core.errors import USER_ERRORS
from cutproof.core.jobs import JobNotFoundError
from cutproof.core.settings import Settings
from cutproof.core.uploads import UploadNotFoundError
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import FlowError
from cutproof.edits.references import ReferenceNotFoundError
from cutproof.edits.requests import RequestNotFoundError
from cutproof.scale.engine import Runner, make_runner
from editor.errors import ClipNotFoundError, ModelNotFoundError
from ledger.errors import IndexOutOfRangeError, UnknownLogError
from policies import ReviewError
from store.errors import BlobTooLargeError
from store.wal import WalCheckpointer

API_PREFIX = "/api/v1"


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes with 413, by Content-Length and by counting what streams in."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await self._reject(send)
                return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BlobTooLargeError(f"request body exceeds the limit of {self.limit} bytes")
            return message

        await self.app(scope, counting_receive, send)

    async def _reject(self, send: Send) -> None:
        body = f'{{"detail":"request body exceeds the limit of {self.limit} bytes"}}'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _status_for(exc: Exception) -> int:
    if isinstance(exc, BlobTooLargeError):
        return 413
    if isinstance(exc, SeparationOfDutiesError):
        return 403
    if isinstance(
        exc, UnknownLogError | IndexOutOfRangeError | JobNotFoundError | RequestNotFoundError | UploadNotFoundError
    ):
        return 404
    if isinstance(exc, UnknownPerformerError | UnknownGrantError | UnknownSuspensionError):
        return 404
    if isinstance(exc, ReferenceNotFoundError | ClipNotFoundError | ModelNotFoundError | MembershipNotFoundError):
        return 404  # a reference to another production's object is answered as one to nothing
    if isinstance(exc, FlowError | ReviewError | AlreadyRevokedError | AlreadyLiftedError | DuplicatePerformerError):
        return 409
    return 422


def create_app(
    settings: Settings | None = None,
    workspace: Workspace | None = None,
    *,
    run_workers: bool = True,
    elect_pool: bool = False,
    freeze_heap: bool = False,
    gate_route: bool = True,
) -> FastAPI:
    """Build the API for a workspace; with ``run_workers`` its jobs run in a worker pool in this process, or on the
    Ray cluster of ``settings.ray_address`` through a dispatcher in this process (``cutproof.scale``); with
    ``elect_pool``, only while this process holds the workspace's job-pool lock: see ``cutproof.api.pool``.

    ``freeze_heap`` (for a server process, not for tests that build many apps): at start-up, move everything
    loaded so far out of the garbage collector's reach (``gc.freeze``). The imported libraries make some 300,000
    long-lived objects, and a full collection over them stalls every request of the process for about 150 ms.

    ``gate_route``: answer edit submissions by ``cutproof.api.gate_route`` (off only to compare it with the FastAPI
    route it stands in front of).

    Raises:
        SettingsError: unsafe settings outside local use (e.g. the default secret key).
        WorkspaceError: the workspace is not initialised, or its database's schema is not this release's
            (``SchemaError``: run ``cutproof db upgrade``).
    """
    settings = (settings or Settings()).check_safe()
    ws = (workspace or Workspace(settings.home, settings.db, tsa_url=settings.tsa_url)).require()
    ws.engine  # noqa: B018 - checks the schema: a database not upgraded yet is refused now, not on a request
    ws.secure()  # private whatever the umask it was made under
    ws.sweep_stale()  # what a killed process left mid-upload

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        if freeze_heap:
            gc.collect()
            gc.freeze()
        checkpointer = WalCheckpointer(ws.engine).start()  # commits no longer checkpoint the SQLite log themselves
        _open_connections(ws.engine, settings.threads + 2)
        pool: Runner | None = None
        if run_workers and (settings.workers or settings.ray_address):

            def make_pool() -> Runner:  # the in-process pool, or the dispatcher to a Ray cluster
                return make_runner(ws, settings)

            pool = ElectedPool(ws.home / LOCK_NAME, make_pool) if elect_pool else make_pool()
            pool.start()
        try:
            yield
        finally:
            if pool:
                pool.stop()
            checkpointer.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Cutproof",
        version=__version__,
        description="Gated AI edits for film and TV: consent, policy, signed ledger, C2PA and watermark labels, QC.",
    )
    app.state.settings = settings
    app.state.workspace = ws

    async def _user_error(_request: Request, exc: Exception) -> JSONResponse:
        detail = scrub(str(exc), ws.home)  # a message may name a file: never where the server keeps it
        return JSONResponse({"detail": detail, "error": type(exc).__name__}, status_code=_status_for(exc))

    for error_type in USER_ERRORS:
        app.add_exception_handler(error_type, _user_error)

    async def _malformed(_request: Request, exc: Exception) -> JSONResponse:
        """Input Python could parse but not store: a lone UTF-16 surrogate (not text), a number too large."""
        what = "a number is too large" if isinstance(exc, OverflowError) else "text is not valid Unicode"
        return JSONResponse({"detail": f"the request cannot be stored: {what}", "error": "InputError"}, 422)

    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer echoes the input, which may hold a lone surrogate: ASCII-escaped JSON carries it
        body = json.dumps({"detail": jsonable_encoder(exc.errors())}, ensure_ascii=True, default=str)
        return _ascii_json(body, 422)

    app.add_exception_handler(UnicodeError, _malformed)
    app.add_exception_handler(OverflowError, _malformed)
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]

    from cutproof.api.routes import consent, edits, labels, ledger, models, projects, qc_batch, resources, verify

    app.include_router(projects.router, prefix=API_PREFIX)
    app.include_router(ledger.router, prefix=API_PREFIX)
    app.include_router(edits.router, prefix=API_PREFIX)
    app.include_router(resources.router, prefix=API_PREFIX)
    app.include_router(consent.router, prefix=API_PREFIX)
    app.include_router(models.router, prefix=API_PREFIX)
    app.include_router(labels.router, prefix=API_PREFIX)
    app.include_router(verify.router, prefix=API_PREFIX)
    app.include_router(qc_batch.router, prefix=API_PREFIX)
    if gate_route:
        GateRoute.install(app, API_PREFIX)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    app.add_middleware(BodySizeLimit, limit=settings.max_request_bytes)
    app.add_middleware(LoadShedding, limit=settings.max_in_flight)  # refuse the excess before reading anything
    app.add_middleware(  # outermost: no body is waited for from a caller without a valid token
        Admission,
        workspace=ws,
        settings=settings,
        api_prefix=API_PREFIX,
        body_timeout_s=settings.body_timeout_s,
        per_client=settings.max_in_flight_per_client or max(1, settings.max_in_flight // 4),
    )
    return app


def _ascii_json(body: str, status_code: int) -> Response:
    return Response(body.encode("ascii"), status_code=status_code, media_type="application/json")


def _open_connections(engine: Engine, n: int) -> None:
    """Open ``n`` pooled database connections now, each with the schema read, so that the first burst of requests
    (one connection per busy thread) does not pay for opening them (measured: the first 150 ms of a 200 requests/s
    burst on a fresh server answered in up to 70 ms instead of 5-10 ms)."""
    probe = "SELECT count(*) FROM sqlite_master" if engine.dialect.name == "sqlite" else "SELECT 1"
    with ExitStack() as stack:
        for _ in range(n):
            stack.enter_context(engine.connect()).exec_driver_sql(probe).all()


def create_app_from_environment() -> FastAPI:
    """The app of one of several server processes (``cutproof serve --processes N``): settings from the
    ``CUTPROOF_*`` environment the parent set, one worker pool per workspace among the processes.

    Raises:
        SettingsError, WorkspaceError: as ``create_app``.
    """
    return create_app(Settings(), elect_pool=True, freeze_heap=True)
