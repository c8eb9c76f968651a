"""Members (project admins): who holds which role, give a role, take one away — each a ledger entry
(``cutproof.core.access``, as ``POST /members`` and ``POST /members/revoke``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cutproof.console.access import AdminAction, AdminPage
from cutproof.console.pages._common import layout, workspace
from cutproof.console.web import PREFIX, render
from cutproof.core import access
from cutproof.core.auth import Role

router = APIRouter()


@router.get("/p/{project}/members", response_class=HTMLResponse)
def members_page(request: Request, page: AdminPage) -> Response:
    rows = access.members(workspace(request), page.project.slug)
    return render(
        request, "members.html.j2", **layout(page, "members"), members=rows, all_roles=[r.value for r in Role]
    )


@router.post("/p/{project}/members")
async def grant_role(
    request: Request,
    page: AdminAction,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[Role, Form()],
) -> Response:
    await run_in_threadpool(access.grant, workspace(request), page.project, username, role, by=page.principal.identity)
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/members", status_code=303)


@router.post("/p/{project}/members/revoke")
async def revoke_role(
    request: Request,
    page: AdminAction,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[Role, Form()],
    reason: Annotated[str, Form(min_length=1, max_length=1000)],
) -> Response:
    await run_in_threadpool(
        access.revoke, workspace(request), page.project, username, role, by=page.principal.identity, reason=reason
    )
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/members", status_code=303)
