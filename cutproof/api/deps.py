"""Dependencies shared by the routes: workspace, caller, and project authorization.

Authorization is a dependency on every route: no or bad token → 401; a project the caller is not a member of
(or that does not exist) → 404, so foreign projects are indistinguishable from missing ones; a member without
the required role → 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cutproof.core import auth
from cutproof.core.auth import InvalidTokenError, Principal, Role
from cutproof.core.projects import Project, ProjectError, get_project
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace


# ``async`` so FastAPI calls these on the event loop: a sync dependency costs a round trip through the threadpool.
async def get_workspace(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


PROJECT_SLUG_MAX = 63  # the longest project slug a path accepts

WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

bearer = HTTPBearer(auto_error=False, description="API token from `cutproof token create`.")


BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def get_principal(ws: WorkspaceDep, settings: SettingsDep, creds: BearerDep) -> Principal:
    return _authenticate(ws, settings, creds)


def _authenticate(ws: Workspace, settings: Settings, creds: HTTPAuthorizationCredentials | None) -> Principal:
    unauthorized = {"WWW-Authenticate": "Bearer"}
    if creds is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token", headers=unauthorized)
    try:
        return auth.authenticate(ws.engine, creds.credentials, pepper=settings.secret_key.get_secret_value().encode())
    except InvalidTokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc), headers=unauthorized) from None


CurrentUser = Annotated[Principal, Depends(get_principal)]


@dataclass(frozen=True)
class ProjectAccess:
    """A project the caller may act on, with the caller."""

    project: Project
    principal: Principal


def project_access(*roles: Role) -> object:
    """Dependency: the ``{project}`` path parameter as a project the caller holds one of ``roles`` in.

    With no roles, any membership suffices.
    """

    def dependency(
        ws: WorkspaceDep,
        settings: SettingsDep,
        creds: BearerDep,
        project: Annotated[str, Path(description="Project slug.", max_length=PROJECT_SLUG_MAX)],
    ) -> ProjectAccess:
        # The token is checked here rather than through ``CurrentUser``: each sync dependency is one more trip
        # through the threadpool, and this one does both in one.
        return authorize(ws, settings, creds, project, roles)

    return Depends(dependency)


def authorize(
    ws: Workspace,
    settings: Settings,
    creds: HTTPAuthorizationCredentials | None,
    project: str,
    roles: tuple[Role, ...],
) -> ProjectAccess:
    """The caller's access to ``project`` with one of ``roles`` (none: any membership), checked in this order:
    no or bad token → 401, not a member or no such project → 404, no such role → 403 (``HTTPException``)."""
    principal = _authenticate(ws, settings, creds)
    if not principal.is_member(project):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"project {project!r} not found")
    try:
        p = get_project(ws, project)
    except ProjectError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"project {project!r} not found") from None
    if roles and not any(principal.has_role(project, r) for r in roles):
        needed = " or ".join(r.value for r in roles)
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this action needs the {needed} role in {project!r}")
    return ProjectAccess(p, principal)


def require_superuser(principal: CurrentUser) -> Principal:
    if not principal.is_superuser:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this action needs a workspace administrator")
    return principal


Superuser = Annotated[Principal, Depends(require_superuser)]
AnyMember = Annotated[ProjectAccess, project_access()]
AdminOf = Annotated[ProjectAccess, project_access(Role.ADMIN)]
EditorOf = Annotated[ProjectAccess, project_access(Role.EDITOR)]
LegalOf = Annotated[ProjectAccess, project_access(Role.LEGAL)]
QcOf = Annotated[ProjectAccess, project_access(Role.QC)]
