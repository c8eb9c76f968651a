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

from cutproof.core.jobs import JobQueue
from cutproof.core.projects import project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import deliverables_dir, sign_review, submit
from cutproof.edits.requests import RequestStore
from cutproof.edits.submission import EditSubmission
from cutproof.qc.verify import verify_deliverable
from ledger.fsck import fsck
from tests._support.footage import CLIP, PLATE

REPO = Path(__file__).resolve().parents[2]
WORKER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import timedelta
    import cutproof.edits.flow as flow
    from cutproof.core.jobs import JobQueue, WorkerPool
    from cutproof.core.workspace import Workspace

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    crash_at = sys.argv[2]
    if crash_at == "after-render":  # the render finished, its step not yet saved
        real_render = flow.render_edit
        flow.render_edit = lambda *a, **k: (real_render(*a, **k), die())[0]
    elif crash_at == "after-label":  # labelled into staging, label.applied not yet appended
        real_label = flow.label_output
        flow.label_output = lambda *a, **k: (real_label(*a, **k), die())[0]
    elif crash_at == "mid-delivery":  # the video moved into the output folder, its receipt not yet written
        real_replace = os.replace
        def replace_then_die(src, dst):
            real_replace(src, dst)
            if str(dst).endswith(".mp4"):
                die()
        flow.os.replace = replace_then_die
    ws = Workspace(sys.argv[1])
    WorkerPool(JobQueue(ws.engine, lease=timedelta(seconds=1)), flow.job_handlers(ws)).run_one()
    """
)


def _kinds(log) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(log.entry_json(i)["kind"]) for i in range(log.size())]


@pytest.mark.parametrize(
    "crash_at", [pytest.param("after-render", marks=pytest.mark.slow), "after-label", "mid-delivery"]
)
def test_kill_during_render_job(workspace: Workspace, film, crash_at: str) -> None:  # type: ignore[no-untyped-def]
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
    crashed = subprocess.run([sys.executable, "-c", WORKER, str(workspace.home), crash_at], env=env)
    assert crashed.returncode == -signal.SIGKILL, "the worker was meant to die at " + crash_at
    assert queue.get(job.job_id).state == "running"

    # After the crash: nothing unlabelled in the output folder, the ledger is intact.
    out = deliverables_dir(workspace, "film")
    for f in out.glob("*.mp4") if out.exists() else []:
        assert verify_deliverable(workspace, f, origin=project.origin).passed, f
    assert all(r.ok for r in fsck(workspace.engine))

    # Restart: the job is claimed again after its lease and finishes; each entry exists exactly once.
    time.sleep(1.2)
    subprocess.run([sys.executable, "-c", WORKER, str(workspace.home), "never"], env=env, check=True)
    done = queue.get(job.job_id)
    assert done.state == "succeeded", done.error
    kinds = _kinds(project_log(workspace, project))
    assert kinds.count("edit.applied/1") == 1 and kinds.count("label.applied/1") == 1, kinds
    rec = RequestStore(workspace.engine).get(gate.request_id, "film")
    assert rec.state == "delivered"
    assert verify_deliverable(workspace, Path(rec.deliverable or ""), origin=project.origin).passed
    assert [p.name for p in out.glob("*.mp4")] == [Path(rec.deliverable or "").name]
    assert not (workspace.home / "staging" / job.job_id).exists()
