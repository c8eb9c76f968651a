"""Jobs on a real local Ray cluster (``cutproof.scale``), on a PostgreSQL-backed workspace as deployed: a render
job whose Ray worker is killed while it labels finishes once and correctly; a QC batch job fans its files out as
Ray tasks and gives each file the verdict single-file QC gives (slow); ``RayExecutor`` is a plain Executor."""

from __future__ import annotations

import os
import shutil
import signal
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cutproof.api import create_app
from cutproof.core import auth
from cutproof.core.jobs import JobQueue, jobs_table
from cutproof.core.projects import ProjectContext, create_project, project_log
from cutproof.core.settings import Settings
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import deliverables_dir, sign_review, submit
from cutproof.edits.requests import RequestStore
from cutproof.edits.submission import EditSubmission
from cutproof.qc.verify import verify_deliverable
from cutproof.scale.ray_engine import RayDispatcher, owner_pid
from cutproof.scale.ray_executor import RayExecutor
from editor import Catalogue
from ledger.fsck import fsck
from tests._support.footage import CLIP, PLATE
from tests._support.gated_project import add_grid_dailies_and_consent
from tests._support.qc_scenario import build
from tests._support.video import flip_byte_in_media_data, make_clip

pytestmark = [pytest.mark.ray, pytest.mark.postgres]


def test_ray_executor_is_an_executor(ray_address: str) -> None:
    with RayExecutor(ray_address) as ex:  # callables travel by reference to an importable module
        assert list(ex.map(pow, range(6), [2] * 6)) == [0, 1, 4, 9, 16, 25]
        assert ex.submit(os.getpid).result() != os.getpid()  # ran in one of the cluster's worker processes
    with pytest.raises(ZeroDivisionError):  # a task's exception reaches the caller's future
        RayExecutor(ray_address).submit(divmod, 1, 0).result()


def _kinds(log) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(log.entry_json(i)["kind"]) for i in range(log.size())]


def test_worker_killed_while_labelling_finishes_once(
    ray_address: str, postgres_db: str, footage_dir: Path, tmp_path: Path
) -> None:
    ws = Workspace(tmp_path / "home", postgres_db)
    ws.init()
    ctx = ProjectContext(principal_photography_start=date(2026, 9, 1), distribution_territories=("US", "EU"))
    project = create_project(ws, "film", "Film", ctx, identity="test:lead")
    _report, performer = add_grid_dailies_and_consent(ws, project, footage_dir, tmp_path, representation="union")
    clips = {c.path.name: c for c in Catalogue(ws.engine).list(project="film")}
    sub = EditSubmission(
        shot=clips[CLIP].short_id,
        kind="background",
        purpose="continuity",
        end=12,
        performers=(performer.performer_id,),
        params={"plate": clips[PLATE].short_id},
    )
    gate, job = submit(ws, project, sub, identity="test:editor")
    if job is None:
        _, job = sign_review(ws, project, gate.request_id, approve=True, note="ok", reviewer="api:legal")
    assert job is not None
    queue = JobQueue(ws.engine)
    dispatcher = RayDispatcher(ws, ray_address, lease=timedelta(seconds=2), poll_seconds=0.2)

    # Dispatch, and kill the Ray worker process that holds the job as soon as it starts labelling.
    assert dispatcher.tick() == [job.job_id]
    assert dispatcher.tick() == []  # one task per job at a time
    deadline = time.monotonic() + 240
    while (row := queue.get(job.job_id)).message != "labelling":
        assert row.state not in ("succeeded", "failed"), row
        assert time.monotonic() < deadline, row
        time.sleep(0.02)
    with ws.engine.connect() as conn:  # the job table names the process holding the lease
        owner = conn.execute(select(jobs_table.c.lease_owner).where(jobs_table.c.job_id == job.job_id)).scalar()
    pid = owner_pid(owner)
    assert pid is not None and pid != os.getpid(), owner
    os.kill(pid, signal.SIGKILL)
    killed = queue.get(job.job_id)
    assert killed.state == "running" and "label" not in killed.steps, killed.steps

    # Nothing unlabelled reached the delivery folder; the ledger is intact.
    out = deliverables_dir(ws, "film")
    assert not list(out.glob("*.mp4")) if out.exists() else True
    assert all(r.ok for r in fsck(ws.engine))

    # Ray retries the task (a no-op while the dead owner's lease lasts); after the lease the job is dispatched again
    # and resumes at its first unfinished step.
    ended = dispatcher.run_until_done([job.job_id], timeout=240)
    done = ended[0]
    assert done.state == "succeeded", done.error
    assert done.attempts >= 2, "the job was meant to be interrupted and resumed"
    kinds = _kinds(project_log(ws, project))
    assert kinds.count("edit.applied/1") == 1 and kinds.count("label.applied/1") == 1, kinds
    rec = RequestStore(ws.engine).get(gate.request_id, "film")
    assert rec.state == "delivered"
    deliverable = Path(rec.deliverable or "")
    assert [p.name for p in out.glob("*.mp4")] == [deliverable.name]
    qc = verify_deliverable(ws, deliverable, origin=project.origin)
    assert qc.passed, [c.to_json() for c in qc.failures()]
    assert not (ws.home / "staging" / job.job_id).exists()


@pytest.mark.slow
def test_api_on_ray_runs_a_qc_batch_whose_files_fan_out(ray_address: str, postgres_db: str, tmp_path: Path) -> None:
    """``cutproof serve`` with ``CUTPROOF_RAY_ADDRESS``: the server dispatches a QC batch job to the cluster, whose
    files fan out as further Ray tasks — a labelled deliverable, a tampered copy and an unlabelled clip, each with
    the verdict single-file QC gives."""
    ws = Workspace(tmp_path / "home", postgres_db)
    ws.init()
    (tmp_path / "out").mkdir()
    scenario = build(ws, make_clip(tmp_path / "render.mp4", seconds=2, size=(320, 240)), tmp_path / "out")
    slug = scenario.log.origin.rsplit("/", 1)[1]
    deliverable = scenario.result.path
    tampered = tmp_path / "tampered.mp4"
    shutil.copy(deliverable, tampered)
    flip_byte_in_media_data(tampered)
    unlabelled = make_clip(tmp_path / "unlabelled.mp4", seconds=1, size=(320, 240), seed=5)
    auth.add_user(ws.engine, "quinn")
    auth.grant_role(ws.engine, "quinn", slug, "qc")
    secret = "ray-secret-" + "r" * 32
    qc = {"Authorization": f"Bearer {auth.issue_token(ws.engine, 'quinn', pepper=secret.encode()).token}"}
    settings = Settings(home=ws.home, db=postgres_db, secret_key=secret, ray_address=ray_address)
    base = f"/api/v1/projects/{slug}"
    with TestClient(create_app(settings, ws)) as client:
        refs = []
        for f in (deliverable, tampered, unlabelled):
            r = client.post(f"{base}/uploads", content=f.read_bytes(), headers={**qc, "X-Filename": f.name})
            refs.append(r.json()["ref"])
        job_id = client.post(f"{base}/qc/batch", json={"files": refs}, headers=qc).json()["job_id"]
        deadline = time.monotonic() + 240
        owners = set()
        while (status := client.get(f"{base}/qc/batch/{job_id}", headers=qc).json())["state"] != "succeeded":
            assert status["state"] in ("queued", "running") and time.monotonic() < deadline, status
            with ws.engine.connect() as conn:  # who holds the job while it runs
                owners.add(conn.execute(select(jobs_table.c.lease_owner).where(jobs_table.c.job_id == job_id)).scalar())
            time.sleep(0.2)
        owners.discard(None)
        assert owners and all(owner_pid(o) not in (None, os.getpid()) for o in owners), owners  # Ray workers ran it
        report = status["report"]
        verdicts = []
        for ref, entry in zip(refs, report["files"], strict=True):
            single = client.post(f"{base}/qc", json={"file": ref}, headers=qc).json()
            assert entry["verdict"] == single["verdict"], (entry, single)
            failing = [c["name"] for c in single["checks"] if c["status"] == "fail"]
            assert [c["name"] for c in entry["failures"]] == failing
            verdicts.append(single["verdict"])
    assert verdicts[1:] == ["fail", "fail"]  # tampered, unlabelled
