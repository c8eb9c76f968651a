"""Projects and their members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, status
from pydantic import BaseModel, ConfigDict, Field

from cutproof.api.deps import AdminOf, AnyMember, CurrentUser, Superuser, WorkspaceDep
from cutproof.core import auth
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
    """Give a user a role in the project (project admins)."""
    auth.grant_role(ws.engine, body.username, access.project.slug, body.role)
    return MemberPublic(username=body.username, project=access.project.slug, role=body.role)
