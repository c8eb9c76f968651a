"""QC's third recovery path: a deliverable whose manifest and watermark are both gone is found again by its
perceptual fingerprint (PDQ), recorded with the label and indexed in the workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutproof.core.workspace import Workspace
from cutproof.qc.verify import FINGERPRINT_NOTE, verify_deliverable
from labeler.fingerprint import ALGORITHM, REFERENCE_CROPS, Fingerprint, fingerprint_video, match
from tests._support.attacks import crop, downscale, reencode
from tests._support.qc_scenario import Scenario, build
from tests._support.video import transcode

SPEAKER = "obama-weekly-address_a-bad-situation.mp4"
OTHER = "obama-weekly-address_very-real-challenges.mp4"  # the same speaker and set, another address


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, footage_dir: Path) -> Scenario:
    """A labelled deliverable of real footage (PDQ hashes natural pictures; synthetic noise is not its domain)."""
    d = tmp_path_factory.mktemp("fp")
    ws = Workspace(d / "home")
    ws.init()
    render = transcode(footage_dir / SPEAKER, d / "render.mp4", crf=18, max_seconds=2)
    (d / "out").mkdir()
    return build(ws, render, d / "out", disclosure=())


def test_the_label_records_and_indexes_the_fingerprint(scenario: Scenario) -> None:
    entry = scenario.log.entry_json(scenario.log.size() - 1)
    assert entry["kind"] == "label.applied/1"
    fp = fingerprint_video(scenario.result.path, crops=REFERENCE_CROPS)
    assert entry["fingerprint"] == {"algorithm": ALGORITHM, "sha256": fp.sha256, "hashes": fp.count}


def test_a_downscaled_crf40_copy_without_manifest_or_watermark_is_found_by_its_fingerprint(
    scenario: Scenario, tmp_path: Path
) -> None:
    attacked = reencode(scenario.result.path, tmp_path / "small.mp4", downscale(0.25), crf=40)
    report = verify_deliverable(scenario.ws, attacked, detector=lambda p: _NoKey())
    assert report.recovered_via_fingerprint and any(n.startswith(FINGERPRINT_NOTE) for n in report.notes)
    assert report.edit_index == scenario.edit_index
    check = next(c for c in report.checks if c.name == "c2pa_manifest")
    assert str(check.status) == "skip" and check.evidence["seen"] == "recovered from store (file has none)"
    assert not report.passed  # the watermark is gone: found again, but not a deliverable that meets its marking


def test_a_centre_crop_keeping_60_percent_is_found(scenario: Scenario, tmp_path: Path) -> None:
    attacked = reencode(scenario.result.path, tmp_path / "crop.mp4", crop(0.6))
    report = verify_deliverable(scenario.ws, attacked, detector=lambda p: _NoKey())
    assert report.recovered_via_fingerprint and report.edit_index == scenario.edit_index


def test_unrelated_footage_matches_nothing(scenario: Scenario, tmp_path: Path, footage_dir: Path) -> None:
    other = transcode(footage_dir / OTHER, tmp_path / "other.mp4", crf=18, max_seconds=2)
    report = verify_deliverable(scenario.ws, other, detector=lambda p: _NoKey())
    assert not report.recovered_via_fingerprint and not report.passed
    assert match(fingerprint_video(other), fingerprint_video(scenario.result.path)).share == 0.0


def test_fingerprint_round_trips_through_bytes(scenario: Scenario) -> None:
    fp = fingerprint_video(scenario.result.path)
    assert Fingerprint.from_bytes(fp.to_bytes()).sha256 == fp.sha256


class _NoKey:
    """What the watermark detector reports on a file whose mark was destroyed."""

    key = None
    confidence = 0.0
    frames_used = 0


def test_cutproof_verify_answers_with_public_facts_only(scenario: Scenario, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from cutproof.cli.main import app
    from tests._support.qc_scenario import PERFORMER_NAME

    home = ["--home", str(scenario.ws.home), "verify"]
    found = CliRunner().invoke(app, [*home, str(scenario.result.path)])
    assert found.exit_code == 0, found.output
    answer = json.loads(found.output)
    assert answer["carries_cutproof_marks"] and answer["found_by"] == "embedded C2PA manifest"
    assert answer["origin"] == scenario.log.origin and answer["edit_index"] == scenario.edit_index
    assert answer["receipt"] and answer["marks"]["c2pa_manifest"]["seen"] == "manifest embedded, valid"
    edit = next(e for e in answer["edits"] if e["action"] == "c2pa.edited")
    assert edit["kind"] == "relight" and edit["time_ranges_s"] == [["0.500", "1.500"]]
    for private in (PERFORMER_NAME, "perf-1", "g-1", "consent", "grant"):
        assert private not in found.output
    attacked = reencode(scenario.result.path, tmp_path / "small.mp4", downscale(0.25), crf=40)
    by_print = json.loads(CliRunner().invoke(app, [*home, str(attacked)]).output)
    assert by_print["found_by"] in ("watermark", "perceptual fingerprint") and by_print["origin"] == scenario.log.origin
    other = make_other(tmp_path)
    none = CliRunner().invoke(app, [*home, str(other)])
    assert none.exit_code == 1 and json.loads(none.output)["carries_cutproof_marks"] is False


def make_other(tmp_path: Path) -> Path:
    from tests._support.video import make_clip

    return make_clip(tmp_path / "unrelated.mp4", seconds=1, size=(320, 180), seed=3)
