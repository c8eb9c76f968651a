"""Models (every member; training: editors and admins): the project's trained models and training jobs, and a form
that trains one from the project's dailies — the same spec, checks and job as ``POST /trainings`` and
``cutproof model train`` (``cutproof.training``), so an editor needs no terminal to train the models an edit uses."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import ValidationError
from starlette.datastructures import FormData

from cutproof.api.deps import authorize
from cutproof.api.routes.models import JobId, training_job
from cutproof.console.access import AnyPage, PageAccess, TrainAction
from cutproof.console.pages._common import event_stream, layout, performer_names, workspace
from cutproof.console.web import PREFIX, render
from cutproof.core.auth import Role
from cutproof.core.errors import CutproofError
from cutproof.core.jobs import JobQueue
from cutproof.core.workspace import Workspace
from cutproof.training.jobs import TRAIN_JOB, submit_training
from cutproof.training.specs import SPEC, STEPPED, AnySpec
from editor import Catalogue, ModelRegistry
from editor.errors import ClipNotFoundError

router = APIRouter()

TRAINABLE = (
    ("lighting", "Lighting (relight): the project's grading model, from its ungraded dailies"),
    ("background", "Background refiner: from the shots to replace the background of"),
    ("dialogue", "Dialogue: a performer's mouth bank and sync scorer, from their sync takes"),
    ("eyeline", "Eyeline: a performer's gaze model, from their takes"),
    ("cast", "Cast: who is in the shot, from the project's face tags"),
)
PER_PERFORMER = ("dialogue", "eyeline")


def _context(ws: Workspace, page: PageAccess) -> dict[str, Any]:
    slug = page.project.slug
    catalogue = Catalogue(ws.engine)
    names = {c.content_hash: c.path.name for c in catalogue.list(project=slug)}
    models = [
        {
            "record": r,
            "performer": r.manifest.hyperparameters.get("performer"),
            "dailies": [names.get(i.content_hash, i.content_hash[:12]) for i in r.manifest.inputs],
        }
        for r in ModelRegistry(ws.engine, ws.blobs).list(project=slug)
    ]
    jobs = [j for j in JobQueue(ws.engine).list(slug, limit=200) if j.kind == TRAIN_JOB]
    return {
        "models": models,
        "jobs": jobs,
        "clips": catalogue.list(project=slug),
        "trainable": TRAINABLE,
        "names": performer_names(ws, page),
        "can_train": any(page.principal.has_role(slug, r) for r in (Role.EDITOR, Role.ADMIN)),
    }


@router.get("/p/{project}/models", response_class=HTMLResponse)
def models_page(request: Request, page: AnyPage) -> Response:
    ctx = _context(workspace(request), page)
    return render(request, "models.html.j2", **layout(page, "models"), **ctx, problems=[], form={})


def spec_from_form(form: FormData) -> AnySpec:
    """The training spec of the form: the kind, the chosen dailies (all but a cast model), the performer (dialogue,
    eyeline) and the steps when given to a kind that takes them; fields of other kinds are ignored.

    Raises:
        ValidationError: the spec is not one ``POST /trainings`` would take.
    """
    kind = str(form.get("kind", ""))
    spec: dict[str, Any] = {"kind": kind}
    if kind != "cast":
        spec["clips"] = [str(c) for c in form.getlist("clips")]
    if kind in PER_PERFORMER:
        spec["performer"] = str(form.get("performer", "")).strip()
    steps = str(form.get("steps", "")).strip()
    if steps and kind in STEPPED:
        spec["steps"] = steps  # the spec reads a whole number, or says what is wrong
    return SPEC.validate_python(spec)


@router.post("/p/{project}/models/train")
async def train(request: Request, page: TrainAction) -> Response:
    ws = workspace(request)
    form = await request.form()
    try:
        spec = spec_from_form(form)
        job = await run_in_threadpool(submit_training, ws, page.project, spec, identity=page.principal.identity)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'][1:])) or 'form'}: {e['msg']}" for e in exc.errors()]
        return await _form_again(request, ws, page, form, problems)
    except (CutproofError, ClipNotFoundError) as exc:  # the spec does not fit the project: nothing was queued
        return await _form_again(request, ws, page, form, [str(exc)])
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/models/jobs/{job.job_id}", status_code=303)


async def _form_again(
    request: Request, ws: Workspace, page: PageAccess, form: FormData, problems: list[str]
) -> Response:
    ctx = await run_in_threadpool(_context, ws, page)
    values = {"kind": str(form.get("kind", "")), "performer": str(form.get("performer", "")),
              "steps": str(form.get("steps", "")), "clips": [str(c) for c in form.getlist("clips")]}  # fmt: skip
    return render(request, "models.html.j2", 422, **layout(page, "models"), **ctx, problems=problems, form=values)


FINAL = ("succeeded", "failed", "cancelled")


def _job_snapshot(request: Request, project: str, job_id: str, token: str) -> dict[str, Any]:
    """Where a training job stands, for the event stream — authorized again each time, as a page view is."""
    ws = workspace(request)
    creds = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    access = authorize(ws, request.app.state.settings, creds, project, ())
    job = training_job(ws, access.project.slug, job_id)
    view = {"state": job.state, "progress": job.progress, "message": job.message, "error": job.error}
    return {"state": job.state, "job": view, "final": job.state in FINAL}


@router.get("/p/{project}/models/jobs/{job_id}", response_class=HTMLResponse)
def training_page(request: Request, page: AnyPage, job_id: JobId) -> Response:
    ws = workspace(request)
    job = training_job(ws, page.project.slug, job_id)
    names = {c.content_hash: c.path.name for c in Catalogue(ws.engine).list(project=page.project.slug)}
    spec = dict(job.payload.get("spec", {}))
    clips = [names.get(str(c).split("@")[0], str(c)) for c in spec.get("clips", [])]
    return render(
        request,
        "training.html.j2",
        **layout(page, "models"),
        job=job,
        spec=spec,
        clips=clips,
        result=job.result or {},
        final=job.state in FINAL,
        can_train=any(page.principal.has_role(page.project.slug, r) for r in (Role.EDITOR, Role.ADMIN)),
        names=performer_names(ws, page),
    )


@router.get("/p/{project}/models/jobs/{job_id}/events")
async def training_events(request: Request, page: AnyPage, job_id: JobId) -> StreamingResponse:
    """Server-sent events of the training job's state and progress (``_common.event_stream``)."""
    training_job(workspace(request), page.project.slug, job_id)
    slug, token = page.project.slug, page.session.token
    return event_stream(request, lambda: _job_snapshot(request, slug, job_id, token))


@router.post("/p/{project}/models/jobs/{job_id}/cancel")
async def cancel_training(request: Request, page: TrainAction, job_id: JobId) -> Response:
    """Cancel the training job (as ``POST /trainings/{id}/cancel``): a queued one at once, a running one before it
    records its model."""
    ws = workspace(request)
    training_job(ws, page.project.slug, job_id)
    await run_in_threadpool(JobQueue(ws.engine).cancel, job_id, page.project.slug)
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/models/jobs/{job_id}", status_code=303)
