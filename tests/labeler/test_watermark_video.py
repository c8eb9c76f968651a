"""Watermark on real video through PyAV: embed → detect, re-encode, unmarked footage, tags, bad input."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from labeler.errors import LabelerError
from labeler.watermark import (
    InvalidKeyError,
    UnreadableVideoError,
    VideoWriteError,
    detect_frames,
    detect_video,
    embed_frame,
    embed_video,
)
from tests.labeler._wm_media import audio_packets, prores_source, reencode, tagged_source

KEY = 0x0123456789ABCDEF
GRID = "grid_pwij3p.mpg"  # MPEG-1 360×288 25 fps + MP2 audio, 3 s
CREMA = "crema-d_1001_DFA_NEU_XX.flv"  # VP6 480×360 + MP3


@pytest.fixture(scope="module")
def marked(footage_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wm") / "marked.mp4"
    report = embed_video(footage_dir / GRID, out, KEY)
    assert report.frames == 75 and report.encoder == "libx264"  # MPEG-1 → H.264 in MP4
    assert report.psnr_y >= 42.0
    assert report.audio == ("mp2 → aac (re-encoded)",)  # MP4 does not carry MP2 (media's policy, as the editor)
    return out


def test_embed_then_detect_exact_key(marked: Path) -> None:
    det = detect_video(marked)
    assert det.key == KEY and det.key_hex == "0123456789abcdef"
    assert det.bit_errors_corrected == 0 and det.confidence > 0.9
    assert det.frames_used == 75
    with av.open(str(marked)) as c:
        assert [s.type for s in c.streams] == ["video", "audio"]
        assert c.streams.video[0].codec_context.name == "h264"


def test_survives_h264_crf28_reencode_within_2s(marked: Path, tmp_path: Path) -> None:
    attacked = reencode(marked, tmp_path / "crf28.mp4", crf=28)
    det = detect_video(attacked, max_seconds=2)
    assert det.key == KEY
    assert det.frames_used == 50


def test_unmarked_clips_have_no_key(footage_dir: Path, tmp_path: Path) -> None:
    for name in (GRID, CREMA):
        det = detect_video(footage_dir / name, max_seconds=2)
        assert det.key is None and det.key_hex is None and det.confidence == 0.0
        assert det.frames_used > 40
    det = detect_video(reencode(footage_dir / GRID, tmp_path / "plain.mp4", crf=28), max_seconds=2)
    assert det.key is None


def test_audio_timecode_and_colour_tags_preserved(footage_dir: Path, tmp_path: Path) -> None:
    src = tagged_source(footage_dir / CREMA, tmp_path / "camera.mov")
    dst = tmp_path / "marked.mov"
    report = embed_video(src, dst, KEY)
    assert report.timecode == "10:00:00:00" and report.audio == ("aac (copied)",)
    with av.open(str(src)) as a, av.open(str(dst)) as b:
        va, vb = a.streams.video[0], b.streams.video[0]
        for attr in ("color_primaries", "color_trc", "colorspace", "color_range"):
            assert getattr(vb.codec_context, attr) == getattr(va.codec_context, attr), attr
        assert vb.codec_context.color_primaries == 1 and vb.codec_context.color_range == 1
        assert vb.metadata.get("timecode") == "10:00:00:00"
        assert [f.pts for f in a.decode(va)] == [f.pts for f in b.decode(vb)]
    assert audio_packets(dst) == audio_packets(src)  # remuxed bit for bit, not re-encoded
    assert detect_video(dst).key == KEY


def test_prores_10bit_stays_prores(footage_dir: Path, tmp_path: Path) -> None:
    src = prores_source(footage_dir / CREMA, tmp_path / "master.mov")
    report = embed_video(src, tmp_path / "marked.mov", KEY)
    assert report.encoder == "prores_ks" and report.psnr_y >= 42.0
    with av.open(str(tmp_path / "marked.mov")) as c:
        cc = c.streams.video[0].codec_context
        assert (cc.name, cc.pix_fmt) == ("prores", "yuv422p10le")
    assert detect_video(tmp_path / "marked.mov").key == KEY
    assert detect_video(src).key is None


def test_frame_level_api_survives_crop_and_downscale(footage_dir: Path) -> None:
    with av.open(str(footage_dir / CREMA)) as c:
        frames = [f.to_ndarray(format="gray") for _, f in zip(range(12), c.decode(video=0), strict=False)]
    marked = [embed_frame(f, KEY) for f in frames]
    assert all(m.shape == f.shape and m.dtype == np.uint8 for m, f in zip(marked, frames, strict=True))
    assert detect_frames(marked).key == KEY
    h, w = marked[0].shape
    assert detect_frames([m[h // 8 : -h // 8, w // 8 : -w // 8] for m in marked]).key == KEY
    half = [cv2.resize(m, (w // 2, h // 2), interpolation=cv2.INTER_AREA) for m in marked]
    assert detect_frames(half).key == KEY
    assert detect_frames(frames).key is None
    with pytest.raises(ValueError, match="2-D uint8"):
        embed_frame(np.zeros((4, 4, 3), np.uint8), KEY)


def _left_nothing(directory: Path, expected: set[str]) -> None:
    assert {p.name for p in directory.iterdir()} == expected  # no output, no temporary file


def test_bad_input_raises_and_writes_nothing(footage_dir: Path, marked: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n")
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(marked.read_bytes()[: marked.stat().st_size // 3])
    cut_flv = tmp_path / "cut.flv"  # no index: decoding stops on a damaged packet
    cut_flv.write_bytes((footage_dir / CREMA).read_bytes()[:120_000])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for bad in (text, truncated, tmp_path / "missing.mp4", tmp_path):
        with pytest.raises(UnreadableVideoError) as info:
            embed_video(bad, out_dir / "x.mp4", KEY)
        assert isinstance(info.value, LabelerError)
        with pytest.raises(UnreadableVideoError):
            detect_video(bad)
    with pytest.raises(UnreadableVideoError, match="damaged or truncated"):
        embed_video(cut_flv, out_dir / "x.mp4", KEY)
    _left_nothing(out_dir, set())
    with pytest.raises(VideoWriteError, match="must end in one of"):
        embed_video(footage_dir / GRID, out_dir / "x.avi", KEY)
    with pytest.raises(VideoWriteError, match="does not exist"):
        embed_video(footage_dir / GRID, out_dir / "nowhere" / "x.mp4", KEY)
    with pytest.raises(InvalidKeyError):
        embed_video(footage_dir / GRID, out_dir / "x.mp4", 1 << 64)
    _left_nothing(out_dir, set())


def test_failed_encode_leaves_existing_output_untouched(footage_dir: Path, tmp_path: Path) -> None:
    dst = tmp_path / "deliverable.mp4"
    dst.write_bytes(b"previous version")
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 1000)
    with pytest.raises(UnreadableVideoError):
        embed_video(bad, dst, KEY)
    assert dst.read_bytes() == b"previous version"
    _left_nothing(tmp_path, {"deliverable.mp4", "bad.mp4"})
