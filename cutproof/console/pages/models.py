"""Models (every member; training: editors and admins): the project's trained models and training jobs, and a form
that trains one from the project's dailies — the same spec, checks and job as ``POST /trainings`` and
``cutproof model train`` (``cutproof.training``), so an editor needs no terminal to train the models an edit uses."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from cutproof.console.access import AnyPage, PageAccess, TrainAction
from cutproof.console.pages._common import layout, performer_names, workspace
from cutproof.console.web import PREFIX, render
from cutproof.core.auth import Role
from cutproof.core.errors import CutproofError
from cutproof.core.jobs import JobQueue
from cutproof.core.workspace import Workspace
from cutproof.training.jobs import TRAIN_JOB, submit_training
from cutproof.training.specs import SPEC, AnySpec
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
    eyeline) and the steps when given; fields of other kinds are ignored.

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
    if steps and kind != "cast":
        spec["steps"] = steps  # the spec reads a whole number, or says what is wrong
    return SPEC.validate_python(spec)


@router.post("/p/{project}/models/train")
async def train(request: Request, page: TrainAction) -> Response:
    ws = workspace(request)
    form = await request.form()
    try:
        spec = spec_from_form(form)
        await run_in_threadpool(submit_training, ws, page.project, spec, identity=page.principal.identity)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc'][1:])) or 'form'}: {e['msg']}" for e in exc.errors()]
        return await _form_again(request, ws, page, form, problems)
    except (CutproofError, ClipNotFoundError) as exc:  # the spec does not fit the project: nothing was queued
        return await _form_again(request, ws, page, form, [str(exc)])
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/models", status_code=303)


async def _form_again(
    request: Request, ws: Workspace, page: PageAccess, form: FormData, problems: list[str]
) -> Response:
    ctx = await run_in_threadpool(_context, ws, page)
    values = {"kind": str(form.get("kind", "")), "performer": str(form.get("performer", "")),
              "steps": str(form.get("steps", "")), "clips": [str(c) for c in form.getlist("clips")]}  # fmt: skip
    return render(request, "models.html.j2", 422, **layout(page, "models"), **ctx, problems=problems, form=values)
