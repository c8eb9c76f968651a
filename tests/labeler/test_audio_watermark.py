"""Audio watermark cutproof-awm/1 on real dialogue: embed → real codecs (PyAV) → detect; unmarked; bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly
from typer.testing import CliRunner

from cutproof.cli.main import app
from labeler.audio_watermark import (
    ALGORITHM_ID,
    AudioStatus,
    StreamMarker,
    UnreadableAudioError,
    detect_audio,
    detect_samples,
    embed_samples,
)
from labeler.audio_watermark.quality import log_spectral_distance_db, segmental_snr_db, snr_db
from labeler.errors import LabelerError
from labeler.watermark import UnreadableVideoError, detect_video, embed_video
from tests._support.video import make_clip
from tests.labeler._awm_media import decode_audio, encode_audio

KEY = 0x0123456789ABCDEF
OBAMA = "obama-weekly-address_but-heres-the-thing.mp4"  # H.264 720p + AAC stereo 44.1 kHz, 3.9 s
CREMA = "crema-d_1001_DFA_NEU_XX.flv"  # VP6 + MP3 mono 44.1 kHz, 2 s
FOOTAGE = (
    "crema-d_1001_DFA_ANG_XX.flv",
    CREMA,
    "crema-d_1001_DFA_SAD_XX.flv",
    "grid_id2_vcd_swwp2s.mpg",
    "grid_pwij3p.mpg",
    "obama-weekly-address_a-bad-situation.mp4",
    OBAMA,
    "obama-weekly-address_very-real-challenges.mp4",
)


@pytest.fixture(scope="module")
def dialogue(footage_dir: Path) -> tuple[np.ndarray, np.ndarray, int]:
    original, rate = decode_audio(footage_dir / OBAMA)
    return original, embed_samples(original, rate, KEY), rate


def test_marked_dialogue_decodes_and_quality_is_measured(dialogue: tuple[np.ndarray, np.ndarray, int]) -> None:
    original, marked, rate = dialogue
    assert marked.shape == original.shape and np.all(np.abs(marked) <= 1.0)
    found = detect_samples(marked, rate)
    assert found.key == KEY and found.bit_errors_corrected is not None and found.confidence > 0.9
    assert detect_samples(original, rate).key is None
    assert 18.0 < snr_db(original, marked) < 40.0  # host-shaped: about 30 dB on this clip
    assert segmental_snr_db(original, marked, rate) > 15.0
    assert 0.0 < log_spectral_distance_db(original, marked, rate) < 4.0


def test_survives_real_codecs_resampling_gain_trim_and_downmix(
    dialogue: tuple[np.ndarray, np.ndarray, int], tmp_path: Path
) -> None:
    _, marked, rate = dialogue
    quiet_mono_48k = resample_poly(0.5 * marked.mean(axis=0, keepdims=True), 160, 147, axis=1)
    attacks = {
        "aac128.m4a": (marked, rate, "aac", 128_000),
        "aac64.m4a": (marked, rate, "aac", 64_000),
        "mp3_64.mp3": (marked, rate, "libmp3lame", 64_000),
        # 44.1 → 48 kHz, -6 dB, first 0.8 s cut, mono downmix, then AAC 96 kb/s
        "combo.m4a": (quiet_mono_48k[:, 38_400:], 48_000, "aac", 96_000),
    }  # fmt: skip
    for name, (samples, sr, codec, bit_rate) in attacks.items():
        path = encode_audio(samples, sr, tmp_path / name, codec=codec, bit_rate=bit_rate)
        det = detect_audio(path, max_seconds=3.0)
        assert det.status is AudioStatus.FOUND and det.key == KEY, name
        assert det.seconds_used <= 3.0 + 1e-6


def test_unmarked_segments_never_give_a_key(footage_dir: Path) -> None:
    rng = np.random.default_rng(1)
    segments = 0
    for name in FOOTAGE:
        samples, rate = decode_audio(footage_dir / name)
        for start in range(0, samples.shape[1] - 2 * rate + 1, rate // 4):
            assert detect_samples(samples[:, start : start + 2 * rate], rate).key is None
            segments += 1
    for noise in (rng.normal(0, 0.1, 32_000), np.zeros(32_000), 0.3 * np.sin(np.arange(32_000) * 0.2)):
        assert detect_samples(noise, 16_000).key is None
    assert segments >= 30


@settings(max_examples=5, deadline=None)
@given(st.lists(st.integers(1, 40_000), min_size=1, max_size=8))
def test_streamed_pushes_of_any_size_give_the_same_track(sizes: list[int]) -> None:
    rng = np.random.default_rng(5)
    track = rng.normal(0, 0.05, (2, 100_000))
    whole = StreamMarker(KEY, 22_050, 2, chunk_seconds=1.0)
    expected = np.concatenate(whole.push(track) + whole.flush(), axis=1)
    pieces = StreamMarker(KEY, 22_050, 2, chunk_seconds=1.0)
    out, at = [], 0
    for n in [*sizes, track.shape[1]]:
        out += pieces.push(track[:, at : at + n])
        at = min(at + n, track.shape[1])
    out += pieces.flush()
    got = np.concatenate(out, axis=1)
    assert got.shape == track.shape and np.array_equal(got, expected)


def test_embed_video_marks_the_dialogue_in_the_same_pass(footage_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "marked.mp4"
    report = embed_video(footage_dir / CREMA, out, KEY, mark_audio=True)
    (track,) = report.audio_marks
    assert (track.algorithm, track.encoder, track.sample_rate, track.layout) == (
        ALGORITHM_ID,
        "libmp3lame",
        44_100,
        "mono",
    )
    assert report.audio == (track.describe(),) and 15.0 < track.snr_db < 40.0
    samples, rate = decode_audio(out)
    assert rate == 44_100 and samples.shape[0] == 1
    assert detect_video(out).key == KEY
    assert detect_audio(out).key == KEY
    # distribution re-encode of the dialogue (AAC 96 kb/s, audio only)
    assert detect_audio(encode_audio(samples, rate, tmp_path / "dist.m4a", bit_rate=96_000)).key == KEY
    unmarked = embed_video(footage_dir / CREMA, tmp_path / "video-only-mark.mp4", KEY)
    assert unmarked.audio_marks == () and detect_audio(tmp_path / "video-only-mark.mp4").key is None


def test_no_audio_track_is_not_applicable(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "silent.mp4", audio=False, seconds=1)
    report = embed_video(clip, tmp_path / "m.mp4", KEY, mark_audio=True)
    assert report.audio_marks == () and report.audio == ()
    det = detect_audio(tmp_path / "m.mp4")
    assert det.status is AudioStatus.NOT_APPLICABLE and det.key is None
    res = CliRunner().invoke(app, ["watermark", "detect", str(tmp_path / "m.mp4"), "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["key"] == f"{KEY:016x}" and payload["audio"]["status"] == "not_applicable"
    res = CliRunner().invoke(app, ["watermark", "detect", str(tmp_path / "m.mp4")])
    assert "not applicable" in res.stdout


def test_cli_embed_marks_audio_and_detect_reports_it(footage_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.mov"
    res = CliRunner().invoke(
        app, ["watermark", "embed", str(footage_dir / CREMA), str(out), "--key", f"{KEY:016x}", "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["audio_mark"]["algorithm"] == ALGORITHM_ID
    res = CliRunner().invoke(app, ["watermark", "detect", str(out), "--json"])
    payload = json.loads(res.stdout)
    assert res.exit_code == 0 and payload["key"] == payload["audio"]["key"] == f"{KEY:016x}"
    assert payload["audio"]["status"] == "found" and payload["audio"]["seconds_used"] > 1.5
    assert {"confidence", "frames_used"} <= set(payload)  # the video fields stay
    res = CliRunner().invoke(app, ["watermark", "detect", str(footage_dir / CREMA), "--json"])
    plain = json.loads(res.stdout)["audio"]
    assert res.exit_code == 1 and plain["status"] == "none" and plain["key"] is None


def test_bad_input_is_a_clear_error_and_writes_nothing(footage_dir: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.m4a"
    text.write_text("not audio\n")
    for bad in (text, tmp_path / "missing.wav"):
        with pytest.raises(UnreadableAudioError) as err:
            detect_audio(bad)
        assert isinstance(err.value, LabelerError) and str(bad.name) in str(err.value)
    with pytest.raises(ValueError, match="2\\^64"):
        embed_samples(np.zeros(16_000), 16_000, -1)
    with pytest.raises(ValueError, match="strength"):
        embed_samples(np.zeros(16_000), 16_000, KEY, strength=2.0)
    with pytest.raises(ValueError, match="shape"):
        detect_samples(np.zeros((2, 2, 2)), 16_000)
    with pytest.raises(ValueError, match="max_seconds"):
        detect_audio(footage_dir / CREMA, max_seconds=0)
    cut = tmp_path / "cut.flv"
    cut.write_bytes((footage_dir / CREMA).read_bytes()[:120_000])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(UnreadableVideoError):
        embed_video(cut, out_dir / "m.mp4", KEY, mark_audio=True)
    assert list(out_dir.iterdir()) == []
