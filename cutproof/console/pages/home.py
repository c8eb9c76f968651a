"""Sign-in, sign-out, the caller's projects and a project's overview."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials

from cutproof.api.deps import get_principal
from cutproof.console.access import AnyPage, caller, check_csrf, roles_in, session_of
from cutproof.console.pages._common import layout, workspace
from cutproof.console.sessions import COOKIE, SessionStore
from cutproof.console.web import PREFIX, render
from cutproof.core.auth import Role
from cutproof.core.projects import list_projects
from cutproof.edits.requests import RequestStore
from editor import Catalogue

router = APIRouter()

SIGNIN_COOKIE = "cutproof_signin"  # double-submit token of the sign-in form (no session exists yet)


def _secure(request: Request) -> bool:
    return request.app.state.settings.environment != "local" or request.url.scheme == "https"


def _safe_next(target: str | None) -> str:
    """Only a path of this console (no scheme, no host, no ``//``) is a place to go after sign-in."""
    if not target or not target.startswith(PREFIX + "/") or target.startswith("//") or "\\" in target:
        return PREFIX + "/"
    return target


def _sign_in_page(request: Request, next_: str, error: str | None = None, status_code: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "sign_in.html.j2", status_code, signin_csrf=token, next=_safe_next(next_), error=error)
    response.set_cookie(
        SIGNIN_COOKIE,
        token,
        max_age=3600,
        path=PREFIX + "/sign-in",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str | None = None) -> Response:
    return _sign_in_page(request, next or "")


@router.post("/sign-in")
def sign_in(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    expected = request.cookies.get(SIGNIN_COOKIE)
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise HTTPException(403, "the sign-in form expired or was not sent by this page; reload it and sign in")
    ws = workspace(request)
    try:
        principal = get_principal(
            ws, request.app.state.settings, HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
        )
    except HTTPException as exc:
        return _sign_in_page(request, next, f"That token does not work: {exc.detail}.", 401)
    cookie, _session = SessionStore(ws.engine).open(token, principal.username)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, cookie, path=PREFIX, httponly=True, samesite="strict", secure=_secure(request))
    response.delete_cookie(SIGNIN_COOKIE, path=PREFIX + "/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    await check_csrf(request)
    session = session_of(request)
    await run_in_threadpool(SessionStore(workspace(request).engine).close, session.session_sha256)
    response = RedirectResponse(PREFIX + "/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


@router.get("/", response_class=HTMLResponse)
def projects(request: Request) -> Response:
    who = caller(request)
    p = who.principal
    mine = [(proj, roles_in(p, proj.slug)) for proj in list_projects(workspace(request)) if p.is_member(proj.slug)]
    return render(request, "projects.html.j2", projects=mine, user=p.username, roles=set())


@router.get("/p/{project}/", response_class=HTMLResponse)
def overview(request: Request, page: AnyPage) -> Response:
    ws = workspace(request)
    slug = page.project.slug
    requests = RequestStore(ws.engine).list(slug)
    counts: dict[str, int] = {}
    for r in requests:
        counts[r.state] = counts.get(r.state, 0) + 1
    return render(
        request,
        "overview.html.j2",
        **layout(page, "home"),
        counts=counts,
        shots=len(Catalogue(ws.engine).list(project=slug)),
        recent=list(reversed(requests))[:8],
        legal=page.principal.has_role(slug, Role.LEGAL),
    )
