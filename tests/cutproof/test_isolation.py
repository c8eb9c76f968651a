"""Project isolation: every reference a request carries — in its path or inside its body — is resolved inside the
caller's project; another production's valid id is answered 404 and records nothing, and model ids cross the API
whole (a prefix is refused, it would search every production's models).

The world: project ``own`` (the GRID dailies, a performer with consent, an editor, a legal user, a QC user, models
of every kind) and project ``foreign`` (its own clip, upload, job, request, grant and models of every kind).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cutproof.api import create_app
from cutproof.core import auth
from cutproof.core.jobs import JobQueue
from cutproof.core.projects import ProjectContext, create_project, get_project, project_log
from cutproof.core.settings import Settings
from cutproof.core.uploads import record_upload
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import submit
from cutproof.edits.references import ReferenceNotFoundError, check_references, project_clips, project_model
from cutproof.edits.submission import EditSubmission
from editor import Catalogue, ingest_folder
from tests._support.gated_project import setup_gated_project
from tests._support.models import register_model
from tests._support.video import make_clip

SECRET = "isolation-secret-" + "z" * 32
KINDS = ("background", "lighting", "eyeline", "dialogue")


def _model(ws: Workspace, project: str, kind: str, clip_hash: str, performer: str | None = None) -> str:
    return register_model(ws, project, kind, clip_hash, performer=performer, project_marker=project)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, footage_dir: Path) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("isolation")
    ws = Workspace(root / "home")
    ws.init()
    (root / "own").mkdir()
    s = setup_gated_project(ws, footage_dir, root / "own", secret=SECRET, slug="own")
    own_clip = Catalogue(ws.engine).get(s["shot"], project="own").content_hash
    # the foreign production: its own clip, upload, models, performer and grant, a request and a job
    create_project(ws, "foreign", "Foreign", ProjectContext(principal_photography_start=date(2026, 9, 1)), identity="t")
    (root / "foreign").mkdir()
    clip = make_clip(root / "foreign" / "f_take.mp4", seconds=1)
    ingest_folder(root / "foreign", Catalogue(ws.engine), project="foreign", files=[clip])
    f_clip = Catalogue(ws.engine).list(project="foreign")[0].content_hash
    digest = ws.blobs.put_bytes(b"RIFF foreign production's private file")
    record_upload(ws, "foreign", digest, size=38, filename="line.wav", by="t")
    models = {k: _model(ws, "foreign", k, f_clip, performer=s["performer"]) for k in KINDS}
    own_models = {k: _model(ws, "own", k, own_clip, performer=s["performer"]) for k in KINDS}
    job = JobQueue(ws.engine).submit("foreign", "render-edit", {"request_id": "x"}, created_by="t")
    auth.add_user(ws.engine, "fed")
    auth.grant_role(ws.engine, "fed", "foreign", "editor")
    tokens = {k: s[k] for k in ("ed", "lee", "quinn")}
    app = create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    return {
        "ws": ws,
        "client": TestClient(app),
        "tokens": tokens,
        "s": s,
        "f_clip": f_clip,
        "f_blob": f"blob:{digest}",
        "models": models,
        "own_models": own_models,
        "job": job.job_id,
    }


def _edit(w: dict[str, Any], kind: str, **params: Any) -> dict[str, Any]:
    s = w["s"]
    return {"shot": s["shot"], "kind": kind, "purpose": "continuity", "performers": [s["performer"]], "params": params}


def _edit_cases(w: dict[str, Any]) -> dict[str, dict[str, Any]]:
    m, fc, fb, s = w["models"], w["f_clip"], w["f_blob"], w["s"]
    return {
        "shot": {**_edit(w, "background", plate=s["plate"]), "shot": fc},
        "shot by prefix": {**_edit(w, "background", plate=s["plate"]), "shot": fc[:12]},
        "background model": _edit(w, "background", plate=s["plate"], model=m["background"]),
        "background model prefix": _edit(w, "background", plate=s["plate"], model=m["background"][:8]),
        "background plate clip": _edit(w, "background", plate=fc),
        "background plate blob": _edit(w, "background", plate=fb),
        "background clean plate clip": _edit(w, "background", plate=s["plate"], clean_plate=fc),
        "background clean plate blob": _edit(w, "background", plate=s["plate"], clean_plate=fb),
        "relight model": _edit(w, "relight", model=m["lighting"], exposure=0.5),
        "relight reference shot": _edit(w, "relight", reference=f"{fc}@0"),
        "relight reference's original": _edit(w, "relight", reference=f"{s['plate']}@0", reference_original=f"{fc}@0"),
        "eyeline model": _edit(w, "eyeline", performer=s["performer"], shift=[1, 0], model=m["eyeline"]),
        "dialogue model": _edit(w, "dialogue", performer=s["performer"], audio=fb, model=m["dialogue"]),
        "dialogue audio": _edit(w, "dialogue", performer=s["performer"], audio=fb),
        "own model of another kind": _edit(w, "relight", model=w["own_models"]["eyeline"], exposure=0.5),
    }


CASES = (
    "shot",
    "shot by prefix",
    "background model",
    "background model prefix",
    "background plate clip",
    "background plate blob",
    "background clean plate clip",
    "background clean plate blob",
    "relight model",
    "relight reference shot",
    "relight reference's original",
    "eyeline model",
    "dialogue model",
    "dialogue audio",
    "own model of another kind",
)


@pytest.mark.parametrize("case", CASES)
def test_edit_body_references_stay_in_the_project(world: dict[str, Any], case: str) -> None:
    ws, client = world["ws"], world["client"]
    log = project_log(ws, get_project(ws, "own"))
    size = log.size()
    body = _edit_cases(world)[case]
    r = client.post(
        "/api/v1/projects/own/edits", json=body, headers={"Authorization": f"Bearer {world['tokens']['ed']}"}
    )
    assert r.status_code == 404, (case, r.status_code, r.text)
    assert "foreign" not in r.text
    assert log.size() == size  # nothing recorded


def test_own_models_by_full_id_are_accepted(world: dict[str, Any]) -> None:
    """The control: the same fields with this production's own ids pass the reference check."""
    ws, s, own = world["ws"], world["s"], world["own_models"]
    params = {
        "background": {"plate": s["plate"], "clean_plate": s["plate"], "model": own["background"]},
        "relight": {"model": own["lighting"], "reference": f"{s['plate']}@0"},
        "eyeline": {"performer": s["performer"], "shift": [1, 0], "model": own["eyeline"]},
    }
    for kind, p in params.items():
        check_references(ws, "own", kind, p)
    assert project_model(ws, "own", own["dialogue"], "dialogue").project == "own"


def test_the_flow_refuses_a_foreign_model_without_the_api(world: dict[str, Any]) -> None:
    """The same check holds for the CLI and demo, which call the flow directly."""
    ws = world["ws"]
    sub = EditSubmission.model_validate(_edit_cases(world)["background model"])
    with pytest.raises(ReferenceNotFoundError):
        submit(ws, get_project(ws, "own"), sub, identity="ed")


def test_render_time_resolution_refuses_a_foreign_model(world: dict[str, Any]) -> None:
    """A request recorded before the gate checked references cannot reach across at render time either."""
    ws, m = world["ws"], world["models"]
    from cutproof.edits.render import _dialogue_model

    with pytest.raises(ReferenceNotFoundError):
        _dialogue_model(ws, get_project(ws, "own"), m["dialogue"], world["s"]["performer"])
    with pytest.raises(ReferenceNotFoundError):
        project_model(ws, "own", m["lighting"], "lighting")


def _body_cases(w: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    fb, fc, s = w["f_blob"], w["f_clip"], w["s"]
    grant = {
        "performer_id": s["performer"],
        "category": "digital_alteration",
        "edit_kinds": ["background"],
        "purposes": ["continuity"],
        "use_description": "x",
        "document": fb,
        "signed_by": "performer",
        "contract_edition": "sag-aftra-tv-theatrical-2026",
        "valid_from": "2026-01-01T00:00:00Z",
    }
    return [
        ("ed", "POST", "/dailies", {"file": fb, "filename": "a.mp4"}),
        ("quinn", "POST", "/qc", {"file": fb}),
        ("lee", "POST", "/performers", {"name": "X", "kind": "principal", "representative_document": fb}),
        ("lee", "POST", "/consents", grant),
        ("ed", "POST", "/cast-tags", {"performer_id": s["performer"], "clip": fc, "frame": 0}),
        ("ed", "POST", "/trainings", {"kind": "lighting", "clips": [fc], "steps": 1}),
        ("ed", "POST", "/trainings", {"kind": "eyeline", "performer": s["performer"], "clips": [fc]}),
        ("ed", "POST", "/trainings", {"kind": "dialogue", "performer": s["performer"], "clips": [fc]}),
        ("ed", "POST", "/trainings", {"kind": "background", "clips": [fc]}),
        ("ed", "POST", f"/dailies/{fc}/labels", {"scene": "1", "shot": "a", "take": 1}),
        ("ed", "GET", f"/models/{w['models']['lighting']}", {}),
        ("ed", "GET", f"/jobs/{w['job']}", {}),
        ("ed", "POST", f"/jobs/{w['job']}/cancel", {}),
        ("ed", "GET", f"/trainings/{w['job']}", {}),
        ("ed", "GET", f"/edits/{w['job']}", {}),
        ("lee", "GET", f"/consent-documents/{fb.removeprefix('blob:')}", {}),
    ]


@pytest.mark.parametrize("i", range(16))
def test_other_references_stay_in_the_project(world: dict[str, Any], i: int) -> None:
    ws, client = world["ws"], world["client"]
    who, method, path, body = _body_cases(world)[i]
    size = project_log(ws, get_project(ws, "own")).size()
    r = client.request(
        method,
        "/api/v1/projects/own" + path,
        json=body if method == "POST" else None,
        headers={"Authorization": f"Bearer {world['tokens'][who]}"},
    )
    assert r.status_code == 404, (method, path, r.status_code, r.text)
    assert project_log(ws, get_project(ws, "own")).size() == size
    assert JobQueue(ws.engine).get(world["job"], "foreign").state == "queued"


def test_a_relight_searches_only_its_own_projects_dailies(world: dict[str, Any]) -> None:
    # a relight toward a reference of another scene searches the dailies for the reference's original: the
    # project's own clips, never another production's (``project_clips``, used by the render and the CLI)
    ws, own = world["ws"], {c.content_hash for c in Catalogue(world["ws"].engine).list(project="own")}
    assert own and {c.content_hash for c in project_clips(ws, "own")} == own
    assert world["f_clip"] not in {c.content_hash for c in project_clips(ws, "own")}
    assert [c.content_hash for c in project_clips(ws, "foreign")] == [world["f_clip"]]
