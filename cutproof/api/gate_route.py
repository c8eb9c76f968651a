"""The gate's hot path: ``POST /api/v1/projects/{project}/edits`` answered without FastAPI's per-request machinery.

Every edit of every project is decided here, at hundreds of requests per second on a small server. FastAPI's
handling of one submission (matching through the included routers, resolving the dependencies, a second trip
through the thread pool, validating and encoding the response model) cost about 0.9 ms of CPU per submission on top of
the decision (0.1–1.7 ms over 8 rounds of 300 submissions through each, back to back, in process, on a noisy host).
This route gives the same answer with one trip through the thread pool:

- the body is read as FastAPI reads it (JSON, then ``EditSubmission`` in Python mode); a body that is not
  JSON, is not a valid submission, or comes without a Content-Length or with another content type is **handed
  over**: the request is dispatched again through the router, body replayed, and the FastAPI route
  (``routes.edits.post_edit``, which also documents the operation) gives its 422 or whatever else it answers;
- the token, the project and the role are checked by ``deps.authorize``, the function behind the routes'
  dependency (401, 404, 403 in the same order and with the same messages);
- errors from the gate (unknown shot, unregistered performer, …) propagate to the app's exception handlers, as
  they do from any route, and the answer is ``routes.edits.decision_public``, the route's own response model.

``tests/cutproof/test_api_gate_route.py`` sends the same requests, good and bad, to an app with and without this
route and compares the answers.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Match, compile_path, get_route_path
from starlette.types import Message, Receive, Scope, Send

from cutproof.api.deps import PROJECT_SLUG_MAX, authorize, bearer
from cutproof.api.routes.edits import decision_public
from cutproof.core.auth import Role
from cutproof.core.jobs import Job
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import submit
from cutproof.edits.gate import GateResult
from cutproof.edits.submission import EditSubmission

HANDED_OVER = "cutproof.gate_route.handed_over"  # scope key: dispatch past this route to the FastAPI one


class GateRoute(BaseRoute):
    """``POST {prefix}/projects/{project}/edits`` (see the module's docstring); insert it before the app's other
    routes with ``install``."""

    def __init__(self, prefix: str) -> None:
        self.path = f"{prefix}/projects/{{project}}/edits"
        self.path_regex, self.path_format, self.param_convertors = compile_path(self.path)

    @classmethod
    def install(cls, app: Any, prefix: str) -> GateRoute:
        route = cls(prefix)
        app.router.routes.insert(0, route)
        return route

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get(HANDED_OVER):
            return Match.NONE, {}
        found = self.path_regex.match(get_route_path(scope))
        if found is None:
            return Match.NONE, {}
        return Match.FULL, {"path_params": {**scope.get("path_params", {}), **found.groupdict()}}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        project = scope["path_params"]["project"]
        headers = Headers(scope=scope)
        if len(project) > PROJECT_SLUG_MAX or not _is_json(headers) or "content-length" not in headers:
            await self._hand_over(scope, receive, send, None)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away before sending its body: nobody to answer
            return
        try:
            submission = EditSubmission.model_validate(json.loads(body))
        except (ValueError, RecursionError):  # JSON, UTF-8, nesting or validation errors (pydantic's are ValueErrors)
            await self._hand_over(scope, receive, send, body)
            return
        creds = await bearer(HTTPConnection(scope))
        app = scope["app"]
        gate, job = await run_in_threadpool(
            _decide, app.state.workspace, app.state.settings, creds, project, submission
        )
        answer = decision_public(gate, job).model_dump_json().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-length", str(len(answer)).encode()), (b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    @staticmethod
    async def _hand_over(scope: Scope, receive: Receive, send: Send, body: bytes | None) -> None:
        if body is not None:
            receive = _replay(body, receive)
        scope[HANDED_OVER] = True
        await scope["app"].router.app(scope, receive, send)


def _decide(
    ws: Workspace,
    settings: Settings,
    creds: HTTPAuthorizationCredentials | None,
    project: str,
    submission: EditSubmission,
) -> tuple[GateResult, Job | None]:
    access = authorize(ws, settings, creds, project, (Role.EDITOR,))
    return submit(ws, access.project, submission, identity=access.principal.identity)


def _is_json(headers: Headers) -> bool:
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type == "application/json"


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # e.g. a disconnect, for a route that waits for one

    return replayed
