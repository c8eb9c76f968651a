"""Submitting an ended request again from the console and through the API (``cutproof.edits.resubmit``): the
editor's button on the request's page, the API's ``POST …/edits/{id}/resubmit``, each once, only for an editor."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from cutproof.console import create_app
from cutproof.core.jobs import JobQueue, WorkerPool
from cutproof.core.projects import get_project, project_log
from cutproof.core.settings import Settings
from cutproof.edits.flow import RENDER_JOB, run_render_job, sign_review, submit
from cutproof.edits.requests import RequestStore
from cutproof.edits.submission import EditSubmission
from editor import Catalogue
from tests._support.gated_project import gated_workspace
from tests._support.uploaded_plate import offline, uploaded_plate
from tests.console.test_console_access import csrf_of, sign_in

SECRET = "console-resubmit-" + "r" * 32


def test_an_ended_request_is_submitted_again_once_by_an_editor(tmp_path: Path, footage_dir: Path) -> None:
    from cutproof.api import create_app as create_api

    ws, s = gated_workspace(tmp_path, footage_dir, secret=SECRET)
    api = TestClient(create_api(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False))
    auth = {"Authorization": f"Bearer {s['ed']}"}
    body = {"shot": s["shot"], "kind": "background", "purpose": "performance_change", "performers": [s["performer"]],
            "params": {"plate": s["plate"]}}  # fmt: skip
    first = api.post("/api/v1/projects/film/edits", json=body, headers=auth).json()
    assert first["outcome"] == "deny", first
    again = api.post(f"/api/v1/projects/film/edits/{first['request_id']}/resubmit", headers=auth)
    assert again.status_code == 201 and again.json()["outcome"] == "deny", again.text
    new_id = again.json()["request_id"]
    old = api.get(f"/api/v1/projects/film/edits/{first['request_id']}", headers=auth).json()
    assert old["state"] == "denied" and old["resubmitted_as"] == new_id
    twice = api.post(f"/api/v1/projects/film/edits/{first['request_id']}/resubmit", headers=auth)
    assert twice.status_code == 409 and "submitted again already" in twice.json()["detail"]
    legal = api.post(f"/api/v1/projects/film/edits/{new_id}/resubmit", headers={"Authorization": f"Bearer {s['lee']}"})
    assert legal.status_code == 403, legal.text

    console = create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)
    ed = sign_in(TestClient(console), s["ed"])
    page = f"/console/p/film/edits/{first['request_id']}"
    html = ed.get(page).text
    assert (
        f"/console/p/film/edits/{new_id}" in html
        and "Submitted again as" in html
        and "Submit again</button>" not in html
    )
    page = f"/console/p/film/edits/{new_id}"
    assert "Submit again</button>" in ed.get(page).text
    lee = sign_in(TestClient(console), s["lee"])
    assert "Submit again</button>" not in lee.get(page).text  # legal sees the request, not the button
    size = project_log(ws, get_project(ws, "film")).size()
    r = lee.post(f"{page}/resubmit", headers={"X-CSRF-Token": csrf_of(lee, page)}, follow_redirects=False)
    assert r.status_code == 403 and project_log(ws, get_project(ws, "film")).size() == size
    r = ed.post(f"{page}/resubmit", headers={"X-CSRF-Token": csrf_of(ed, page)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    third = r.headers["location"].rsplit("/", 1)[-1]
    assert RequestStore(ws.engine).get(new_id, "film").resubmitted_as == third
    assert "Submit again</button>" in ed.get(r.headers["location"]).text
    r = ed.post(f"{page}/resubmit", headers={"X-CSRF-Token": csrf_of(ed, page)}, follow_redirects=False)
    assert r.status_code == 409 and "submitted again already" in r.text


def test_a_failed_render_reads_failed_on_its_page_and_its_events_end(tmp_path: Path, footage_dir: Path) -> None:
    """The plate's file (an upload) goes missing before the render: the request's page says the render failed (in
    the job's words, no server path), its event stream ends with ``done``, and an editor can submit it again."""
    ws, s = gated_workspace(tmp_path, footage_dir, secret=SECRET)
    project = get_project(ws, "film")
    plate = uploaded_plate(ws, "film", Catalogue(ws.engine).get(s["plate"], project="film").path)
    sub = EditSubmission(shot=s["shot"], kind="background", purpose="continuity", performers=(s["performer"],),
                         params={"plate": plate}, end=4)  # fmt: skip
    gate, _job = submit(ws, project, sub, identity="ed")
    if gate.decision.outcome == "review":
        sign_review(ws, project, gate.request_id, approve=True, note="Background only", reviewer="lee")
    with offline(ws, plate):  # the plate's file went missing before the render
        done = WorkerPool(JobQueue(ws.engine), {RENDER_JOB: lambda ctx, p: run_render_job(ws, ctx, p)}).run_one()
    assert done is not None and done.state == "failed" and done.error
    ed = sign_in(TestClient(create_app(Settings(home=ws.home, secret_key=SECRET), ws, run_workers=False)), s["ed"])
    page = f"/console/p/film/edits/{gate.request_id}"
    html = ed.get(page).text
    assert "<span data-state>failed</span>" in html and "The render failed:" in html
    assert str(ws.home) not in html and str(tmp_path) not in html  # the job's error, without server paths
    assert "Submit again</button>" in html and 'data-events=""' in html  # final: the page opens no stream
    events = ed.get(f"{page}/events").text
    assert "event: done" in events and '"state": "failed"' in events
