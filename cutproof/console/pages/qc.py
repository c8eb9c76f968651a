"""Delivery QC: drop one or many files, read each one's verification in plain language, and the history of checks
per deliverable (qc role, as ``POST /qc``).

The files go into the content-addressed store and the project's uploads (as ``POST /uploads`` does), then
``cutproof.qc.history.verify_files`` lays them side by side, runs ``verify_deliverable`` on each video against the
project's log and stores every report.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cutproof.console.access import QcAction, QcPage
from cutproof.console.pages._common import form_files, layout, store_upload, workspace
from cutproof.console.web import PREFIX, render
from cutproof.core.uploads import resolve_upload
from cutproof.edits.requests import RequestStore
from cutproof.qc.history import QcHistory, deliverable_key, verify_files
from cutproof.qc.plain import EXPLAIN, TITLES

router = APIRouter()

Id = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
MAX_FILES = 20


@router.get("/p/{project}/qc", response_class=HTMLResponse)
def qc_home(request: Request, page: QcPage) -> Response:
    recent = QcHistory(workspace(request).engine, page.project.slug).recent(20)
    return render(request, "qc.html.j2", **layout(page, "qc"), recent=recent, max_files=MAX_FILES)


@router.post("/p/{project}/qc")
async def qc_drop(request: Request, page: QcAction) -> Response:
    ws = workspace(request)
    form = await request.form()
    uploads = form_files(form, "files", MAX_FILES, "check")
    stored = []
    for f in uploads:
        ref = await store_upload(ws, page, f)
        stored.append((f.filename or "upload.bin", resolve_upload(ws, page.project.slug, ref)))
    results = await run_in_threadpool(
        verify_files, ws, page.project.slug, page.project.origin, stored, checked_by=page.principal.identity
    )
    if not results:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "none of the files is a video to check")
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/qc/batches/{results[0].batch_id}", status_code=303)


@router.get("/p/{project}/qc/batches/{batch_id}", response_class=HTMLResponse)
def qc_batch(request: Request, page: QcPage, batch_id: Id) -> Response:
    results = QcHistory(workspace(request).engine, page.project.slug).batch(batch_id)
    if not results:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no QC batch {batch_id}")
    return render(request, "qc_results.html.j2", **layout(page, "qc"), results=results, titles=TITLES, explain=EXPLAIN)


@router.get("/p/{project}/qc/checks/{check_id}", response_class=HTMLResponse)
def qc_check(request: Request, page: QcPage, check_id: Id) -> Response:
    result = QcHistory(workspace(request).engine, page.project.slug).get(check_id)
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no QC check {check_id}")
    return render(request, "qc_results.html.j2", **layout(page, "qc"), results=[result], titles=TITLES, explain=EXPLAIN)


@router.get("/p/{project}/qc/history", response_class=HTMLResponse)
def qc_history(request: Request, page: QcPage) -> Response:
    ws = workspace(request)
    groups = QcHistory(ws.engine, page.project.slug).by_deliverable()
    delivered = {
        f"{page.project.origin}#{r.edit_index}": r
        for r in RequestStore(ws.engine).list(page.project.slug, state="delivered")
        if r.edit_index is not None
    }
    return render(
        request,
        "qc_history.html.j2",
        **layout(page, "qc"),
        groups=groups,
        delivered=delivered,
        key=deliverable_key,
    )
