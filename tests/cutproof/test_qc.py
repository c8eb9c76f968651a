"""Delivery QC end to end: real ledger, real c2pa, real watermark, real encoded video and real attacks."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from consent._entries import lifted_entry, new_salt, revoked_entry, suspended_entry
from consent.models import Suspension
from cutproof.cli.main import app
from cutproof.core.workspace import Workspace
from cutproof.edits.label import lookup_watermark_key
from cutproof.qc.verify import RECOVERED_NOTE, QcInputError, verify_deliverable
from labeler.c2pa_adapter import read_manifest, sign_video
from labeler.identity import ensure_identity
from labeler.manifest import EditAction, EditLabel, IngredientRef, LedgerRef, TimeRange, WatermarkRef, build_definition
from labeler.watermark import embed_video
from tests._support.qc_scenario import PERFORMER_NAME, Scenario, build
from tests._support.video import flip_byte_in_media_data, make_clip, remux, transcode


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    d = tmp_path_factory.mktemp("qc")
    ws = Workspace(d / "home")
    ws.init()
    render = make_clip(d / "render.mp4", seconds=2, size=(640, 360))
    (d / "out").mkdir()
    return build(ws, render, d / "out")


def _status(report, name: str) -> str:
    return next(str(c.status) for c in report.checks if c.name == name)


def _reason(report, name: str) -> str:
    return next(c.reason for c in report.checks if c.name == name)


def _package_copy(scenario: Scenario, video: Path, dest_dir: Path) -> Path:
    """Put ``video`` into a delivery folder under the deliverable's name, with the sidecars beside it."""
    dest_dir.mkdir(exist_ok=True)
    target = dest_dir / (scenario.result.path.stem + video.suffix)
    shutil.copy(video, target)
    for s in scenario.result.sidecars:
        shutil.copy(s, dest_dir / s.name)
    return target


def test_labelled_deliverable_passes_every_check(scenario: Scenario) -> None:
    report = verify_deliverable(scenario.ws, scenario.result.path)
    assert report.verdict == "pass", [c.to_json() for c in report.failures()]
    assert {c.name for c in report.checks} == {
        "c2pa_manifest",
        "hard_binding",
        "watermark",
        "audio_watermark",
        "ledger_entry",
        "ledger_receipt",
        "ledger_consistency",
        "label_recorded",
        "decision",
        "consent_at_edit",
        "consent_current",
        "disclosure",
    }
    assert all(str(c.status) == "pass" for c in report.checks)
    assert not report.recovered_via_watermark
    assert report.edit_index == scenario.edit_index
    row = lookup_watermark_key(scenario.ws.engine, scenario.result.watermark_key)
    assert row is not None and row["edit_index"] == scenario.edit_index


def test_manifest_and_ledger_carry_no_performer_data(scenario: Scenario) -> None:
    manifest = read_manifest(scenario.result.path, None)
    text = json.dumps(dict(manifest.assertions)) + json.dumps(list(manifest.ingredients))
    assert PERFORMER_NAME not in text and "perf-1" not in text and "g-1" not in text
    assert PERFORMER_NAME.encode() not in scenario.result.path.read_bytes()


def test_cli_pass_json_and_html(scenario: Scenario, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    res = CliRunner().invoke(
        app,
        ["--home", str(scenario.ws.home), "qc", "verify", str(scenario.result.path), "--json", "--html", str(html)],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["verdict"] == "pass"
    page = html.read_text()
    assert "PASSED" in page and "Content Credentials" in page and "<script" not in page
    home = ["--home", str(scenario.ws.home), "qc", "verify", str(scenario.result.path)]
    assert CliRunner().invoke(app, [*home, "--project", "the-film"]).exit_code == 0
    other = CliRunner().invoke(app, [*home, "--project", "nope"])
    assert other.exit_code == 2 and "unknown project" in other.output


def test_one_flipped_byte_fails_as_tampered(scenario: Scenario, tmp_path: Path) -> None:
    tampered = _package_copy(scenario, scenario.result.path, tmp_path / "t")
    flip_byte_in_media_data(tampered)
    report = verify_deliverable(scenario.ws, tampered)
    assert report.verdict == "fail"
    assert _status(report, "hard_binding") == "fail"
    assert "tampered" in _reason(report, "hard_binding")
    res = CliRunner().invoke(app, ["--home", str(scenario.ws.home), "qc", "verify", str(tampered)])
    assert res.exit_code == 1
    assert "hard_binding" in res.output


def test_stripped_manifest_is_recovered_from_the_watermark(scenario: Scenario, tmp_path: Path) -> None:
    stripped = _package_copy(scenario, remux(scenario.result.path, tmp_path / "remuxed.mp4"), tmp_path / "pkg")
    report = verify_deliverable(scenario.ws, stripped)
    assert RECOVERED_NOTE in report.notes and report.recovered_via_watermark
    assert report.verdict == "pass", [c.to_json() for c in report.failures()]
    assert _status(report, "hard_binding") == "skip"
    assert _status(report, "watermark") == "pass"


def test_crf28_transcode_is_recovered_from_the_watermark(scenario: Scenario, tmp_path: Path) -> None:
    crf28 = _package_copy(scenario, transcode(scenario.result.path, tmp_path / "crf28.mp4", crf=28), tmp_path / "pkg")
    report = verify_deliverable(scenario.ws, crf28)
    assert report.recovered_via_watermark
    assert report.verdict == "pass", [c.to_json() for c in report.failures()]
    assert _status(report, "disclosure") == "pass"  # the badge survives the transcode


def test_transcode_to_mkv_validates_the_stored_manifest_on_its_own(scenario: Scenario, tmp_path: Path) -> None:
    mkv = _package_copy(scenario, transcode(scenario.result.path, tmp_path / "x.mkv", crf=23), tmp_path / "pkg")
    report = verify_deliverable(scenario.ws, mkv)
    assert report.recovered_via_watermark
    assert any("cannot carry C2PA" in n for n in report.notes)
    assert report.verdict == "pass", [c.to_json() for c in report.failures()]


@pytest.mark.parametrize(
    "clip",
    [
        "crema-d_1001_DFA_NEU_XX.flv",
        pytest.param("obama-weekly-address_a-bad-situation.mp4", marks=pytest.mark.slow),  # 720p: ~45 s on 2 cores
    ],
)
def test_real_footage_labelled_then_reencoded(footage_dir: Path, tmp_path: Path, clip: str) -> None:
    ws = Workspace(tmp_path / "home")
    ws.init()
    render = transcode(footage_dir / clip, tmp_path / "r.mp4", crf=18, max_seconds=2)
    out = tmp_path / "out"
    out.mkdir()
    sc = build(ws, render, out, disclosure=("on_screen_icon", "end_credit", "sidecar"))
    report = verify_deliverable(ws, sc.result.path)
    assert report.verdict == "pass", [c.to_json() for c in report.failures()]
    assert "end_credit" in next(c for c in report.checks if c.name == "disclosure").evidence["found"]
    crf28 = _package_copy(sc, transcode(sc.result.path, tmp_path / "crf28.mp4", crf=28), tmp_path / "pkg")
    report = verify_deliverable(ws, crf28)
    assert report.recovered_via_watermark and report.verdict == "pass", [c.to_json() for c in report.failures()]


def test_unmarked_clip_has_no_key(scenario: Scenario, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "unmarked.mp4", seed=7)
    report = verify_deliverable(scenario.ws, clip)
    assert report.verdict == "fail"
    assert "no watermark key" in _reason(report, "c2pa_manifest")
    assert _status(report, "watermark") == "fail"


def test_key_not_in_ledger(scenario: Scenario, tmp_path: Path) -> None:
    marked = tmp_path / "foreign-key.mp4"
    embed_video(make_clip(tmp_path / "c.mp4", seed=3), marked, 0x0123456789ABCDEF)
    report = verify_deliverable(scenario.ws, marked)
    assert report.verdict == "fail"
    assert "0123456789abcdef is not in the ledger" in _reason(report, "c2pa_manifest")


def _resign(scenario: Scenario, tmp_path: Path, identity, receipt: str) -> Path:
    """Strip the deliverable and sign it again with ``identity`` and a ledger reference carrying ``receipt``."""
    edit = scenario.log.entry(scenario.edit_index)
    import hashlib

    leaf = hashlib.sha256(b"\x00" + edit).hexdigest()
    label = EditLabel(
        title="shot-12.mp4",
        source=IngredientRef("A003C012.mov", "video/quicktime", "1" * 64),
        action=EditAction.EDITED,
        operation="relight",
        time_range=TimeRange(Fraction(1, 2), Fraction(3, 2)),
        region=None,
        model_id="relight-m7",
        training_manifest_sha256="2" * 64,
        ledger=LedgerRef(scenario.log.origin, scenario.edit_index, leaf, "checkpoint", receipt),
        watermark=WatermarkRef("cutproof-wm/2", scenario.result.watermark_key or ""),
    )
    stripped = remux(scenario.result.path, tmp_path / "stripped.mp4")
    out = tmp_path / "resigned" / "shot-12.mp4"
    out.parent.mkdir()
    sign_video(stripped, out, build_definition(label), identity)
    return out


def test_foreign_signer_fails(scenario: Scenario, tmp_path: Path) -> None:
    foreign = ensure_identity(tmp_path / "foreign", organisation="Pirate Post")[0]
    out = _resign(scenario, tmp_path, foreign, scenario.log.prove(scenario.edit_index))
    report = verify_deliverable(scenario.ws, out)
    assert report.verdict == "fail"
    assert "foreign signer" in _reason(report, "c2pa_manifest")


def test_manifest_whose_ledger_proof_fails(scenario: Scenario, tmp_path: Path) -> None:
    from labeler.identity import load_identity

    wrong = scenario.log.prove(scenario.decision_index)  # a valid receipt, but for another entry
    out = _resign(scenario, tmp_path, load_identity(scenario.ws.keys_dir), wrong)
    report = verify_deliverable(scenario.ws, out)
    assert report.verdict == "fail"
    assert _status(report, "c2pa_manifest") == "pass"
    assert "ledger proof fails" in _reason(report, "ledger_receipt")
    assert "label_recorded" in {c.name for c in report.failures()}  # this manifest was never recorded


@pytest.mark.parametrize("damage", ["truncated", "text", "missing"])
def test_unreadable_input_exits_2_and_writes_nothing(scenario: Scenario, tmp_path: Path, damage: str) -> None:
    bad = tmp_path / "bad.mp4"
    data = scenario.result.path.read_bytes()
    if damage == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "text":
        bad.write_text("subtitles, not video\n")
    html = tmp_path / "report.html"
    res = CliRunner().invoke(
        app, ["--home", str(scenario.ws.home), "qc", "verify", str(bad), "--html", str(html), "--json"]
    )
    assert res.exit_code == 2
    assert "could not check" in res.output
    assert not html.exists()
    with pytest.raises(QcInputError):
        verify_deliverable(scenario.ws, bad)


def test_review_consent_and_disclosure_outcomes(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home")
    ws.init()
    render = make_clip(tmp_path / "render.mp4", seconds=2, size=(640, 360), seed=5)
    out = tmp_path / "out"
    out.mkdir()
    approved = build(ws, render, out, outcome="review", review="approved", name="approved.mp4")
    rejected = build(ws, render, out, outcome="review", review="rejected", name="rejected.mp4")
    rep = verify_deliverable(ws, approved.result.path)
    assert _status(rep, "decision") == "pass"
    assert _status(verify_deliverable(ws, rejected.result.path), "decision") == "fail"
    # A revocation recorded after the edit and effective after it: QC holds the deliverable and says why.
    edit_time = datetime.fromisoformat(approved.log.entry_json(approved.edit_index)["ledger"]["time"])
    revoke = revoked_entry("p", "ev-1", "g-1", "perf-1", edit_time + timedelta(seconds=1), "withdrawn", new_salt())
    approved.log.append([revoke], identity="legal")
    rep = verify_deliverable(ws, approved.result.path)
    assert _status(rep, "consent_at_edit") == "pass"
    assert _status(rep, "consent_current") == "fail" and "withdrawn since the edit" in _reason(rep, "consent_current")
    # A second revocation entry (two writers raced): by a letter dated before the edit, recorded only after it.
    backdated = revoked_entry("p", "ev-2", "g-1", "perf-1", edit_time - timedelta(hours=1), "letter", new_salt())
    approved.log.append([backdated], identity="legal")
    rep = verify_deliverable(ws, approved.result.path)
    assert _status(rep, "consent_at_edit") == "fail"
    assert "revoked effective" in _reason(rep, "consent_at_edit")
    assert "recorded after the edit" in _reason(rep, "consent_at_edit")


def _suspension(sid: str, start: datetime, end: datetime | None, categories: list[str]) -> dict:
    s = Suspension(suspension_id=sid, performer_id=None, reason="strike", start=start, end=end, categories=categories)
    return suspended_entry("p", s, new_salt())


def test_suspensions_follow_their_dates_categories_and_lifts(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home")
    ws.init()
    render = make_clip(tmp_path / "render.mp4", seconds=2, size=(640, 360), seed=6)
    (tmp_path / "out").mkdir()
    sc = build(ws, render, tmp_path / "out")
    edit_time = datetime.fromisoformat(sc.log.entry_json(sc.edit_index)["ledger"]["time"])
    day = timedelta(days=1)

    def consent_checks() -> tuple[str, str, str]:
        rep = verify_deliverable(ws, sc.result.path)
        return _status(rep, "consent_at_edit"), _status(rep, "consent_current"), _reason(rep, "consent_current")

    # Ended before the edit, or for another category of consent: no effect at all.
    sc.log.append([_suspension("susp_oldoldold", edit_time - 3 * day, edit_time - 2 * day, ["*"])], identity="legal")
    sc.log.append([_suspension("susp_backgroun", edit_time - day, None, ["background_replica"])], identity="legal")
    assert consent_checks()[:2] == ("pass", "pass")
    # Production-wide from tomorrow: not in force yet, so the deliverable is not held.
    future = edit_time + 30 * day
    sc.log.append([_suspension("susp_nextnext1", future, None, ["*"])], identity="legal")
    assert consent_checks()[:2] == ("pass", "pass")
    # In force since after the edit: held; lifted (effective now): released.
    sc.log.append([_suspension("susp_nownownow", edit_time + timedelta(seconds=1), None, ["*"])], identity="legal")
    at_edit, current, reason = consent_checks()
    assert (at_edit, current) == ("pass", "fail") and "suspended from" in reason
    lift = lifted_entry("p", "ev-9", "susp_nownownow", datetime.now(UTC), "strike over", new_salt())
    sc.log.append([lift], identity="legal")
    assert consent_checks()[:2] == ("pass", "pass")


def test_disclosure_sidecar_missing_fails(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home")
    ws.init()
    render = make_clip(tmp_path / "render.mp4", seconds=2, size=(640, 360), seed=7)
    out = tmp_path / "out"
    out.mkdir()
    approved = build(ws, render, out, outcome="review", review="approved", name="approved.mp4")
    # a required sidecar missing from the delivery folder
    approved.result.sidecars[0].unlink()
    assert "sidecar" in _reason(verify_deliverable(ws, approved.result.path), "disclosure")


def test_label_output_leaves_nothing_on_failure(scenario: Scenario, tmp_path: Path) -> None:
    from cutproof.edits.label import EditFacts, Obligations, label_output
    from labeler.errors import LabelerError, ManifestContentError

    again = {k: v for k, v in scenario.log.entry_json(scenario.edit_index).items() if k != "ledger"}
    edit = scenario.log.append([{**again, "request_id": "again"}], identity="e")[0]  # a valid edit.applied/1
    facts = EditFacts(
        shot="shot 4",
        source=IngredientRef("A.mov", "video/quicktime", "1" * 64),
        action=EditAction.EDITED,
        operation=f"relight {PERFORMER_NAME}",
        time_range=TimeRange(Fraction(0), Fraction(1)),
        region=None,
        model_id="m",
        training_manifest_sha256="2" * 64,
    )
    out = tmp_path / "o"
    out.mkdir()
    render = scenario.result.path.parent.parent / "render.mp4"
    with pytest.raises(ManifestContentError):
        label_output(
            scenario.ws,
            scenario.log,
            render=render,
            output=out / "x.mp4",
            edit=edit,
            facts=facts,
            obligations=Obligations.model_validate({"marking": ["watermark"], "disclosure": ["sidecar"]}),
            redact_terms=[PERFORMER_NAME],
        )
    assert list(out.iterdir()) == []
    assert lookup_watermark_key(scenario.ws.engine, edit.leaf_hash[:8].hex()) is None
    with pytest.raises(LabelerError, match="already exists"):
        label_output(
            scenario.ws,
            scenario.log,
            render=render,
            output=scenario.result.path,
            edit=edit,
            facts=facts,
            obligations=Obligations(),
        )


def test_deliverable_of_another_project_or_workspace(scenario: Scenario, tmp_path: Path) -> None:
    report = verify_deliverable(scenario.ws, scenario.result.path, origin="cutproof.local/other-film")
    assert "belongs to cutproof.local/the-film" in _reason(report, "ledger_entry")
    elsewhere = Workspace(tmp_path / "elsewhere")
    elsewhere.init()
    report = verify_deliverable(elsewhere, scenario.result.path)
    assert report.verdict == "fail"
    assert "foreign signer" in _reason(report, "c2pa_manifest")  # another workspace's CA is not trusted here
    assert "does not hold" in _reason(report, "ledger_entry")


def test_a_watermark_the_gate_did_not_ask_for_is_not_required(tmp_path: Path) -> None:
    """A US-only edit owes C2PA metadata only: its unmarked deliverable passes QC, the watermark check says "not
    required" (never "pass"); the same unmarked file fails where the recorded obligations ask for a watermark."""
    ws = Workspace(tmp_path / "home")
    ws.init()
    render = make_clip(tmp_path / "render.mp4", seconds=2, size=(640, 360))
    (tmp_path / "out").mkdir()
    us = build(ws, render, tmp_path / "out", marking=("c2pa_metadata",), disclosure=(), name="us-only.mp4")
    assert us.result.watermark_key is None
    report = verify_deliverable(ws, us.result.path)
    assert report.verdict == "pass", [c.to_json() for c in report.failures()]
    assert _status(report, "watermark") == "skip"
    assert "not required" in _reason(report, "watermark")

    # Where the recorded obligations ask for a watermark, the same finding stays a failure.
    from cutproof.qc.verify import _not_owed
    from records import Obligations

    missing = next(c for c in report.checks if c.name == "watermark")
    failed = type(missing)("watermark", type(missing.status)("fail"), {"key": None, "manifest_key": None}, "no key")
    owed = Obligations.model_validate({"marking": ["c2pa_metadata", "watermark"], "disclosure": []})
    assert _not_owed(failed, owed) is failed
    assert str(_not_owed(failed, Obligations.model_validate({"marking": ["c2pa_metadata"]})).status) == "skip"
