"""Projects and their members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, status
from pydantic import BaseModel, ConfigDict, Field

from cutproof.api.deps import AdminOf, AnyMember, CurrentUser, Superuser, WorkspaceDep
from cutproof.core import access as roles
from cutproof.core.auth import Role
from cutproof.core.projects import Project, ProjectContext, create_project, list_projects

router = APIRouter(tags=["projects"])


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    name: str | None = Field(default=None, max_length=200)
    context: ProjectContext = ProjectContext()


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=64)
    role: Role


class MemberRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=64)
    role: Role
    reason: str = Field(min_length=1, max_length=1000, description="Why (recorded in the ledger).")


class MemberPublic(BaseModel):
    username: str
    project: str
    role: Role


@router.get("/projects", response_model=list[Project])
def get_projects(ws: WorkspaceDep, principal: CurrentUser) -> list[Project]:
    """The projects the caller is a member of."""
    return [p for p in list_projects(ws) if principal.is_member(p.slug)]


@router.post("/projects", response_model=Project, status_code=status.HTTP_201_CREATED)
def post_project(ws: WorkspaceDep, principal: Superuser, body: ProjectCreate) -> Project:
    """Create a project with its ledger log (workspace administrators only)."""
    return create_project(ws, body.slug, body.name, body.context, identity=principal.identity)


@router.get("/projects/{project}", response_model=Project)
def get_project_route(access: AnyMember) -> Project:
    """One project and its policy context."""
    return access.project


@router.post("/projects/{project}/members", response_model=MemberPublic, status_code=status.HTTP_201_CREATED)
def post_member(ws: WorkspaceDep, access: AdminOf, body: Annotated[MemberCreate, Body()]) -> MemberPublic:
    """Give a user a role in the project (project admins; never to themselves). The grant is recorded in the
    project's ledger (``access.granted/1``)."""
    roles.grant(ws, access.project, body.username, body.role, by=access.principal.identity)
    return MemberPublic(username=body.username, project=access.project.slug, role=body.role)


@router.get("/projects/{project}/members", response_model=list[MemberPublic])
def get_members(ws: WorkspaceDep, access: AdminOf) -> list[MemberPublic]:
    """Who holds which role in the project (project admins)."""
    slug = access.project.slug
    return [MemberPublic(username=u, project=slug, role=Role(r)) for u, r in roles.members(ws, slug)]


@router.post("/projects/{project}/members/revoke", response_model=MemberPublic)
def revoke_member(ws: WorkspaceDep, access: AdminOf, body: Annotated[MemberRevoke, Body()]) -> MemberPublic:
    """Take a role away (project admins), with the reason; recorded in the ledger (``access.revoked/1``)."""
    roles.revoke(ws, access.project, body.username, body.role, by=access.principal.identity, reason=body.reason)
    return MemberPublic(username=body.username, project=access.project.slug, role=body.role)
