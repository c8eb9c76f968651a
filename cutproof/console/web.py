"""Rendering pages, the console's security headers, and how errors reach a browser.

Every console response carries a strict Content-Security-Policy (scripts and styles only from
``/console/static``, no inline script, no framing, forms only to this origin), ``X-Content-Type-Options:
nosniff``, ``Referrer-Policy: same-origin`` and — for everything but static files — ``Cache-Control: no-store``,
so a page with consent details is never kept by a shared cache or the browser's history cache.

Errors: a request without a valid session (or whose token stopped working: 401) is sent to sign-in; any other
``HTTPException`` (403, 404, 409, …) and the components' user errors (with the status the API gives them) become
an error page with that status. Paths outside ``/console`` keep the API's JSON answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cutproof import __version__
from cutproof.console.sessions import SessionError
from cutproof.core.errors import USER_ERRORS
from cutproof.core.inputs import hidden_in_filename

PREFIX = "/console"
STATIC = f"{PREFIX}/static"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "media-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)

_env = Environment(
    loader=PackageLoader("cutproof.console", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, sort_keys=True, default=str)


def _with_names(text: str, names: dict[str, str]) -> str:
    """A decision's sentence with each performer id the reader may see a name for replaced by that name."""
    for pid, name in names.items():
        text = text.replace(pid, name)
    return text


_env.filters["with_names"] = _with_names
_env.globals.update(prefix=PREFIX, static=STATIC, version=__version__)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the page's context (``request`` and the session's CSRF token included)."""
    session = getattr(request.state, "console_session", None)
    html = _env.get_template(template).render(request=request, csrf=session.csrf_token if session else None, **context)
    return HTMLResponse(html, status_code=status_code)


def download(filename: str, *, inline: bool = False) -> dict[str, str]:
    """The ``Content-Disposition`` header for a file the browser saves (or shows, ``inline``) as ``filename``
    (RFC 6266): an ASCII ``filename`` for old clients, with quotes, backslashes, control characters and anything
    outside printable ASCII replaced by ``_``, and the name as UTF-8 in ``filename*`` (RFC 8187; the characters no
    uploaded file name may hold, ``core.inputs.hidden_in_filename``, dropped). A user's
    cut named ``R&D "final".edl`` or ``編集.edl`` downloads under its own name; no part of it can end the header
    value or add a parameter."""
    clean = "".join(c for c in filename if not hidden_in_filename(c)) or "download"
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in clean)
    kind = "inline" if inline else "attachment"
    return {"Content-Disposition": f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(clean, safe='')}"}


def is_console(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class SecurityHeaders:
    """ASGI middleware: the console's security headers on every ``/console`` response (a header the route set
    itself — e.g. a document's own policy — is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_console(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith(STATIC + "/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = [(n, v) for n, v in _HEADERS if n not in present]
                if not static and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = PREFIX + "/"
    response = RedirectResponse(f"{PREFIX}/sign-in?next={quote(target, safe='')}", status_code=303)
    if request.headers.get("accept", "").startswith("text/event-stream"):
        return Response("sign in again", status_code=401)
    return response


def install_error_pages(app: FastAPI) -> None:
    """Console paths get HTML errors (sign-in for 401); the API's paths keep the handlers they had."""
    api_user_error: Callable[..., Any] | None = app.exception_handlers.get(USER_ERRORS[0])

    async def on_session_error(request: Request, exc: Exception) -> Response:
        return _sign_in_redirect(request)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if not is_console(request.url.path):
            return await http_exception_handler(request, exc)
        if exc.status_code == 401:
            return _sign_in_redirect(request)
        return render(request, "error.html.j2", exc.status_code, status=exc.status_code, message=exc.detail)

    async def on_user_error(request: Request, exc: Exception) -> Response:
        answer = await api_user_error(request, exc) if api_user_error else None
        code = answer.status_code if answer is not None else 422
        if not is_console(request.url.path):
            return answer if answer is not None else Response(str(exc), status_code=code)
        return render(request, "error.html.j2", code, status=code, message=str(exc))

    app.add_exception_handler(SessionError, on_session_error)
    app.add_exception_handler(HTTPException, on_http_error)
    for error_type in USER_ERRORS:
        app.add_exception_handler(error_type, on_user_error)
