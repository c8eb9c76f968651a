"""Legal: the per-shot audit with performers' names, editable labels, flags and receipt links; its exports (HTML,
CSV, JSON); the audit of an editor's cut (EDL, FCP 7 XML, FCPXML, AAF, OTIO) and the cut written back with a
marker on every AI-altered range; the lab's ALE applied to the shots.

The report is ``audit.build_audit`` / ``audit.timeline.audit_timeline`` and its renderings ``audit.report``; the
legal role is required, as for ``GET /audit``. Labels and ALE go through the API's routes (``routes.labels``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from cutproof.api.routes.labels import LABEL_ROLES, AleApply, post_ale
from cutproof.audit.build import AuditReport, build_audit
from cutproof.audit.report import to_csv, to_html
from cutproof.audit.timeline import (
    TimelineError,
    adapter_for,
    audit_timeline,
    footage_rate,
    mark_timeline,
    marked_suffix,
    write_timeline_string,
)
from cutproof.console.access import LabelAction, LegalAction, LegalPage, PageAccess
from cutproof.console.pages._common import layout, store_upload, workspace
from cutproof.console.web import PREFIX, download, render
from cutproof.core.uploads import resolve_upload
from cutproof.core.workspace import Workspace
from editor import Catalogue

router = APIRouter()

Sha = Annotated[str | None, Query(pattern=r"^[0-9a-f]{64}$")]
Name = Annotated[str | None, Query(max_length=255)]


def _report(ws: Workspace, page: PageAccess, timeline: str | None, name: str | None) -> tuple[AuditReport, object]:
    if timeline is None:
        return build_audit(ws, page.project), None
    if not name:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "a cut needs its file name (its format)")
    path = resolve_upload(ws, page.project.slug, f"blob:{timeline}")
    return audit_timeline(ws, page.project, path, name=name)


def _receipt_url(page: PageAccess, report: AuditReport) -> object:
    base = f"{PREFIX}/p/{page.project.slug}/ledger/entries"
    return lambda i: f"{base}/{i}/receipt?size={report.log_size}"


@router.get("/p/{project}/audit", response_class=HTMLResponse)
def audit(request: Request, page: LegalPage, timeline: Sha = None, name: Name = None) -> Response:
    ws = workspace(request)
    try:
        report, _tl = _report(ws, page, timeline, name)
    except TimelineError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from None
    query = "?" + urlencode({"timeline": timeline, "name": name or ""}) if timeline else ""
    clips = {c.content_hash: c for c in Catalogue(ws.engine).list(project=page.project.slug)}
    return render(
        request,
        "audit.html.j2",
        **layout(page, "audit"),
        r=report,
        summary=report.summary(),
        clips=clips,
        query=query,
        timeline_name=name if timeline else None,
        marked_name=(Path(name).stem + "-ai-marked" + marked_suffix(name)) if timeline and name else None,
        can_label=any(page.principal.has_role(page.project.slug, r) for r in LABEL_ROLES),
    )


@router.get("/p/{project}/audit/export.{fmt}")
def export(
    request: Request,
    page: LegalPage,
    fmt: Annotated[str, PathParam(pattern=r"^(html|csv|json)$")],
    timeline: Sha = None,
    name: Name = None,
) -> Response:
    report, _tl = _report(workspace(request), page, timeline, name)
    disposition = download(f"audit-{page.project.slug}.{fmt}")
    if fmt == "json":
        return JSONResponse(report.as_json(), headers=disposition)
    if fmt == "csv":
        return Response(to_csv(report), media_type="text/csv", headers=disposition)
    return HTMLResponse(to_html(report, _receipt_url(page, report)), headers=disposition)  # type: ignore[arg-type]


@router.get("/p/{project}/audit/marked")
def marked(
    request: Request,
    page: LegalPage,
    timeline: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")],
    name: Annotated[str, Query(max_length=255)],
) -> Response:
    """The cut written back with an ``AI edit`` marker on every AI-altered range, in its own format (``.otio``
    for AAF, whose writer drops markers)."""
    ws = workspace(request)
    try:
        report, tl = _report(ws, page, timeline, name)
        mark_timeline(tl, report)  # type: ignore[arg-type]
        out_name = Path(name).stem + "-ai-marked" + marked_suffix(name)
        rate = footage_rate(Catalogue(ws.engine).list(project=page.project.slug))
        text = write_timeline_string(tl, out_name, rate=rate)  # type: ignore[arg-type]
    except TimelineError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from None
    return Response(
        text,
        media_type="application/octet-stream",
        headers=download(out_name),
    )


@router.post("/p/{project}/audit/timeline")
async def upload_cut(request: Request, page: LegalAction) -> Response:
    form = await request.form()
    cut = form.get("cut")
    if not isinstance(cut, UploadFile) or not cut.filename:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY, "choose the cut to audit (EDL, XML, FCPXML, AAF, OTIO)"
        )
    name = Path(cut.filename.replace("\\", "/")).name
    try:
        adapter_for(name)
    except TimelineError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from None
    ref = await store_upload(workspace(request), page, cut)
    target = f"{PREFIX}/p/{page.project.slug}/audit?" + urlencode({"timeline": ref.removeprefix("blob:"), "name": name})
    return RedirectResponse(target, status_code=303)


@router.post("/p/{project}/dailies/ale")
async def upload_ale(request: Request, page: LabelAction) -> Response:
    ws = workspace(request)
    form = await request.form()
    ale = form.get("ale")
    if not isinstance(ale, UploadFile) or not ale.filename:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "choose the lab's .ale file")
    ref = await store_upload(ws, page, ale)
    result = await run_in_threadpool(post_ale, ws, page.access, AleApply(file=ref))
    return render(request, "ale_result.html.j2", **layout(page, "shots"), result=result, name=ale.filename)
