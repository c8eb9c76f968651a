"""Who is calling the console, and may they: the API's own authorization applied to the session's token.

Every page and action resolves the session cookie to the API token it was opened with and calls
``cutproof.api.deps.authorize`` — the function behind every API route's dependency — with it: no or bad token →
401 (the console sends the browser to sign-in), a project the caller is not a member of (or that does not exist)
→ 404, a member without the role → 403, with the API's messages. Pages that show what the API gives one role
ask for that role; no page has a rule of its own.

Unsafe requests (POST) also carry the session's CSRF token, in the form field ``csrf_token`` or the header
``X-CSRF-Token`` (the console's scripts), and an ``Origin``, when the browser sends one, of this server; otherwise
403 before anything is read or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials

from cutproof.api.deps import PROJECT_SLUG_MAX, ProjectAccess, authorize, get_principal
from cutproof.console.sessions import COOKIE, ConsoleSession, SessionError, SessionStore, csrf_matches
from cutproof.core.auth import Principal, Role
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def workspace_of(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def session_of(request: Request) -> ConsoleSession:
    """The request's console session (cached on the request).

    Raises:
        SessionError: no valid session (the console answers by sending the browser to sign-in).
    """
    cached = getattr(request.state, "console_session", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    session = SessionStore(workspace_of(request).engine).resolve(request.cookies.get(COOKIE))
    request.state.console_session = session
    return session


def _creds(session: ConsoleSession) -> HTTPAuthorizationCredentials:
    return HTTPAuthorizationCredentials(scheme="Bearer", credentials=session.token)


@dataclass(frozen=True)
class Caller:
    """A signed-in caller: the session and the principal its token resolves to (as the API resolves it)."""

    session: ConsoleSession
    principal: Principal


@dataclass(frozen=True)
class PageAccess:
    """A project page the caller may see: the API's ``ProjectAccess`` plus the session (for the CSRF token)."""

    access: ProjectAccess
    session: ConsoleSession

    @property
    def project(self) -> Any:
        return self.access.project

    @property
    def principal(self) -> Principal:
        return self.access.principal


def caller(request: Request) -> Caller:
    """The signed-in caller, authenticated by the API's own function (401 when the token no longer works)."""
    session = session_of(request)
    principal = get_principal(workspace_of(request), settings_of(request), _creds(session))
    return Caller(session, principal)


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request without the session's CSRF token or from another origin (403)."""
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "cross-origin form refused")
    session = await run_in_threadpool(session_of, request)
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        submitted = (await request.form()).get(CSRF_FIELD)  # type: ignore[assignment]
    if not csrf_matches(session, submitted):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "this form has no valid CSRF token; reload the page and submit it again"
        )


def project_page(*roles: Role) -> Any:
    """Dependency: the ``{project}`` path parameter as a project the caller holds one of ``roles`` in (any
    membership without roles), checked by ``deps.authorize``."""

    def dependency(request: Request, project: Annotated[str, Path(max_length=PROJECT_SLUG_MAX)]) -> PageAccess:
        session = session_of(request)
        access = authorize(workspace_of(request), settings_of(request), _creds(session), project, roles)
        return PageAccess(access, session)

    return Depends(dependency)


def project_action(*roles: Role) -> Any:
    """Dependency for a POST: the CSRF check first, then ``project_page(*roles)``'s authorization."""

    async def dependency(request: Request, project: Annotated[str, Path(max_length=PROJECT_SLUG_MAX)]) -> PageAccess:
        await check_csrf(request)
        session = session_of(request)  # resolved (and cached on the request) by the CSRF check
        access = await run_in_threadpool(
            authorize, workspace_of(request), settings_of(request), _creds(session), project, roles
        )
        return PageAccess(access, session)

    return Depends(dependency)


def roles_in(principal: Principal, project: str) -> set[str]:
    """The roles to show navigation for (a superuser holds them all, as ``Principal.has_role`` says)."""
    return {r.value for r in Role if principal.has_role(project, r)}


__all__ = [
    "CSRF_FIELD",
    "Caller",
    "PageAccess",
    "SessionError",
    "caller",
    "check_csrf",
    "project_action",
    "project_page",
    "roles_in",
    "session_of",
]

AnyPage = Annotated[PageAccess, project_page()]
AdminPage = Annotated[PageAccess, project_page(Role.ADMIN)]
AdminAction = Annotated[PageAccess, project_action(Role.ADMIN)]
LegalPage = Annotated[PageAccess, project_page(Role.LEGAL)]
QcPage = Annotated[PageAccess, project_page(Role.QC)]
LegalAction = Annotated[PageAccess, project_action(Role.LEGAL)]
EditorAction = Annotated[PageAccess, project_action(Role.EDITOR)]
QcAction = Annotated[PageAccess, project_action(Role.QC)]
LabelAction = Annotated[PageAccess, project_action(Role.EDITOR, Role.LEGAL)]  # = routes.labels.LABEL_ROLES
TrainAction = Annotated[PageAccess, project_action(Role.EDITOR, Role.ADMIN)]  # = POST /trainings' EditorOrAdmin
TagAction = Annotated[PageAccess, project_action(Role.EDITOR, Role.ADMIN)]  # = POST /cast-tags' EditorOrAdmin
