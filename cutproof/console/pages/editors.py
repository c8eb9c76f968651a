"""Editors: the project's shots with thumbnails, submitting an edit from a shot, the decision, live render progress
(server-sent events), and the deliverable with its receipt.

A submission is built as the API's ``EditSubmission`` and goes through ``flow.submit`` with the caller's
identity, exactly as ``POST /edits``; downloads are the API's own route functions (``get_deliverable``,
``get_receipt``) called with the caller's ``ProjectAccess``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from consent import KNOWN_PURPOSES
from cutproof.api.deps import authorize
from cutproof.api.routes.edits import get_deliverable, get_receipt
from cutproof.api.routes.labels import LABEL_ROLES, LabelsUpdate, post_labels
from cutproof.console.access import AnyPage, EditorAction, LabelAction, PageAccess
from cutproof.console.frames import WIDTHS, FrameError, frame_jpeg
from cutproof.console.pages._common import (
    event_stream,
    get_clip,
    get_request,
    layout,
    performer_names,
    store_upload,
    workspace,
)
from cutproof.console.web import PREFIX, download, render
from cutproof.core.auth import Role
from cutproof.core.inputs import MAX_TREE_SIZE
from cutproof.core.jobs import JobNotFoundError, JobQueue
from cutproof.core.projects import project_log
from cutproof.core.public_paths import scrub
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import submit
from cutproof.edits.params import ADJUSTMENTS, InvalidParametersError
from cutproof.edits.references import ModelMissingError
from cutproof.edits.requests import FINAL_STATES, RequestStore
from cutproof.edits.resubmit import RESUBMITTABLE, resubmit
from cutproof.edits.submission import EditSubmission
from editor import Catalogue
from editor.cast.tags import CastTags
from editor.notes import fit_note, flop_note, grade_note, pauses_note, sync_note
from editor.plate_summary import plate_summary

router = APIRouter()

ClipHash = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


def shots_context(ws: Workspace, page: PageAccess) -> dict[str, Any]:
    """The Shots page's context: the dailies, their edit counts, what the caller may do there."""
    slug = page.project.slug
    edits: dict[str, int] = {}
    for r in RequestStore(ws.engine).list(slug):
        edits[r.clip_hash] = edits.get(r.clip_hash, 0) + 1
    return {
        "clips": Catalogue(ws.engine).list(project=slug),
        "edits": edits,
        "can_label": any(page.principal.has_role(slug, r) for r in LABEL_ROLES),
        "can_ingest": page.principal.has_role(slug, Role.EDITOR),
        "ingested": [],
    }


@router.get("/p/{project}/shots", response_class=HTMLResponse)
def shots(request: Request, page: AnyPage) -> Response:
    ctx = shots_context(workspace(request), page)
    return render(request, "shots.html.j2", **layout(page, "shots"), **ctx)


@router.get("/p/{project}/shots/{clip_hash}/frames/{index}.jpg")
def frame(
    request: Request,
    page: AnyPage,
    clip_hash: ClipHash,
    index: Annotated[int, Path(ge=0, le=MAX_TREE_SIZE)],
    w: Annotated[int, Query()] = 320,
) -> Response:
    ws = workspace(request)
    clip = get_clip(ws, page, clip_hash)
    try:
        data = frame_jpeg(ws, clip, index, w if w in WIDTHS else 320)
    except FrameError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


def _shot_context(ws: Workspace, page: PageAccess, clip_hash: str) -> dict[str, Any]:
    clip = get_clip(ws, page, clip_hash)
    slug = page.project.slug
    catalogue = Catalogue(ws.engine).list(project=slug)
    tags = CastTags(ws.engine).list(project=slug)
    tagged = sorted({t.label for t in tags})
    return {
        "clip": clip,
        "others": [c for c in catalogue if c.content_hash != clip.content_hash],
        "requests": [r for r in RequestStore(ws.engine).list(slug) if r.clip_hash == clip.content_hash],
        "purposes": KNOWN_PURPOSES,
        "tagged": tagged,
        "names": performer_names(ws, page),
        "can_edit": page.principal.has_role(slug, Role.EDITOR),
        "can_label": any(page.principal.has_role(slug, r) for r in LABEL_ROLES),
        "can_tag": any(page.principal.has_role(slug, r) for r in (Role.EDITOR, Role.ADMIN)),
        "shot_tags": [t for t in tags if t.clip_hash == clip.content_hash],
        "tag_form": {},
        "tag_problems": [],
    }


@router.get("/p/{project}/shots/{clip_hash}", response_class=HTMLResponse)
def shot(request: Request, page: AnyPage, clip_hash: ClipHash) -> Response:
    ws = workspace(request)
    return render(request, "shot.html.j2", **layout(page, "shots"), **_shot_context(ws, page, clip_hash), form={})


def _number(form: FormData, name: str) -> float | None:
    value = str(form.get(name, "")).strip()
    return float(value) if value else None


async def build_submission(ws: Workspace, page: PageAccess, clip_hash: str, form: FormData) -> EditSubmission:
    """The API's ``EditSubmission`` from the shot page's form (uploads stored first, as ``POST /uploads`` does).

    Raises:
        ValueError, ValidationError: a field is missing or malformed.
    """
    kind = str(form.get("kind", ""))
    params: dict[str, Any] = {}
    if kind == "background":
        still = form.get("plate_file")
        if isinstance(still, UploadFile) and still.filename:
            params["plate"] = await store_upload(ws, page, still)
        elif form.get("plate"):
            params["plate"] = str(form["plate"])
        if (pf := _number(form, "plate_frame")) is not None:
            params["plate_frame"] = int(pf)
        params["despill"] = form.get("despill") == "on"
    elif kind == "relight":
        for key in ("reference", "reference_original"):
            if form.get(key):
                frame = _number(form, f"{key}_frame")
                params[key] = str(form[key]) + (f"@{int(frame)}" if frame is not None else "")
        if patch := str(form.get("reference_region", "")).strip():
            params["reference_region"] = patch
        for name in ADJUSTMENTS:
            if (v := _number(form, name)) is not None:
                params[name] = v
        if (feather := _number(form, "feather")) is not None:
            if feather != int(feather):
                raise ValueError(f"feather must be a whole number of pixels, got {feather}")
            params["feather"] = int(feather)
    elif kind == "eyeline":
        params["performer"] = str(form.get("performer", "")).strip()
        params["shift"] = [_number(form, "shift_x") or 0.0, _number(form, "shift_y") or 0.0]
    elif kind == "dialogue":
        params["performer"] = str(form.get("performer", "")).strip()
        audio = form.get("audio_file")
        if isinstance(audio, UploadFile) and audio.filename:
            params["audio"] = await store_upload(ws, page, audio)
        params["retime_only"] = form.get("retime_only") == "on"
        params["replace_pauses"] = form.get("replace_pauses") == "on"
    declared = [p.strip() for p in str(form.get("performers", "")).replace(",", " ").split() if p.strip()]
    region = str(form.get("region", "")).strip() or None
    start, end = _number(form, "start"), _number(form, "end")
    return EditSubmission(
        shot=clip_hash,
        kind=kind,  # type: ignore[arg-type]
        purpose=str(form.get("purpose", "")).strip(),
        performers=tuple(declared),
        region=region,
        start=int(start) if start is not None else None,
        end=int(end) if end is not None else None,
        params=params,
        output_role="intermediate" if form.get("output_role") == "intermediate" else "distribution_master",
    )


async def _form_again(
    request: Request, ws: Workspace, page: PageAccess, clip_hash: str, form: FormData, problems: list[str]
) -> Response:
    """The shot page again (422), with the form as filled in and what was wrong with it."""
    ctx = await run_in_threadpool(_shot_context, ws, page, clip_hash)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    return render(request, "shot.html.j2", 422, **layout(page, "shots"), **ctx, problems=problems, form=values)


@router.post("/p/{project}/shots/{clip_hash}/edits")
async def submit_edit(request: Request, page: EditorAction, clip_hash: ClipHash) -> Response:
    ws = workspace(request)
    form = await request.form()
    try:
        submission = await build_submission(ws, page, clip_hash, form)
    except (ValidationError, ValueError) as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else [{"loc": (), "msg": str(exc)}]
        problems = [f"{'.'.join(map(str, e['loc'])) or 'form'}: {e['msg']}" for e in errors]
        return await _form_again(request, ws, page, clip_hash, form, problems)
    try:
        gate, _job = await run_in_threadpool(submit, ws, page.project, submission, identity=page.principal.identity)
    except (InvalidParametersError, ModelMissingError) as exc:  # nothing was recorded: the form again, what to mend
        return await _form_again(request, ws, page, clip_hash, form, [str(exc)])
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/edits/{gate.request_id}", status_code=303)


@router.post("/p/{project}/edits/{request_id}/resubmit")
async def resubmit_edit(request: Request, page: EditorAction, request_id: RequestId) -> Response:
    """Submit an ended request again (``cutproof.edits.resubmit``): on to the new request's page."""
    ws = workspace(request)
    get_request(ws, page, request_id)
    _old, gate, _job = await run_in_threadpool(resubmit, ws, page.project, request_id, identity=page.principal.identity)
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/edits/{gate.request_id}", status_code=303)


@router.post("/p/{project}/shots/{clip_hash}/labels")
async def labels(request: Request, page: LabelAction, clip_hash: ClipHash) -> Response:
    form = await request.form()
    take = str(form.get("take", "")).strip()
    try:
        body = LabelsUpdate(
            scene=str(form.get("scene", "")).strip() or None,
            shot=str(form.get("shot", "")).strip() or None,
            take=int(take) if take else None,
            camera_roll=str(form.get("camera_roll", "")).strip() or None,
        )
    except (ValidationError, ValueError) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, f"invalid label: {exc}") from None
    await run_in_threadpool(post_labels, workspace(request), page.access, clip_hash, body)
    back = str(form.get("next", ""))
    if not back.startswith(f"{PREFIX}/p/{page.project.slug}/"):
        back = f"{PREFIX}/p/{page.project.slug}/shots/{clip_hash}"
    return RedirectResponse(back, status_code=303)


@router.get("/p/{project}/edits", response_class=HTMLResponse)
def edits(request: Request, page: AnyPage, state: str | None = None) -> Response:
    ws = workspace(request)
    rows = list(reversed(RequestStore(ws.engine).list(page.project.slug, state=state or None)))
    clips = {c.content_hash: c for c in Catalogue(ws.engine).list(project=page.project.slug)}
    return render(request, "edits.html.j2", **layout(page, "edits"), rows=rows, clips=clips, state=state)


def _job_view(ws: Workspace, project: str, job_id: str | None) -> dict[str, Any] | None:
    if not job_id:
        return None
    try:
        job = JobQueue(ws.engine).get(job_id, project)
    except JobNotFoundError:
        return None
    error = scrub(job.error, ws.home) if job.error else None  # as the API shows it: no server paths
    return {"state": job.state, "progress": job.progress, "message": job.message, "error": error}


CONSOLE_ORIGINAL = 'in the relight form\'s "Its ungraded original", submitting the edit again'
"""How a console user names a relight reference's ungraded original (``editor.notes.grade_note``'s
``how``)."""


def result_view(result: dict[str, Any], clip_name: Callable[[str], str | None] = lambda h: None) -> dict[str, Any]:
    """A signed edit result (``editor.edit-result/1``) for the edit page: every metric, the warnings among them
    (``*_warning``), notes (how to give a relight's look itself where it was estimated; which clip of the dailies a
    look was fitted from, or which two it could not choose between; which of a dub's bank takes were left out and
    why its pauses were not left as shot; that its mouths were drawn mirrored; how sure its sync verdict is; how a
    background edit's clean plate was brought to its take or what its estimate found, as the CLI's "clean plate" row
    says it), and whether a trained model made it. ``clip_name``: a catalogue clip's file name by content hash."""
    metrics = dict(result.get("metrics") or {})
    parameters = dict(result.get("parameters") or {})
    notes = [
        n
        for n in (
            grade_note(metrics, how=CONSOLE_ORIGINAL, clip_name=clip_name),
            flop_note(parameters),
            fit_note(metrics),
            pauses_note(parameters),
            sync_note(metrics),
        )
        if n
    ]
    if parameters.get("pauses_not_kept"):
        notes.append(f"The mouth was replaced in the pauses too, not left as shot: {parameters['pauses_not_kept']}.")
    plate = plate_summary(parameters.get("clean_plate") or {})
    if plate:
        notes.append(f"Clean plate: {plate}.")
    return {
        "metrics": sorted(metrics.items()),
        "warnings": [str(v) for k, v in sorted(metrics.items()) if k.endswith("_warning")],
        "notes": notes,
        "trained_model": result.get("trained_model"),
    }


def _result_view(ws: Workspace, page: PageAccess, edit_index: int | None) -> dict[str, Any] | None:
    """``result_view`` of the request's ``edit.applied/1`` entry; None before the edit is recorded."""
    if edit_index is None:
        return None
    catalogue = Catalogue(ws.engine)

    def clip_name(h: str) -> str | None:
        clip = catalogue.find(h)
        return clip.path.name if clip is not None and clip.project == page.project.slug else None

    return result_view(project_log(ws, page.project).entry_json(edit_index).get("result") or {}, clip_name)


@router.get("/p/{project}/edits/{request_id}", response_class=HTMLResponse)
def edit_request(request: Request, page: AnyPage, request_id: RequestId) -> Response:
    ws = workspace(request)
    rec = get_request(ws, page, request_id)
    clip = Catalogue(ws.engine).find(rec.clip_hash)
    region = [int(v) for v in rec.submission["region"].split(",")] if rec.submission.get("region") else None
    return render(
        request,
        "edit.html.j2",
        **layout(page, "edits"),
        rec=rec,
        clip=clip,
        region=region,
        job=_job_view(ws, page.project.slug, rec.job_id),
        result=_result_view(ws, page, rec.edit_index),
        names=performer_names(ws, page),
        final=rec.state in FINAL_STATES,
        legal=page.principal.has_role(page.project.slug, Role.LEGAL),
        can_resubmit=rec.state in RESUBMITTABLE
        and rec.resubmitted_as is None
        and page.principal.has_role(page.project.slug, Role.EDITOR),
    )


def _snapshot(request: Request, project: str, request_id: str, token: str) -> dict[str, Any]:
    """Where a request stands, for the event stream — each time authorized again as a page view would be."""
    ws = workspace(request)
    access = authorize(
        ws, request.app.state.settings, HTTPAuthorizationCredentials(scheme="Bearer", credentials=token), project, ()
    )
    rec = RequestStore(ws.engine).get(request_id, access.project.slug)
    job = _job_view(ws, project, rec.job_id)
    return {"state": rec.state, "job": job, "final": rec.state in FINAL_STATES}


@router.get("/p/{project}/edits/{request_id}/events")
async def edit_events(request: Request, page: AnyPage, request_id: RequestId) -> StreamingResponse:
    """Server-sent events: ``progress`` whenever the request's state or its job's progress changes, then ``done``
    when it reaches a final state (``_common.event_stream``)."""
    get_request(workspace(request), page, request_id)
    slug, token = page.project.slug, page.session.token
    return event_stream(request, lambda: _snapshot(request, slug, request_id, token))


@router.get("/p/{project}/edits/{request_id}/deliverable")
def deliverable(request: Request, page: AnyPage, request_id: RequestId) -> Response:
    return get_deliverable(workspace(request), page.access, request_id)


@router.get("/p/{project}/edits/{request_id}/receipt")
def receipt(request: Request, page: AnyPage, request_id: RequestId) -> Response:
    response = get_receipt(workspace(request), page.access, request_id)
    response.headers.update(download(f"{request_id[:12]}.tlog-proof"))
    return response
