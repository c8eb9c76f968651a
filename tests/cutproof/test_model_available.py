"""An edit that needs a trained model the project does not have yet is refused before the gate records anything
(``cutproof.edits.references.check_model_available``): until 2026-12-06 it was decided (and perhaps reviewed by
legal) and its render failed at once, leaving a dead request to submit and review again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cutproof.api import create_app
from cutproof.core.jobs import JobQueue
from cutproof.core.projects import get_project, project_log
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import submit
from cutproof.edits.references import ModelMissingError, newest_model
from cutproof.edits.submission import EditSubmission
from editor import Catalogue
from tests._support.gated_project import gated_workspace
from tests._support.models import register_model

SECRET = "model-available-" + "m" * 32
BLOB = "blob:" + "0" * 64


@pytest.fixture
def world(tmp_path: Path, footage_dir: Path) -> dict[str, Any]:
    ws, s = gated_workspace(tmp_path, footage_dir, secret=SECRET)
    return {"ws": ws, "s": s, "project": get_project(ws, "film")}


def _register(ws: Workspace, kind: str, clip_hash: str, performer: str | None = None) -> str:
    return register_model(ws, "film", kind, clip_hash, performer=performer)


def _sub(w: dict[str, Any], kind: str, **params: Any) -> EditSubmission:
    s = w["s"]
    return EditSubmission(shot=s["shot"], kind=kind, purpose="continuity", performers=[s["performer"]], params=params)


def _nothing_recorded(w: dict[str, Any], sub: EditSubmission, says: str) -> None:
    log = project_log(w["ws"], w["project"])
    size, jobs = log.size(), len(JobQueue(w["ws"].engine).list("film"))
    with pytest.raises(ModelMissingError, match=says):
        submit(w["ws"], w["project"], sub, identity="ed")
    assert log.size() == size and len(JobQueue(w["ws"].engine).list("film")) == jobs


def test_each_kind_needs_its_model_before_anything_is_recorded(world: dict[str, Any]) -> None:
    p = world["s"]["performer"]
    _nothing_recorded(world, _sub(world, "relight", exposure=0.3), "no lighting model in project 'film' yet")
    _nothing_recorded(world, _sub(world, "eyeline", performer=p, shift=[2, 0]), f"no eyeline model for performer '{p}'")
    _nothing_recorded(
        world, _sub(world, "dialogue", performer=p, audio=BLOB), "or ask for retime_only \\(no model needed\\)"
    )


def test_with_the_model_trained_the_same_requests_pass_the_check(world: dict[str, Any]) -> None:
    ws, p = world["ws"], world["s"]["performer"]
    clip = Catalogue(ws.engine).get(world["s"]["shot"], project="film").content_hash
    lighting = _register(ws, "lighting", clip)
    _register(ws, "eyeline", clip, performer="prf_someone_else")  # another performer's: not theirs
    _nothing_recorded(world, _sub(world, "eyeline", performer=p, shift=[2, 0]), "no eyeline model for performer")
    eyeline = _register(ws, "eyeline", clip, performer=p)
    assert newest_model(ws, "film", "lighting").model_id == lighting  # type: ignore[union-attr]
    assert newest_model(ws, "film", "eyeline", p).model_id == eyeline  # type: ignore[union-attr]
    for sub in (_sub(world, "relight", exposure=0.3), _sub(world, "eyeline", performer=p, shift=[2, 0])):
        gate, _job = submit(ws, world["project"], sub, identity="ed")
        assert gate.request_id  # decided and recorded


def test_a_retime_only_line_needs_no_model_and_the_api_answers_422(world: dict[str, Any]) -> None:
    ws, s = world["ws"], world["s"]
    client = TestClient(create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False))
    body = {"shot": s["shot"], "kind": "relight", "purpose": "continuity", "performers": [s["performer"]]}
    r = client.post(
        "/api/v1/projects/film/edits",
        json={**body, "params": {"exposure": 0.3}},
        headers={"Authorization": f"Bearer {s['ed']}"},
    )
    assert r.status_code == 422 and "no lighting model" in r.json()["detail"], r.text
    retime = {**body, "kind": "dialogue", "params": {"performer": s["performer"], "audio": BLOB, "retime_only": True}}
    r = client.post("/api/v1/projects/film/edits", json=retime, headers={"Authorization": f"Bearer {s['ed']}"})
    assert r.status_code == 404 and "upload" in r.json()["detail"], r.text  # past the model check, to the audio
