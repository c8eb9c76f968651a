"""The console's Models page: the project's models and training jobs, and training one from the dailies without a
terminal — the same spec, checks and job as ``POST /trainings``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.datastructures import FormData

from cutproof.console import create_app
from cutproof.console.pages.models import spec_from_form
from cutproof.core.jobs import JobQueue
from cutproof.core.settings import Settings
from cutproof.training.jobs import TRAIN_JOB
from editor import Catalogue
from tests._support.gated_project import gated_workspace
from tests._support.models import register_model
from tests.console.test_console_access import csrf_of, sign_in

SECRET = "console-models-" + "t" * 32
PAGE = "/console/p/film/models"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, footage_dir: Path) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("models")
    ws, s = gated_workspace(tmp, footage_dir, secret=SECRET)
    app = create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    clips = {c.path.name: c.content_hash for c in Catalogue(ws.engine).list(project="film")}
    return {"ws": ws, "s": s, "ed": sign_in(TestClient(app), s["ed"]), "quinn": sign_in(TestClient(app), s["quinn"]),
            "clips": clips}  # fmt: skip


def _jobs(w: dict[str, Any]) -> list[Any]:
    return [j for j in JobQueue(w["ws"].engine).list("film") if j.kind == TRAIN_JOB]


def _post(w: dict[str, Any], form: dict[str, Any]) -> Any:
    ed = w["ed"]
    return ed.post(f"{PAGE}/train", data=form, headers={"X-CSRF-Token": csrf_of(ed, PAGE)}, follow_redirects=False)


def test_an_editor_trains_the_lighting_model_from_the_page(world: dict[str, Any]) -> None:
    clip = next(iter(world["clips"].values()))
    before = len(_jobs(world))
    r = _post(world, {"kind": "lighting", "clips": [clip], "steps": "5", "performer": "ignored for lighting"})
    jobs = _jobs(world)
    assert len(jobs) == before + 1
    job = jobs[0]
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}/jobs/{job.job_id}", r.text
    spec = job.payload["spec"]
    assert spec["kind"] == "lighting" and spec["steps"] == 5 and spec["clips"][0].startswith(clip)
    page = world["ed"].get(PAGE).text
    assert "Training jobs" in page and ">lighting<" in page and "queued" in page
    assert f"/models/jobs/{job.job_id}" in page


def test_a_training_job_has_its_page_with_live_state_and_can_be_cancelled(world: dict[str, Any]) -> None:
    clip = next(iter(world["clips"].values()))
    _post(world, {"kind": "lighting", "clips": [clip], "steps": "3"})
    job = _jobs(world)[0]
    url = f"{PAGE}/jobs/{job.job_id}"
    page = world["ed"].get(url).text
    assert "Training a lighting model" in page and f'data-events="{url}/events"' in page
    assert "Cancel the training" in page and "grid_" in page  # the dailies by name
    assert "Cancel the training" not in world["quinn"].get(url).text  # QC may look, not cancel
    ed = world["ed"]
    r = ed.post(f"{url}/cancel", headers={"X-CSRF-Token": csrf_of(ed, url)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == url
    assert JobQueue(world["ws"].engine).get(job.job_id).state == "cancelled"
    page = ed.get(url).text
    assert "cancelled" in page and "Cancel the training" not in page and 'data-events=""' in page
    events = ed.get(f"{url}/events").text  # a final job: one `done` event, and the stream ends
    assert "event: done" in events and '"state": "cancelled"' in events
    assert world["ed"].get(f"{PAGE}/jobs/{'0' * 32}").status_code == 404


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"kind": "dialogue", "clips": ["CLIP"]}, "performer"),
        ({"kind": "eyeline", "performer": "prf_nobody", "clips": ["CLIP"]}, "not registered"),
        ({"kind": "lighting"}, "clips"),
        ({"kind": "lighting", "clips": ["CLIP"], "steps": "many"}, "steps"),
        ({"kind": "lighting", "clips": ["no-such-daily.mov"]}, "no-such-daily.mov"),
    ],
)
def test_a_spec_that_does_not_fit_comes_back_on_the_form(world: dict[str, Any], form: dict, says: str) -> None:
    clip = next(iter(world["clips"].values()))
    form = {k: ([clip if c == "CLIP" else c for c in v] if k == "clips" else v) for k, v in form.items()}
    before = len(_jobs(world))
    r = _post(world, form)
    assert r.status_code == 422 and "Not queued" in r.text and says in r.text, r.text
    assert len(_jobs(world)) == before


def test_trained_models_are_listed_for_every_member_and_only_editors_see_the_form(world: dict[str, Any]) -> None:
    ws, clip = world["ws"], next(iter(world["clips"].values()))
    model_id = register_model(
        ws, "film", "dialogue", clip, performer=world["s"]["performer"], metrics={"heldout_av_offset": 0}
    )
    qc = world["quinn"].get(PAGE).text
    assert model_id[:12] in qc and world["s"]["performer"] in qc and "heldout av offset" in qc
    assert "Train a model" not in qc  # QC may look, not train
    assert "Train a model" in world["ed"].get(PAGE).text


def test_the_form_sends_only_the_chosen_kinds_fields() -> None:
    form = FormData([("kind", "cast"), ("clips", "a"), ("performer", "p"), ("steps", "3")])
    assert spec_from_form(form).model_dump() == {"kind": "cast", "samples": 16}
    form = FormData([("kind", "eyeline"), ("clips", "a"), ("clips", "b"), ("performer", " prf_1 ")])
    spec = spec_from_form(form).model_dump()
    assert spec["clips"] == ["a", "b"] and spec["performer"] == "prf_1"
