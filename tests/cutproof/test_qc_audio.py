"""Delivery QC with the audio watermark: evidence on a labelled deliverable, recovery from the audio mark alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from cutproof.core.workspace import Workspace
from cutproof.qc.verify import AUDIO_RECOVERED_NOTE, RECOVERED_NOTE, verify_deliverable
from labeler.audio_watermark import ALGORITHM_ID, AudioDetection, AudioStatus
from labeler.c2pa_adapter import read_manifest
from labeler.manifest import WATERMARK_ASSERTION
from labeler.verify import check_audio_watermark
from tests._support.qc_scenario import Scenario, build
from tests._support.video import transcode
from tests.labeler._awm_media import speech_render, swap_pictures

CREMA = "crema-d_1001_DFA_NEU_XX.flv"


@pytest.fixture(scope="module")
def speech(footage_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, Path]:
    d = tmp_path_factory.mktemp("qca")
    ws = Workspace(d / "home")
    ws.init()
    render = speech_render(footage_dir / CREMA, d / "render.mp4")
    (d / "out").mkdir()
    return build(ws, render, d / "out"), render


def _check(report, name: str):
    return next(c for c in report.checks if c.name == name)


def test_labelled_dialogue_carries_the_key_and_the_manifest_says_so(speech: tuple[Scenario, Path]) -> None:
    sc, _ = speech
    assert sc.result.audio_watermark_algorithm == ALGORITHM_ID
    assert sc.result.ledger_entry()["watermark"]["audio_algorithm"] == ALGORITHM_ID
    wm = read_manifest(sc.result.path, None).assertions[WATERMARK_ASSERTION]
    assert wm["audio"] == {"algorithm": ALGORITHM_ID, "key": sc.result.watermark_key}
    report = verify_deliverable(sc.ws, sc.result.path)
    assert report.verdict == "pass", [c.to_json() for c in report.failures()]
    audio = _check(report, "audio_watermark")
    assert str(audio.status) == "pass" and audio.evidence["key"] == sc.result.watermark_key


def test_picture_mark_destroyed_and_manifest_stripped_recovered_from_audio(
    speech: tuple[Scenario, Path], tmp_path: Path
) -> None:
    sc, render = speech
    # unmarked pictures (the render before labelling) + the deliverable's dialogue re-encoded as AAC 128 kb/s
    bootleg = swap_pictures(render, sc.result.path, tmp_path / "bootleg.mp4")
    report = verify_deliverable(sc.ws, bootleg)
    assert report.recovered_via_watermark and RECOVERED_NOTE in report.notes and AUDIO_RECOVERED_NOTE in report.notes
    assert report.edit_index == sc.edit_index and report.origin == sc.result.origin
    assert str(_check(report, "audio_watermark").status) == "pass"
    watermark = _check(report, "watermark")
    assert str(watermark.status) == "fail" and "no watermark key detected in the pictures" in watermark.reason
    assert str(_check(report, "ledger_receipt").status) == "pass"


def test_pictures_only_transcode_has_audio_not_applicable(speech: tuple[Scenario, Path], tmp_path: Path) -> None:
    sc, _ = speech
    silent = transcode(sc.result.path, tmp_path / "silent.mp4", crf=23)  # pictures only: audio dropped
    report = verify_deliverable(sc.ws, silent)
    audio = _check(report, "audio_watermark")
    assert str(audio.status) == "skip" and "not applicable" in audio.reason
    assert report.recovered_via_watermark and str(_check(report, "watermark").status) == "pass"


def test_dialogue_carrying_another_key_fails_and_undecodable_audio_is_skipped(speech: tuple[Scenario, Path]) -> None:
    sc, _ = speech
    other = AudioDetection(AudioStatus.FOUND, 0x1111222233334444, 0.99, 3.0, 2.5, 0, 5.0)
    report = verify_deliverable(sc.ws, sc.result.path, audio_detector=lambda _p: other)
    assert report.verdict == "fail"
    failed = _check(report, "audio_watermark")
    assert (
        str(failed.status) == "fail" and "1111222233334444" in failed.reason and "another deliverable" in failed.reason
    )
    nothing = AudioDetection(AudioStatus.NONE, None, 0.0, 3.0, 2.5, None, 1.0)
    check = check_audio_watermark(nothing, read_manifest(sc.result.path, None))
    assert str(check.status) == "skip" and "supporting evidence" in check.reason
    assert check.evidence["manifest_audio_algorithm"] == ALGORITHM_ID
