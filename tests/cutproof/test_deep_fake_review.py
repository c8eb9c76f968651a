"""Deep fakes decided by the gate, reviews that answer, QC that holds the deliverable to the recorded obligations.

The project (EU distribution, evidently artistic) alters an identified, consented performer: Art. 3(60) makes that a
deep fake whatever the consent, so the gate applies the limited Art. 50(4) disclosure itself; a requester's "not a
deep fake" with a reason goes to legal, whose sign-off must answer the question, and the obligations recomputed from
the answer are what the deliverable is labelled with and checked against.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from consent import ConsentRegistry
from cutproof.cast.presence import Presence
from cutproof.core.jobs import JobQueue, WorkerPool
from cutproof.core.projects import project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import RENDER_JOB, FlowError, run_render_job, sign_review, submit
from cutproof.edits.requests import RequestStore
from cutproof.edits.submission import EditSubmission
from cutproof.qc.verify import verify_deliverable
from tests._support.footage import CLIP, PLATE


@pytest.fixture
def consented(workspace: Workspace, film: Any, tmp_path: Path) -> Any:
    """The film fixture plus a grant covering a background edit that changes the performance."""
    project, performer, _clips = film
    doc = tmp_path / "consent-performance.pdf"
    doc.write_bytes(b"%PDF signed: background replacement changing the performance")
    ConsentRegistry(workspace.engine, workspace.blobs, project_log(workspace, project)).grant(
        performer.performer_id,
        category="digital_alteration",
        edit_kinds=["background"],
        purposes=["performance_change"],
        use_description="Replace the background so the take reads as a different scene",
        document=doc,
        signed_by="performer",
        contract_edition="sag-aftra-tv-theatrical-2026",
        valid_from=datetime.now(UTC) - timedelta(days=1),
    )
    return film


def _submission(clips: dict[str, Any], performer: Any, **fields: Any) -> EditSubmission:
    return EditSubmission(
        shot=clips[CLIP].short_id,
        kind="background",
        purpose="performance_change",
        performers=(performer.performer_id,),
        params={"plate": clips[PLATE].short_id},
        end=24,
        **fields,
    )


def _identified(performer: Any) -> Presence:
    """The performer identified in the region (what the project's cast model reports once trained)."""
    return Presence((performer.performer_id,), 0, "test: identified by the production", {})


def _render(ws: Workspace, request_id: str) -> Path:
    pool = WorkerPool(JobQueue(ws.engine), {RENDER_JOB: lambda ctx, p: run_render_job(ws, ctx, p)})
    done = pool.run_one()
    assert done is not None and done.state == "succeeded", done.error if done else None
    rec = RequestStore(ws.engine).get(request_id, "film")
    return Path(rec.deliverable or "")


def test_the_gate_decides_a_consented_performers_alteration_is_a_deep_fake_and_discloses_it(
    workspace: Workspace, consented: Any
) -> None:
    project, performer, clips = consented
    gate, job = submit(
        workspace, project, _submission(clips, performer), identity="test:editor", presence=_identified(performer)
    )
    rules = {r.rule_id for r in gate.decision.reasons}
    assert gate.decision.outcome == "allow", gate.decision.to_json()
    assert "eu.art50.4.deep-fake-inferred-artistic" in rules and "eu.art50.4.deep-fake-undeclared" not in rules
    assert gate.decision.obligations.disclosure == ("end_credit", "sidecar")  # limited form: artistic work
    assert job is not None
    report = verify_deliverable(workspace, _render(workspace, gate.request_id), origin=project.origin)
    assert report.passed, [c.to_json() for c in report.failures()]
    disclosure = next(c for c in report.checks if c.name == "disclosure")
    assert set(disclosure.evidence["found"]) == {"end_credit", "sidecar"}


def test_not_a_deep_fake_goes_to_review_which_must_answer_and_its_answer_sets_the_disclosure(
    workspace: Workspace, consented: Any
) -> None:
    project, performer, clips = consented
    sub = _submission(clips, performer, is_deep_fake=False, not_deep_fake_reason="the performer's face is untouched")
    gate, job = submit(workspace, project, sub, identity="test:editor", presence=_identified(performer))
    assert gate.decision.outcome == "review" and job is None
    assert "eu.art50.4.not-deep-fake-claimed" in {r.rule_id for r in gate.decision.reasons}
    assert gate.decision.obligations.disclosure == ()
    log = project_log(workspace, project)
    size = log.size()
    with pytest.raises(FlowError, match="deep_fake"):
        sign_review(workspace, project, gate.request_id, approve=True, note="fine", reviewer="api:legal")
    with pytest.raises(FlowError, match="did not ask"):
        sign_review(
            workspace,
            project,
            gate.request_id,
            approve=True,
            note="x",
            reviewer="api:legal",
            answers={"deep_fake": True, "other": True},
        )
    assert log.size() == size  # refused sign-offs record nothing
    record, job = sign_review(
        workspace,
        project,
        gate.request_id,
        approve=True,
        note="the new background makes the take read as another scene: a deep fake of the performer",
        reviewer="api:legal",
        answers={"deep_fake": True},
    )
    assert job is not None
    entry = log.entry_json(record.review_index or 0)
    assert entry["kind"] == "review.signed/1" and entry["answers"] == {"deep_fake": True}
    assert entry["obligations"]["disclosure"] == ["end_credit", "sidecar"]
    report = verify_deliverable(workspace, _render(workspace, gate.request_id), origin=project.origin)
    assert report.passed, [c.to_json() for c in report.failures()]
    disclosure = next(c for c in report.checks if c.name == "disclosure")
    assert set(disclosure.evidence["found"]) == {"end_credit", "sidecar"}


def test_qc_fails_a_deliverable_that_misses_the_obligations_the_review_recorded(tmp_path: Path) -> None:
    """The review recomputed end credits + sidecar; a deliverable labelled with the gate's sidecar only fails."""
    from records import Obligations
    from tests._support.qc_scenario import build
    from tests._support.video import make_clip

    ws = Workspace(tmp_path / "home")
    ws.init()
    render = make_clip(tmp_path / "render.mp4", seconds=2, size=(320, 180))
    (tmp_path / "out").mkdir()
    owed = Obligations(marking=("c2pa_metadata", "watermark"), disclosure=("end_credit", "sidecar"))
    sc = build(ws, render, tmp_path / "out", outcome="review", review="approved", disclosure=("sidecar",),
               review_obligations=owed)  # fmt: skip
    report = verify_deliverable(ws, sc.result.path)
    check = next(c for c in report.checks if c.name == "disclosure")
    assert str(check.status) == "fail" and "end_credit" in check.reason
    assert check.evidence["required"] == ["end_credit", "sidecar"]
    assert not report.passed
