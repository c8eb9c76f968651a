"""The edit flow end to end on real footage: gate → review → render → ledger → label → deliverable → QC."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cutproof.core.jobs import JobContext, JobQueue, WorkerPool
from cutproof.core.projects import project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import RENDER_JOB, deliverables_dir, run_render_job, sign_review, submit
from cutproof.edits.requests import RequestStore
from cutproof.edits.submission import EditSubmission, SubmissionError
from ledger import verify_receipt
from tests._support.footage import CLIP, PLATE


def _background(clips: dict[str, Any], performer: Any, **fields: Any) -> EditSubmission:
    """A background replacement on the GRID take declaring the fixture's performer (``fields``: the rest)."""
    base: dict[str, Any] = {
        "shot": clips[CLIP].short_id,
        "kind": "background",
        "purpose": "continuity",
        "performers": (performer.performer_id,),
        "params": {"plate": clips[PLATE].short_id},
    }
    return EditSubmission(**{**base, **fields})


def _pool(ws: Workspace) -> WorkerPool:
    return WorkerPool(JobQueue(ws.engine), {RENDER_JOB: lambda ctx, p: run_render_job(ws, ctx, p)})


def _stored_progress(monkeypatch: pytest.MonkeyPatch, home: Path) -> list[tuple[float, str, set[str]]]:
    """What the job table holds after each progress report of a job (its stored progress and message), with the
    names of the files under the workspace's renders/ and staging/ folders at that moment."""
    stored: list[tuple[float, str, set[str]]] = []
    real = JobContext.progress

    def progress(self: JobContext, fraction: float, message: str = "") -> None:
        real(self, fraction, message)
        job = self.queue.get(self.job.job_id)
        files = {p.name for d in ("renders", "staging") for p in (home / d).rglob("*") if p.is_file()}
        stored.append((job.progress, job.message, files))

    monkeypatch.setattr(JobContext, "progress", progress)
    return stored


def test_review_then_render_label_deliver(workspace: Workspace, film, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    project, performer, clips = film
    stored = _stored_progress(monkeypatch, workspace.home)
    sub = _background(clips, performer, end=12)
    gate, job = submit(workspace, project, sub, identity="test:editor")
    log = project_log(workspace, project)
    decided = log.entry_json(gate.decision_index)
    assert decided["kind"] == "policy.decided/1"
    assert decided["request"]["unidentified_faces"] >= 1
    if gate.decision.outcome == "review":
        assert job is None
        record, job = sign_review(
            workspace,
            project,
            gate.request_id,
            approve=True,
            note="Background only; performer untouched",
            reviewer="api:legal-lee",
        )
        assert record.state == "queued" and record.review_index is not None and job is not None
    assert gate.decision.outcome in ("review", "allow"), gate.decision.to_json()
    done = _pool(workspace).run_one()
    assert done is not None and done.state == "succeeded", done.error if done else None
    # the job's stored progress moved during the render (0.05–0.65) and the labelling (0.7–0.9), never back
    assert any(0.05 < p < 0.65 and m == "rendering" for p, m, _ in stored), stored
    assert any(0.7 < p < 0.9 and m == "labelling" for p, m, _ in stored), stored
    assert [p for p, _, _ in stored] == sorted(p for p, _, _ in stored)
    # it moved before the frames too: the clean plate and regrade while nothing was written yet, the disclosure
    # pass before the watermark pass began
    assert any(p > 0.05 and m == "rendering" and not f for p, m, f in stored), stored
    assert any(p > 0.7 and m == "labelling" and not any("marked" in n for n in f) for p, m, f in stored), stored
    rec = RequestStore(workspace.engine).get(gate.request_id, "film")
    assert rec.state == "delivered" and rec.edit_index is not None and rec.label_index is not None
    edit = log.entry_json(rec.edit_index)
    assert edit["kind"] == "edit.applied/1" and edit["decision_index"] == gate.decision_index
    decided_on = sorted(set(decided["request"]["declared"]) | set(decided["request"]["detected"]))
    assert edit["result"]["performers"] == decided_on == [performer.performer_id]  # exactly whom the gate decided on
    assert log.entry_json(rec.label_index)["kind"] == "label.applied/1"
    out = Path(rec.deliverable or "")
    assert out.parent == deliverables_dir(workspace, "film") and out.is_file()
    receipt = (out.parent / (out.name + ".tlog-proof")).read_text()
    assert verify_receipt(receipt, log.entry(rec.label_index), log.verifier_keys()).index == rec.label_index
    assert not (workspace.home / "renders" / gate.request_id).exists()


def test_denied_renders_nothing(workspace: Workspace, film) -> None:  # type: ignore[no-untyped-def]
    project, performer, clips = film
    sub = _background(clips, performer, purpose="performance_change")
    gate, job = submit(workspace, project, sub, identity="test:editor")
    assert gate.decision.outcome == "deny", json.dumps(gate.decision.to_json())[:500]
    assert job is None
    assert JobQueue(workspace.engine).list("film") == []
    assert not deliverables_dir(workspace, "film").exists()


def test_bad_submission_writes_nothing(workspace: Workspace, film) -> None:  # type: ignore[no-untyped-def]
    project, _performer, clips = film
    log = project_log(workspace, project)
    size = log.size()
    for sub in (
        EditSubmission(shot="no-such-shot", kind="background", purpose="continuity"),
        EditSubmission(shot=clips[CLIP].short_id, kind="background", purpose="continuity", region="0,0,9999,10"),
        EditSubmission(shot=clips[CLIP].short_id, kind="background", purpose="continuity", start=5, end=500),
    ):
        with pytest.raises(SubmissionError):
            submit(workspace, project, sub, identity="t")
    assert log.size() == size
    assert RequestStore(workspace.engine).list("film") == []


def test_deliverable_passes_qc(workspace: Workspace, film) -> None:  # type: ignore[no-untyped-def]
    from cutproof.qc.verify import verify_deliverable

    project, performer, clips = film
    sub = _background(clips, performer, end=24)
    gate, job = submit(workspace, project, sub, identity="test:editor")
    if job is None:
        sign_review(workspace, project, gate.request_id, approve=True, note="ok", reviewer="api:legal")
    done = _pool(workspace).run_one()
    assert done is not None and done.state == "succeeded", done.error if done else None
    rec = RequestStore(workspace.engine).get(gate.request_id, "film")
    report = verify_deliverable(workspace, Path(rec.deliverable or ""), origin=project.origin)
    assert report.passed, [c.to_json() for c in report.failures()]
    assert report.edit_index == rec.edit_index


def test_cli_submit_review_run(workspace: Workspace, film, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import getpass

    from typer.testing import CliRunner

    from cutproof.cli.main import app
    from cutproof.core.access import SeparationOfDutiesError

    _project, performer, clips = film
    runner = CliRunner()
    base = ["--home", str(workspace.home)]
    monkeypatch.setattr(getpass, "getuser", lambda: "editor")  # the CLI records ``cli:<user>@<host>``
    r = runner.invoke(
        app,
        [
            *base,
            "request",
            "submit",
            clips[CLIP].short_id,
            "--kind",
            "background",
            "--purpose",
            "continuity",
            "--performer",
            performer.performer_id,
            "--end",
            "8",
            "--param",
            f"plate={clips[PLATE].short_id}",
            "--json",
        ],
    )
    assert r.exit_code == 4, r.output  # review: a face the gate cannot identify
    rid = json.loads(r.output.strip().splitlines()[-1])["request_id"]
    own = runner.invoke(app, [*base, "request", "review", rid, "--approve", "--note", "my own"])
    assert isinstance(own.exception, SeparationOfDutiesError)  # the submitter cannot sign its review
    monkeypatch.setattr(getpass, "getuser", lambda: "legal")
    r = runner.invoke(app, [*base, "request", "review", rid, "--approve", "--note", "background only"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, [*base, "jobs", "run", "--workers", "2"])  # an MPEG-PS take: rendered in one piece
    assert r.exit_code == 0 and "succeeded" in r.output, r.output
    assert RequestStore(workspace.engine).get(rid, "film").state == "delivered"
    bad = runner.invoke(app, [*base, "request", "submit", "nope", "--kind", "background", "--purpose", "continuity"])
    assert bad.exit_code != 0


def test_concurrent_sign_offs_record_one_review(workspace: Workspace, film) -> None:  # type: ignore[no-untyped-def]
    """The sign-off's entry, the request's state and the render job commit together: of reviewers racing on one
    request exactly one is recorded; the others get FlowError and leave no ledger entry and no job behind."""
    from concurrent.futures import ThreadPoolExecutor

    from cutproof.edits.flow import FlowError

    project, performer, clips = film
    sub = _background(clips, performer, is_deep_fake=True, end=12)
    gate, _ = submit(workspace, project, sub, identity="test:editor")
    assert gate.decision.outcome == "review", gate.decision.to_json()
    log = project_log(workspace, project)
    size = log.size()

    def sign(i: int) -> str:
        try:
            record, job = sign_review(
                workspace, project, gate.request_id, approve=i % 2 == 0, note=f"reviewer {i}", reviewer=f"api:r{i}"
            )
        except FlowError as exc:
            return f"refused: {exc}"
        return f"{record.state} {job.job_id if job else None}"

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(sign, range(6)))
    recorded = [r for r in results if not r.startswith("refused")]
    assert len(recorded) == 1, results
    assert log.size() == size + 1
    entry = log.entry_json(size)
    assert entry["kind"] == "review.signed/1" and entry["request_id"] == gate.request_id
    rec = RequestStore(workspace.engine).get(gate.request_id, "film")
    assert rec.review_index == size and rec.review is not None
    jobs = JobQueue(workspace.engine).list("film")
    if entry["verdict"] == "approve":
        assert rec.state == "queued" and [j.job_id for j in jobs] == [rec.job_id] and recorded[0].endswith(rec.job_id)
    else:
        assert rec.state == "rejected" and jobs == [] and recorded[0] == "rejected None"
