"""The legal audit per shot, its reports (JSON, CSV, HTML with receipts) and the OTIO round trip."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from consent import ConsentRegistry
from cutproof.audit.build import build_audit
from cutproof.audit.report import to_csv, to_html, write_report
from cutproof.audit.timeline import TimelineError, audit_timeline, mark_timeline, write_timeline
from cutproof.cli.main import app
from cutproof.core.jobs import JobQueue, WorkerPool
from cutproof.core.projects import ProjectContext, create_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.flow import RENDER_JOB, run_render_job, sign_review, submit
from cutproof.edits.submission import EditSubmission
from editor import Catalogue
from ledger import verify_receipt
from tests._support.footage import CLIP, PLATE
from tests._support.gated_project import add_grid_dailies_and_consent


@pytest.fixture
def audited(workspace: Workspace, film):  # type: ignore[no-untyped-def]
    """One delivered edit (review approved) and one denied request on the grid shot."""
    project, performer, clips = film
    registry = ConsentRegistry(workspace.engine, workspace.blobs, project_log(workspace, project))
    doc = workspace.home / "perf-change.pdf"
    doc.write_bytes(b"%PDF signed: background replacement changing the performance context")
    registry.grant(
        performer.performer_id,
        category="digital_alteration",
        edit_kinds=["background"],
        purposes=["performance_change"],
        document=doc,
        signed_by="performer",
        use_description="Replace the background behind the performer to change the scene's setting in the grid take",
        contract_edition="sag-aftra-tv-theatrical-2026",
        valid_from=datetime.now(UTC) - timedelta(days=1),
    )
    ok = EditSubmission(
        shot=clips[CLIP].short_id,
        kind="background",
        purpose="performance_change",
        end=10,
        performers=(performer.performer_id,),
        params={"plate": clips[PLATE].short_id},
    )
    gate, job = submit(workspace, project, ok, identity="test:editor")
    assert gate.decision.outcome != "deny", [r.explanation for r in gate.decision.reasons]
    assert gate.decision.relied_on, [r.explanation for r in gate.decision.reasons]
    if job is None:
        sign_review(
            workspace, project, gate.request_id, approve=True, note="performer untouched", reviewer="api:legal-lee"
        )
    done = WorkerPool(JobQueue(workspace.engine), {RENDER_JOB: lambda c, p: run_render_job(workspace, c, p)}).run_one()
    assert done is not None and done.state == "succeeded", done.error if done else None
    bad = ok.model_copy(update={"purpose": "story_change"})
    denied, _ = submit(workspace, project, bad, identity="test:editor")
    assert denied.decision.outcome == "deny"
    return project, performer, clips, gate.request_id


def test_audit_lists_edits_basis_signoff_and_label(workspace: Workspace, audited) -> None:  # type: ignore[no-untyped-def]
    project, _performer, clips, rid = audited
    report = build_audit(workspace, project)
    shot = next(s for s in report.shots if s.clip_hash == clips[CLIP].content_hash)
    delivered = next(e for e in shot.edits if e.request_id == rid)
    assert delivered.state == "delivered" and delivered.label_index is not None
    assert delivered.review and delivered.review["verdict"] == "approve"
    assert "unidentified-faces" in delivered.flags  # no cast model: the face was reviewed, and the audit says so
    assert [e.outcome for e in shot.edits].count("deny") == 1
    summary = report.summary()
    assert summary["delivered"] == 1 and summary["denied"] == 1
    plate_shot = next(s for s in report.shots if s.clip_hash == clips[PLATE].content_hash)
    assert plate_shot.edits == []


def test_revocation_after_the_edit_is_flagged(workspace: Workspace, audited) -> None:  # type: ignore[no-untyped-def]
    project, _performer, _clips, rid = audited
    registry = ConsentRegistry(workspace.engine, workspace.blobs, project_log(workspace, project))
    report = build_audit(workspace, project)
    edit = next(e for s in report.shots for e in s.edits if e.request_id == rid)
    consent = [b for b in edit.basis if b.kind == "consent"]
    assert consent, edit.as_json()
    assert consent[0].document_sha256 and consent[0].status_now == "valid"
    registry.revoke(consent[0].grant_id or "", reason="performer withdrew consent")
    edit = next(e for s in build_audit(workspace, project).shots for e in s.edits if e.request_id == rid)
    assert "consent-revoked" in edit.flags


def test_reports_and_receipts(workspace: Workspace, audited, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project, _performer, _clips, rid = audited
    log = project_log(workspace, project)
    report = build_audit(workspace, project)
    files = write_report(report, log, "html", tmp_path / "audit.html")
    html = files[0].read_text()
    assert "receipts/" in html and rid[:12] in html
    # every value is text a user typed, escaped: a name or note cannot become markup in the legal report
    hostile = dataclasses.replace(report, project='<script>alert("x")</script>', performers={"p": "O'Brien & <b>"})
    marked = to_html(hostile, lambda i: f"receipts/{i}.tlog-proof")
    assert "<script>" not in marked and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in marked
    for receipt in files[1:]:
        index = int(receipt.name.split(".")[0])
        assert verify_receipt(receipt.read_text(), log.entry(index), log.verifier_keys()).index == index
    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert {r["request_id"] for r in rows} >= {rid}
    result = CliRunner().invoke(app, ["--home", str(workspace.home), "audit", "--format", "json", "--out", "-"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["summary"]["delivered"] == 1


def test_csv_cells_a_spreadsheet_would_run_stay_text(workspace: Workspace, audited) -> None:  # type: ignore[no-untyped-def]
    """A performer's name or a shot name typed as a formula is written as text (leading apostrophe), so opening the
    CSV in a spreadsheet cannot run it; plain numbers, frame ranges and ordinary text are written unchanged."""
    project, _performer, _clips, rid = audited
    report = build_audit(workspace, project)
    shot = next(s for s in report.shots if any(e.request_id == rid for e in s.edits))
    edit = next(e for e in shot.edits if e.request_id == rid)
    hostile_shot = dataclasses.replace(shot, shot='=HYPERLINK("https://example.invalid","open")', take="-20")
    performers = {p: name for p, name in report.performers.items()}
    performers[edit.performers[0]] = "@SUM(1+1)*cmd|' /C calc'!A0"
    hostile = dataclasses.replace(report, shots=[hostile_shot], performers=performers)
    rows = [r for r in csv.DictReader(io.StringIO(to_csv(hostile))) if r["request_id"] == rid]
    assert rows[0]["shot"] == '\'=HYPERLINK("https://example.invalid","open")'
    assert rows[0]["performer_names"].startswith("'@SUM(1+1)")
    assert rows[0]["take"] == "-20"  # a number, not a formula: unchanged
    plain = [r for r in csv.DictReader(io.StringIO(to_csv(report))) if r["request_id"] == rid]
    assert plain[0]["file"] == shot.file_name and plain[0]["performer_names"] == report.name(edit.performers[0])


def test_timeline_audit_and_markers(
    workspace: Workspace,
    audited,
    footage_dir: Path,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    project, _performer, _clips, rid = audited
    tl = otio.schema.Timeline(name="cut")
    track = otio.schema.Track()
    tl.tracks.append(track)
    for name, start, dur in ((CLIP, 0, 20), ("not-in-catalogue.mov", 0, 10)):
        track.append(otio.schema.Clip(
            name=name,
            media_reference=otio.schema.ExternalReference(target_url=f"file:///mnt/dailies/{name}"),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(start, 25),
                                                 otio.opentime.RationalTime(dur, 25)),
        ))  # fmt: skip
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(tl, str(path))
    report, timeline = audit_timeline(workspace, project, path)
    assert [s.file_name for s in report.shots] == [CLIP]
    assert report.shots[0].timeline_ranges == [[0, 20]]
    assert mark_timeline(timeline, report) == 1
    out = tmp_path / "marked.otio"
    write_timeline(timeline, out)
    marker = otio.adapters.read_from_file(str(out)).find_clips()[0].markers[0]
    assert marker.name.startswith("AI edit: background (ledger ") and marker.metadata["cutproof"]["request_id"] == rid
    empty = tmp_path / "empty.otio"
    otio.adapters.write_to_file(otio.schema.Timeline(tracks=[otio.schema.Track()]), str(empty))
    with pytest.raises(TimelineError, match="no clip"):
        audit_timeline(workspace, project, empty)


@pytest.mark.postgres
def test_audit_on_postgres(postgres_db: str, footage_dir: Path, tmp_path: Path) -> None:
    """The audit's plain-SQL reads (project, catalogue, requests, registry, log) through a PostgreSQL engine: the
    command's report is the library's, and it holds what the gate decided and the registry granted."""
    ws = Workspace(tmp_path / "home", postgres_db)
    ws.init()
    try:
        ctx = ProjectContext(principal_photography_start=date(2026, 9, 1), distribution_territories=("US", "EU"))
        project = create_project(ws, "film", "Film", ctx, identity="test:lead")
        report_in, performer = add_grid_dailies_and_consent(ws, project, footage_dir, tmp_path, representation="union")
        clip = next(c for c in report_in.added if c.path.name == CLIP)
        plate = next(c for c in report_in.added if c.path.name == PLATE)
        bad = EditSubmission(shot=clip.short_id, kind="background", purpose="story_change", end=10,
                             performers=(performer.performer_id,), params={"plate": plate.short_id})  # fmt: skip
        denied, _ = submit(ws, project, bad, identity="test:editor")
        assert denied.decision.outcome == "deny"
        report = build_audit(ws, project)
        (edit,) = next(s for s in report.shots if s.clip_hash == clip.content_hash).edits
        assert (edit.request_id, edit.outcome, edit.state) == (denied.request_id, "deny", "denied")
        assert edit.decision_index < report.log_size and report.performers[performer.performer_id] == performer.name
        assert [s.clip_hash for s in report.shots] == [c.content_hash for c in Catalogue(ws.engine).list("film")]
        result = CliRunner().invoke(app, ["--home", str(ws.home), "--db", postgres_db, "audit", "--format", "json",
                                          "--out", "-"])  # fmt: skip
        assert result.exit_code == 0, result.output
        cli, lib = json.loads(result.output), report.as_json()
        assert {**cli, "generated_at": None} == {**lib, "generated_at": None}
    finally:
        ws.engine.dispose()
