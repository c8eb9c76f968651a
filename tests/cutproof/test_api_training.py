"""Models over the HTTP API: an API-only user goes from upload to ingest, face tag, trained cast model and a gated
edit that the cast model decides; bad training requests are 4xx and write nothing; training jobs cancel cleanly."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from consent import ConsentRegistry
from cutproof.api import create_app
from cutproof.core import auth
from cutproof.core.jobs import JobQueue, WorkerPool
from cutproof.core.projects import ProjectContext, create_project, get_project, project_log
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from cutproof.training.jobs import submit_training, training_handlers
from cutproof.training.run import LightingSpec
from editor import Catalogue, ModelRegistry, ingest_folder
from tests._support.footage import CLIP, PLATE
from tests._support.video import make_clip

SECRET = "training-secret-" + "t" * 32
STRANGER = "crema-d_1001_DFA_NEU_XX.flv"


def _users(ws: Workspace) -> dict[str, str]:
    tokens = {}
    for user, role in (("ed", "editor"), ("ada", "admin"), ("lee", "legal"), ("quinn", "qc")):
        auth.add_user(ws.engine, user)
        auth.grant_role(ws.engine, user, "film", role)
        tokens[role] = auth.issue_token(ws.engine, user, pepper=SECRET.encode()).token
    return tokens


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _upload(client: TestClient, token: str, path: Path) -> str:
    r = client.post("/api/v1/projects/film/uploads", content=path.read_bytes(), headers=_h(token))
    assert r.status_code == 201, r.text
    return str(r.json()["ref"])


def _wait(client: TestClient, token: str, job_id: str) -> dict[str, Any]:
    for _ in range(1200):
        job = client.get(f"/api/v1/projects/film/trainings/{job_id}", headers=_h(token)).json()
        if job["state"] in ("succeeded", "failed", "cancelled"):
            return dict(job)
        time.sleep(0.25)
    raise AssertionError(f"training job {job_id} did not finish: {job}")


def test_api_only_upload_to_trained_cast_model_to_edit(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> None:
    ctx = ProjectContext(principal_photography_start=date(2026, 9, 1), distribution_territories=("US",))
    create_project(workspace, "film", "Film", ctx, identity="t")
    tok = _users(workspace)
    app = create_app(Settings(home=workspace.home, secret_key=SECRET, workers=1), workspace)
    with TestClient(app) as client:
        p = "/api/v1/projects/film"
        clips = {}
        for name in (CLIP, PLATE, STRANGER):
            ref = _upload(client, tok["editor"], footage_dir / name)
            r = client.post(f"{p}/dailies", json={"file": ref, "filename": name}, headers=_h(tok["editor"]))
            assert r.status_code == 201 and r.json()["outcome"] == "added", r.text
            clips[name] = r.json()["clip"]["content_hash"]
        log = project_log(workspace, get_project(workspace, "film"))
        kinds = [log.entry_json(i)["kind"] for i in range(log.size())]
        assert kinds.count("dailies.ingested/1") == 3  # the API records ingest exactly as the CLI does

        r = client.post(
            f"{p}/performers",
            json={"name": "Grid Talker", "kind": "principal", "guild": "SAG-AFTRA", "representation": "union"},
            headers=_h(tok["legal"]),
        )
        assert r.status_code == 201, r.text
        pid = r.json()["performer_id"]
        doc = tmp_path / "consent.pdf"
        doc.write_bytes(b"%PDF-1.4 signed: background replacement of the grid take, continuity")
        grant = {
            "performer_id": pid,
            "category": "digital_alteration",
            "edit_kinds": ["background"],
            "purposes": ["continuity"],
            "use_description": "Replace the background of the grid take with the other set-up, for continuity",
            "document": _upload(client, tok["legal"], doc),
            "signed_by": "performer",
            "contract_edition": "sag-aftra-tv-theatrical-2026",
            "valid_from": (datetime.now(UTC) - timedelta(days=1)).isoformat(),
        }
        assert client.post(f"{p}/consents", json=grant, headers=_h(tok["legal"])).status_code == 201

        # Before any face tag, a cast model cannot be trained: 422, nothing queued.
        r = client.post(f"{p}/trainings", json={"kind": "cast", "samples": 6}, headers=_h(tok["editor"]))
        assert r.status_code == 422 and "no faces are tagged" in r.json()["detail"], r.text

        tag = {"performer_id": pid, "clip": clips[PLATE][:12], "frame": 30}
        assert client.post(f"{p}/cast-tags", json=tag, headers=_h(tok["qc"])).status_code == 403
        r = client.post(f"{p}/cast-tags", json=tag, headers=_h(tok["editor"]))
        assert r.status_code == 201, r.text
        assert r.json()["box"]["width"] >= 16  # the one face on the frame, found by the detector

        assert client.post(f"{p}/trainings", json={"kind": "cast"}, headers=_h(tok["legal"])).status_code == 403
        r = client.post(f"{p}/trainings", json={"kind": "cast", "samples": 6}, headers=_h(tok["admin"]))
        assert r.status_code == 202, r.text
        job = _wait(client, tok["editor"], r.json()["job_id"])
        assert job["state"] == "succeeded", job
        model_id = job["model_id"]
        entry = log.entry_json(job["ledger_index"])
        assert entry["kind"] == "model.trained/1" and entry["model_id"] == model_id and entry["model_kind"] == "cast"
        assert entry["ledger"]["identity"] == "api:ada"

        models = client.get(f"{p}/models", headers=_h(tok["qc"])).json()
        assert [m["model_id"] for m in models] == [model_id]
        assert models[0]["training_manifest_sha256"] == model_id
        assert [d["file_name"] for d in models[0]["dailies"]] == [PLATE]
        one = client.get(f"{p}/models/{model_id}", headers=_h(tok["qc"])).json()
        # a prefix is refused across the API: it would search every production's models
        assert client.get(f"{p}/models/{model_id[:12]}", headers=_h(tok["qc"])).status_code == 422
        assert one["training_manifest"]["model_kind"] == "cast" and one["metrics"]["performers"] == 1
        assert client.get(f"{p}/models/{'f' * 64}", headers=_h(tok["qc"])).status_code == 404

        # The gate now identifies the performer by the cast model: consent on file → allow, rendered, delivered.
        body = {
            "shot": clips[CLIP][:12],
            "kind": "background",
            "purpose": "continuity",
            "performers": [pid],
            "params": {"plate": clips[PLATE][:12]},
            "end": 6,
        }
        r = client.post(f"{p}/edits", json=body, headers=_h(tok["editor"]))
        assert r.status_code == 201, r.text
        decision = r.json()
        assert decision["outcome"] == "allow" and decision["unidentified_faces"] == 0, (
            decision["reasons"],
            decision["unidentified_faces"],
        )
        request = log.entry_json(decision["decision_index"])["request"]
        assert request["detected"] == [pid] and model_id[:12] in request["detection_method"]
        for _ in range(1200):
            rec = client.get(f"{p}/edits/{decision['request_id']}", headers=_h(tok["editor"])).json()
            if rec["state"] in ("delivered", "failed"):
                break
            time.sleep(0.25)
        assert rec["state"] == "delivered", rec


def _film(ws: Workspace, footage_dir: Path, tmp_path: Path, names: tuple[str, ...]) -> Any:
    project = create_project(ws, "film", "Film", ProjectContext(), identity="t")
    d = tmp_path / "dailies"
    d.mkdir(exist_ok=True)
    for name in names:
        (d / name).write_bytes((footage_dir / name).read_bytes())
    ingest_folder(d, Catalogue(ws.engine), project="film")
    return project, {c.path.name: c for c in Catalogue(ws.engine).list(project="film")}


def _fill(obj: Any, subs: dict[str, str]) -> Any:
    if isinstance(obj, str):
        for k, v in subs.items():
            obj = obj.replace(k, v)
        return obj
    if isinstance(obj, list):
        return [_fill(x, subs) for x in obj]
    if isinstance(obj, dict):
        return {k: _fill(v, subs) for k, v in obj.items()}
    return obj


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"kind": "lighting", "clips": ["no-such-clip"], "steps": 2}, "no catalogued clip matches"),
        ({"kind": "lighting", "clips": ["CLIP@0:100000"], "steps": 2}, "outside"),
        ({"kind": "lighting", "clips": ["CLIP@x:y"], "steps": 2}, "START:END"),
        ({"kind": "background", "clips": ["CLIP@5:5"], "steps": 2}, "outside"),
        ({"kind": "eyeline", "performer": "prf_nobody", "clips": ["CLIP"]}, "not registered"),
        ({"kind": "dialogue", "performer": "PID", "clips": ["NOFACE"]}, "no face found"),
        ({"kind": "eyeline", "performer": "PID", "clips": ["CLIP", "CLIP"]}, "given twice"),
        ({"kind": "cast"}, "no faces are tagged"),
        ({"kind": "teleport"}, ""),
        ({"kind": "lighting", "clips": [], "steps": 2}, ""),
        ({"kind": "lighting", "clips": ["CLIP"], "steps": 0}, ""),
    ],
)
def test_bad_training_requests_are_4xx_and_write_nothing(
    workspace: Workspace, footage_dir: Path, tmp_path: Path, body: dict[str, Any], says: str
) -> None:
    project, clips = _film(workspace, footage_dir, tmp_path, (CLIP,))
    noface = make_clip(tmp_path / "dailies" / "noface.mp4", seconds=1)
    ingest_folder(tmp_path / "dailies", Catalogue(workspace.engine), project="film", files=[noface])
    log = project_log(workspace, project)
    pid = ConsentRegistry(workspace.engine, workspace.blobs, log).register_performer(name="G", kind="principal")
    tok = _users(workspace)
    subs = {"CLIP": clips[CLIP].short_id, "NOFACE": "noface.mp4", "PID": pid.performer_id}
    body = _fill(body, subs)
    size, blobs = log.size(), sorted(p.name for p in workspace.blobs.root.rglob("*") if p.is_file())
    client = TestClient(create_app(Settings(home=workspace.home, secret_key=SECRET), workspace, run_workers=False))
    r = client.post("/api/v1/projects/film/trainings", json=body, headers=_h(tok["editor"]))
    # a clip that is not the project's is a reference to nothing: 404, as for another production's clip
    assert r.status_code == (404 if says == "no catalogued clip matches" else 422), r.text
    assert says in str(r.json()["detail"]), r.text
    assert log.size() == size and JobQueue(workspace.engine).list("film") == []
    assert ModelRegistry(workspace.engine, workspace.blobs).list() == []
    assert sorted(p.name for p in workspace.blobs.root.rglob("*") if p.is_file()) == blobs


def test_cancel_a_running_training_writes_nothing(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> None:
    project, clips = _film(workspace, footage_dir, tmp_path, (CLIP,))
    log = project_log(workspace, project)
    size = log.size()
    spec = LightingSpec(kind="lighting", clips=[f"{clips[CLIP].short_id}@0:10"], steps=20_000)
    job = submit_training(workspace, project, spec, identity="api:ed")
    queue = JobQueue(workspace.engine)
    pool = WorkerPool(queue, training_handlers(workspace))
    worker = threading.Thread(target=pool.run_one)
    worker.start()
    for _ in range(2400):
        if queue.get(job.job_id).message.startswith("training lighting"):
            break
        time.sleep(0.05)
    queue.cancel(job.job_id, "film")
    worker.join(120)
    done = queue.get(job.job_id)
    assert done.state == "cancelled", done
    assert log.size() == size and ModelRegistry(workspace.engine, workspace.blobs).list() == []
    assert not (workspace.home / "staging" / f"train-{job.job_id}").exists()


def test_a_failing_training_job_fails_cleanly(workspace: Workspace, footage_dir: Path, tmp_path: Path) -> None:
    project, clips = _film(workspace, footage_dir, tmp_path, (CLIP,))
    log = project_log(workspace, project)
    size = log.size()
    submit_training(
        workspace, project, LightingSpec(kind="lighting", clips=[clips[CLIP].short_id], steps=2), identity="t"
    )
    (tmp_path / "dailies" / CLIP).unlink()  # the daily disappears between request and job
    done = WorkerPool(JobQueue(workspace.engine), training_handlers(workspace)).run_one()
    assert done is not None and done.state == "failed" and "no longer exists" in (done.error or ""), done
    assert log.size() == size and ModelRegistry(workspace.engine, workspace.blobs).list() == []


def _train_over_real_server(ws: Workspace, footage_dir: Path, db: str | None = None) -> None:
    import httpx

    from tests._support.server import running_server

    create_project(ws, "film", "Film", ProjectContext(), identity="t")
    tok = _users(ws)
    reg = ConsentRegistry(ws.engine, ws.blobs, project_log(ws, get_project(ws, "film")))
    pid = reg.register_performer(name="Grid Talker", kind="principal").performer_id
    with running_server(ws.home, secret=SECRET, db=db) as base:
        ed = httpx.Client(base_url=base + "/api/v1/projects/film", headers=_h(tok["editor"]), timeout=60)
        up = ed.post("/uploads", content=(footage_dir / PLATE).read_bytes(), headers={"X-Filename": PLATE})
        r = ed.post("/dailies", json={"file": up.json()["ref"], "filename": PLATE})
        assert r.status_code == 201, r.text
        clip = r.json()["clip"]["content_hash"]
        assert ed.post("/cast-tags", json={"performer_id": pid, "clip": clip, "frame": 30}).status_code == 201
        r = ed.post("/trainings", json={"kind": "cast", "samples": 6})
        assert r.status_code == 202, r.text
        for _ in range(1200):
            job = ed.get(f"/trainings/{r.json()['job_id']}").json()
            if job["state"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.25)
        assert job["state"] == "succeeded" and job["progress"] == 1.0, job
        [model] = ed.get("/models?kind=cast").json()
        assert model["model_id"] == job["model_id"] and model["dailies"][0]["content_hash"] == clip
        assert ed.get("/ledger/entries/" + str(job["ledger_index"])).json()["model_id"] == job["model_id"]


def test_train_over_a_real_server(workspace: Workspace, footage_dir: Path) -> None:
    _train_over_real_server(workspace, footage_dir)


@pytest.mark.postgres
def test_train_over_a_real_server_postgres(postgres_db: str, footage_dir: Path, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home", postgres_db)
    ws.init()
    _train_over_real_server(ws, footage_dir, db=postgres_db)
