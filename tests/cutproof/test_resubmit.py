"""A request that ended without a deliverable, submitted again (``cutproof.edits.resubmit.resubmit``).

Real footage and a real render: the plate's file (an upload) goes missing between the decision and the render, the
render job fails, the request reads as failed; the file is put back and the request submitted again, through the
gate, and that one is delivered. The API, the CLI and the console offer the same.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cutproof.audit.build import build_audit
from cutproof.audit.html import render as render_html
from cutproof.core.jobs import JobContext, JobQueue, WorkerPool
from cutproof.core.projects import Project, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import RENDER_JOB, FlowError, job_handlers, run_render_job, sign_review, submit
from cutproof.edits.gate import GateResult
from cutproof.edits.requests import RequestStore
from cutproof.edits.resubmit import resubmit
from cutproof.edits.submission import EditSubmission
from tests._support.footage import CLIP, PLATE
from tests._support.uploaded_plate import offline, uploaded_plate


def _background(clips: dict[str, Any], performer: Any, **fields: Any) -> EditSubmission:
    return EditSubmission(
        shot=clips[CLIP].short_id,
        kind="background",
        purpose=fields.pop("purpose", "continuity"),
        performers=(performer.performer_id,),
        params=fields.pop("params", {"plate": clips[PLATE].short_id}),
        **fields,
    )


def _approved(ws: Workspace, project: Project, gate: GateResult) -> None:
    """Sign off a request the gate sent to review (the rules may or may not want one for this edit)."""
    if gate.decision.outcome == "review":
        sign_review(ws, project, gate.request_id, approve=True, note="Background only", reviewer="api:legal-lee")
    assert gate.decision.outcome in ("allow", "review"), gate.decision.to_json()


def _run_one(ws: Workspace) -> Any:
    return WorkerPool(JobQueue(ws.engine), {RENDER_JOB: lambda ctx, p: run_render_job(ws, ctx, p)}).run_one()


def test_a_failed_render_is_submitted_again_and_delivered(workspace: Workspace, film) -> None:  # type: ignore[no-untyped-def]
    project, performer, clips = film
    store = RequestStore(workspace.engine)
    plate = uploaded_plate(workspace, "film", clips[PLATE].path)
    gate, _job = submit(
        workspace, project, _background(clips, performer, end=4, params={"plate": plate}), identity="test:editor"
    )
    _approved(workspace, project, gate)
    with pytest.raises(FlowError, match="only a request that ended"):  # on its way: nothing to submit again
        resubmit(workspace, project, gate.request_id, identity="test:editor")
    with offline(workspace, plate):  # the plate's volume went offline before the render
        done = _run_one(workspace)
    assert done is not None and done.state == "failed", done
    failed = store.get(gate.request_id, "film")
    assert failed.state == "failed" and failed.deliverable is None and failed.resubmitted_as is None
    log = project_log(workspace, project)
    size = log.size()

    left = workspace.home / "renders" / gate.request_id  # what a job given up after lost workers leaves behind
    left.mkdir(parents=True)
    (left / "render.mp4").write_bytes(b"an unlabelled render")
    old, again, job = resubmit(workspace, project, gate.request_id, identity="test:editor-2")
    assert not left.exists()
    assert again.request_id != gate.request_id
    assert old.state == "failed" and old.resubmitted_as == again.request_id
    new = store.get(again.request_id, "film")
    assert new.submission == failed.submission and new.submitted_by == "test:editor-2"
    assert log.size() > size and log.entry_json(again.decision_index)["kind"] == "policy.decided/1"  # decided afresh
    assert again.decision_index >= size
    link = log.entry_json(again.decision_index + 1)  # the ledger links the two, appended with the new decision
    assert log.size() == again.decision_index + 2
    assert (link["kind"], link["request_id"], link["ended"], link["resubmitted_as"]) == (
        "request.resubmitted/1", gate.request_id, "failed", again.request_id
    )  # fmt: skip
    with pytest.raises(FlowError, match="submitted again already"):  # once: the new request is the one to follow
        resubmit(workspace, project, gate.request_id, identity="test:editor")
    assert log.size() == again.decision_index + 2  # the refusal recorded nothing
    _approved(workspace, project, again)
    done = _run_one(workspace)
    assert done is not None and done.state == "succeeded", done.error if done else None
    delivered = store.get(again.request_id, "film")
    assert delivered.state == "delivered" and Path(delivered.deliverable or "").is_file()
    with pytest.raises(FlowError, match="is delivered"):
        resubmit(workspace, project, again.request_id, identity="test:editor")
    assert job is None or job.job_id == delivered.job_id
    # the audit links the two requests from the ledger, each with the entry that proves it
    edits = {e.request_id: e for s in build_audit(workspace, project).shots for e in s.edits}
    first, second = edits[gate.request_id], edits[again.request_id]
    assert (first.resubmitted_as, first.resubmitted_index) == (again.request_id, again.decision_index + 1)
    assert (second.resubmits, second.resubmits_index) == (gate.request_id, again.decision_index + 1)
    assert first.resubmits is None and second.resubmitted_as is None
    html = render_html(build_audit(workspace, project), lambda i: f"receipts/{i}.tlog-proof")
    assert f"as request {again.request_id[:12]}" in html and f"request {gate.request_id[:12]}, which ended" in html


def test_a_denied_request_is_decided_again_on_consent_as_it_stands(workspace: Workspace, film) -> None:  # type: ignore[no-untyped-def]
    project, performer, clips = film
    gate, job = submit(
        workspace, project, _background(clips, performer, purpose="performance_change"), identity="test:editor"
    )
    assert gate.decision.outcome == "deny" and job is None
    old, again, job = resubmit(workspace, project, gate.request_id, identity="test:editor")
    assert again.decision.outcome == "deny" and job is None  # no grant covers it still
    assert old.state == "denied" and old.resubmitted_as == again.request_id
    assert RequestStore(workspace.engine).get(again.request_id, "film").resubmitted_as is None
    # two editors pressing at once both pass the first check; the second to record finds the first's id and
    # records nothing (its decision entry and row roll back with the compare-and-swap)
    log = project_log(workspace, project)
    size = log.size()
    sub = EditSubmission.model_validate(old.submission)
    with pytest.raises(FlowError, match="submitted again meanwhile"):
        submit(workspace, project, sub, identity="test:editor-2", resubmits=old)
    assert log.size() == size and len(RequestStore(workspace.engine).list("film")) == 2  # nor its link


def test_the_cli_submits_a_request_again(workspace: Workspace, film) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from cutproof.cli.main import app

    project, performer, clips = film
    gate, _job = submit(
        workspace, project, _background(clips, performer, purpose="performance_change"), identity="test:editor"
    )
    base = ["--home", str(workspace.home), "request"]
    r = CliRunner().invoke(app, [*base, "resubmit", gate.request_id])
    assert r.exit_code == 3, r.output  # denied again: the exit code of the new decision
    new_id = RequestStore(workspace.engine).get(gate.request_id, "film").resubmitted_as
    assert new_id and f"submitted again as {new_id}" in " ".join(r.output.split())  # rich wraps at 80 columns
    r = CliRunner().invoke(app, [*base, "list"])
    assert new_id[:12] in r.output, r.output
    r = CliRunner().invoke(app, [*base, "resubmit", gate.request_id])
    assert r.exit_code != 0 and isinstance(r.exception, FlowError)


@pytest.mark.parametrize("end", ["cancelled", "failed"])
def test_a_render_that_ends_at_labelling_leaves_no_unlabelled_file(  # type: ignore[no-untyped-def]
    workspace: Workspace, film, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    """The render is written and recorded (``edit.applied/1``), then the job ends as labelling starts: an editor
    cancels it, or the disk fills up. Its unlabelled render and staging folder go with it; the ledger keeps what
    happened (the edit was rendered, never labelled)."""
    project, performer, clips = film
    gate, _job = submit(workspace, project, _background(clips, performer, end=4), identity="test:editor")
    _approved(workspace, project, gate)
    real = JobContext.progress
    seen: list[set[str]] = []

    def progress(self: JobContext, fraction: float, message: str = "") -> None:
        if message == "labelling" and not seen:
            seen.append({p.name for p in (workspace.home / "renders" / gate.request_id).iterdir()})
            if end == "cancelled":
                self.queue.cancel(self.job.job_id)  # the editor's cancel, as the render's labelling starts
            else:
                raise OSError(28, "No space left on device")
        real(self, fraction, message)

    monkeypatch.setattr(JobContext, "progress", progress)
    done = _run_one(workspace)
    assert done is not None and done.state == end, done
    assert seen and any(n.startswith("render") for n in seen[0])  # the unlabelled render was there
    assert not (workspace.home / "renders" / gate.request_id).exists()
    assert not (workspace.home / "staging" / done.job_id).exists()
    rec = RequestStore(workspace.engine).get(gate.request_id, "film")
    assert rec.state == end and rec.deliverable is None
    kinds = [
        project_log(workspace, project).entry_json(i)["kind"] for i in range(project_log(workspace, project).size())
    ]
    assert kinds.count("edit.applied/1") == 1 and "label.applied/1" not in kinds
    monkeypatch.setattr(JobContext, "progress", real)
    _old, again, _job = resubmit(workspace, project, gate.request_id, identity="test:editor")
    assert RequestStore(workspace.engine).get(again.request_id, "film").state in ("queued", "awaiting_review")


class _WorkerDied(BaseException):
    """The worker's process dies: no handler's ``except Exception`` and no job outcome runs."""


def test_a_render_given_up_after_lost_workers_leaves_no_unlabelled_file(  # type: ignore[no-untyped-def]
    workspace: Workspace, film, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render's worker dies as labelling starts, with its unlabelled render written; the lease runs out, and the
    next worker's claim gives the job up (``max_attempts`` reached). That worker removes the render and staging
    folders, since no handler ran to the end of the job."""
    project, performer, clips = film
    gate, _job = submit(workspace, project, _background(clips, performer, end=4), identity="test:editor")
    _approved(workspace, project, gate)
    queue = JobQueue(workspace.engine, lease=timedelta(0), max_attempts=1)
    pool = WorkerPool(queue, job_handlers(workspace))
    real = JobContext.progress

    def progress(self: JobContext, fraction: float, message: str = "") -> None:
        if message == "labelling":
            raise _WorkerDied
        real(self, fraction, message)

    monkeypatch.setattr(JobContext, "progress", progress)
    with pytest.raises(_WorkerDied):
        pool.run_one("worker-1")
    renders = workspace.home / "renders" / gate.request_id
    assert any(p.name.startswith("render") for p in renders.iterdir())  # left behind by the dead worker
    job_id = RequestStore(workspace.engine).get(gate.request_id, "film").job_id
    assert queue.get(job_id).state == "running"
    monkeypatch.setattr(JobContext, "progress", real)
    assert pool.run_one("worker-2") is None  # its claim gives the job up instead of running it
    assert queue.get(job_id).state == "failed" and "worker lost" in (queue.get(job_id).error or "")
    assert not renders.exists()
    assert not (workspace.home / "staging" / job_id).exists()
    rec = RequestStore(workspace.engine).get(gate.request_id, "film")
    assert rec.state == "failed" and rec.deliverable is None
