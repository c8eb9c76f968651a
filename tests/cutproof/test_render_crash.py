"""A render job killed with SIGKILL at any point: no unlabelled or half-written output, a consistent ledger, and a
restart that finishes the job without appending anything twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cutproof.flow import deliverables_dir, sign_review, submit
from cutproof.gate import EditSubmission
from cutproof.jobs import JobQueue
from cutproof.projects import project_log
from cutproof.qc import verify_deliverable
from cutproof.requests import RequestStore
from cutproof.workspace import Workspace
from ledger.fsck import fsck
from tests._support.footage import CLIP, PLATE

REPO = Path(__file__).resolve().parents[2]
WORKER = textwrap.dedent(
    """
    import sys
    from datetime import timedelta
    from cutproof.flow import job_handlers
    from cutproof.jobs import JobQueue, WorkerPool
    from cutproof.workspace import Workspace
    ws = Workspace(sys.argv[1])
    WorkerPool(JobQueue(ws.engine, lease=timedelta(seconds=1)), job_handlers(ws)).run_one()
    """
)


def _kinds(log) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(log.entry_json(i)["kind"]) for i in range(log.size())]


@pytest.mark.parametrize("kill_at", [pytest.param("rendering", marks=pytest.mark.slow), "labelling", "delivering"])
def test_kill_during_render_job(workspace: Workspace, film, kill_at: str) -> None:  # type: ignore[no-untyped-def]
    project, performer, clips = film
    sub = EditSubmission(
        shot=clips[CLIP].short_id,
        kind="background",
        purpose="continuity",
        end=10,
        performers=(performer.performer_id,),
        params={"plate": clips[PLATE].short_id},
    )
    gate, job = submit(workspace, project, sub, identity="test:editor")
    if job is None:
        _, job = sign_review(workspace, project, gate.request_id, approve=True, note="ok", reviewer="api:legal")
    assert job is not None
    queue = JobQueue(workspace.engine)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", WORKER, str(workspace.home)], env=env)
    deadline = time.monotonic() + 240
    while queue.get(job.job_id).message != kill_at:
        assert child.poll() is None or queue.get(job.job_id).message == kill_at, "worker ended before the kill"
        assert time.monotonic() < deadline, queue.get(job.job_id)
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()

    # After the crash: nothing unlabelled in the output folder, the ledger is intact.
    out = deliverables_dir(workspace, "film")
    for f in out.glob("*.mp4") if out.exists() else []:
        assert verify_deliverable(workspace, f, origin=project.origin).passed, f
    assert all(r.ok for r in fsck(workspace.engine))

    # Restart: the job is claimed again after its lease and finishes; each entry exists exactly once.
    time.sleep(1.2)
    subprocess.run([sys.executable, "-c", WORKER, str(workspace.home)], env=env, check=True)
    done = queue.get(job.job_id)
    assert done.state == "succeeded", done.error
    kinds = _kinds(project_log(workspace, project))
    assert kinds.count("edit.applied/1") == 1 and kinds.count("label.applied/1") == 1, kinds
    rec = RequestStore(workspace.engine).get(gate.request_id, "film")
    assert rec.state == "delivered"
    assert verify_deliverable(workspace, Path(rec.deliverable or ""), origin=project.origin).passed
    assert [p.name for p in out.glob("*.mp4")] == [Path(rec.deliverable or "").name]
    assert not (workspace.home / "staging" / job.job_id).exists()
