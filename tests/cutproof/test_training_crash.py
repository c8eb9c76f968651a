"""A training job killed with SIGKILL at any point: never a half-registered model (registered without its
``model.trained/1`` entry), a consistent ledger, and a restart that finishes the job with the entry written once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cutproof.core.jobs import JobQueue
from cutproof.core.projects import ProjectContext, create_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.training.jobs import submit_training
from cutproof.training.run import LightingSpec, registered
from editor import Catalogue, ModelRegistry, ingest_folder
from ledger.fsck import fsck
from tests._support.footage import CLIP

REPO = Path(__file__).resolve().parents[2]
WORKER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import timedelta
    import cutproof.training.jobs as tj
    from cutproof.edits.flow import job_handlers
    from cutproof.core.jobs import JobQueue, WorkerPool
    from cutproof.core.workspace import Workspace

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def after(name):
        real = getattr(tj, name)
        setattr(tj, name, lambda *a, **k: (real(*a, **k), die())[0])

    crash_at = sys.argv[2]
    if crash_at == "after-train":  # trained and staged, the step not yet saved
        after("run")
    elif crash_at == "after-entry":  # model.trained/1 appended, the step not yet saved, not registered
        after("append_trained_entry")
    elif crash_at == "after-register":  # registered, the job not yet marked done
        after("register_trained")
    ws = Workspace(sys.argv[1])
    WorkerPool(JobQueue(ws.engine, lease=timedelta(seconds=1)), job_handlers(ws)).run_one()
    """
)


def _trained_entries(log) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    return [e for e in (log.entry_json(i) for i in range(log.size())) if e["kind"] == "model.trained/1"]


@pytest.mark.parametrize(
    "crash_at", ["after-train", "after-entry", pytest.param("after-register", marks=pytest.mark.slow)]
)
def test_kill_during_training_job(workspace: Workspace, footage_dir: Path, tmp_path: Path, crash_at: str) -> None:
    project = create_project(workspace, "film", "Film", ProjectContext(), identity="t")
    d = tmp_path / "dailies"
    d.mkdir()
    (d / CLIP).symlink_to(footage_dir / CLIP)
    ingest_folder(d, Catalogue(workspace.engine), project="film")
    clip = Catalogue(workspace.engine).get(CLIP, project="film")
    spec = LightingSpec(kind="lighting", clips=[f"{clip.short_id}@0:10"], steps=4)
    job = submit_training(workspace, project, spec, identity="api:ed")
    log = project_log(workspace, project)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    crashed = subprocess.run([sys.executable, "-c", WORKER, str(workspace.home), crash_at], env=env)
    assert crashed.returncode == -signal.SIGKILL, "the worker was meant to die " + crash_at
    queue = JobQueue(workspace.engine)
    assert queue.get(job.job_id).state == "running"

    # After the crash: a registered model always has its entry; the ledger is intact.
    for record in ModelRegistry(workspace.engine, workspace.blobs).list():
        assert [e["model_id"] for e in _trained_entries(log)] == [record.model_id]
    assert all(r.ok for r in fsck(workspace.engine))

    # Restart: the job is claimed again after its lease, resumes and finishes; one entry, one loadable model.
    time.sleep(1.2)
    subprocess.run([sys.executable, "-c", WORKER, str(workspace.home), "never"], env=env, check=True)
    done = queue.get(job.job_id)
    assert done.state == "succeeded", done.error
    assert done.result is not None
    [entry] = _trained_entries(log)
    assert entry["model_id"] == done.result["model_id"] and entry["ledger"]["identity"] == "api:ed"
    record = registered(workspace, entry["model_id"])
    assert record is not None and record.project == "film" and record.model_file_hash == entry["model_file_hash"]
    ModelRegistry(workspace.engine, workspace.blobs).load(record.model_id)  # file ↔ hash ↔ manifest all check
    assert not (workspace.home / "staging" / f"train-{job.job_id}").exists()
    assert all(r.ok for r in fsck(workspace.engine))
