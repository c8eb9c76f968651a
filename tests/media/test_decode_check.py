"""The probe's decode check (``media._decode_check``): its verdict is a function of the file's bytes only.

Before, the check decoded with FFmpeg's ``AUTO`` threads (frame threads, cores + 1 of them). A frame-threaded decoder
drops the errors of the last packets when it drains, so a clip damaged at its end passed on a machine with two or
more cores and failed on one with one core. The clips here are damaged where H.264 cannot conceal it — the length
prefix of one packet's first NAL unit — and each is checked against a one-thread decode, so a damage the decoder
would shrug off fails the test instead of passing it.

The documented verdicts (4 s at 24 fps, a key frame every second; the quick check's tail starts at the key frame of
second 2, packet 48):

=============================  ==================  ===========
damaged packet (decode order)  quick               full
=============================  ==================  ===========
1, clip without B-frames       passes (not read)   rejected
1, clip with B-frames          rejected            rejected
40 (middle, before the tail)   passes (not read)   rejected
93, 94, 95 (the last three)    rejected            rejected
=============================  ==================  ===========

(With B-frames the decoder reads packet 1 before it gives out frame 0, so the quick check reads it too.)
"""

from __future__ import annotations

import os
from pathlib import Path

import av
import numpy as np
import pytest

import media._decode_check as decode_check
import media._probe as probe_module
from media import MediaInfo, probe, render, reproducible_options
from media._decode_check import KeyFrame
from media.errors import CorruptMediaError

FPS, SECONDS, GOP = 24, 4, 24
PACKETS = FPS * SECONDS


def _write(path: Path, *, bframes: int) -> Path:
    """A moving 4 s 160×96 H.264 clip, a key frame every second, ``bframes`` B-frames at most in a row."""
    rng = np.random.default_rng(5)
    big = rng.integers(40, 215, (96 + 64, 160 + 64, 3), dtype=np.uint8)
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = 160, 96, "yuv420p"
        vs.options = reproducible_options(
            "libx264", {"crf": "23", "preset": "veryfast", "g": str(GOP), "keyint_min": str(GOP), "bf": str(bframes)}
        )
        for i in range(PACKETS):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(big[i % 64 : i % 64 + 96, i : i + 160]), "rgb24")
            frame.pts = i
            out.mux(vs.encode(frame))
        out.mux(vs.encode())
    return path


def _packet_offsets(path: Path) -> list[int]:
    with av.open(str(path)) as c:
        return [int(p.pos) for p in c.demux(video=0) if p.size]


def _damage(clip: Path, packet: int, dest: Path) -> Path:
    """``clip`` with the length prefix of ``packet``'s first NAL unit broken (checked: one thread fails on it)."""
    data = bytearray(clip.read_bytes())
    data[_packet_offsets(clip)[packet]] ^= 0xFF
    dest.write_bytes(bytes(data))
    with av.open(str(dest)) as c, pytest.raises(av.FFmpegError):
        stream = c.streams.video[0]
        stream.thread_type, stream.thread_count = "SLICE", 1
        for _ in c.decode(stream):
            pass
    return dest


def _described(path: Path) -> tuple[MediaInfo, list[KeyFrame]]:
    """``probe``'s description and key frames, without its decode check."""
    return probe_module.describe(path)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("decode-check")
    return {"b-frames": _write(d / "b.mp4", bframes=3), "no-b-frames": _write(d / "p.mp4", bframes=0)}


def _verdict(path: Path, verify: str) -> str:
    try:
        probe(path, verify=verify)  # type: ignore[arg-type]
    except CorruptMediaError as exc:
        assert "does not decode" in str(exc) and "re-copy it from the camera card" in str(exc), str(exc)
        return "rejected"
    return "passes"


@pytest.mark.parametrize(
    ("clip", "packet", "quick", "full"),
    [
        ("no-b-frames", 1, "passes", "rejected"),
        ("b-frames", 1, "rejected", "rejected"),
        ("b-frames", 40, "passes", "rejected"),
        ("b-frames", PACKETS - 3, "rejected", "rejected"),
        ("b-frames", PACKETS - 2, "rejected", "rejected"),
        ("b-frames", PACKETS - 1, "rejected", "rejected"),
        ("no-b-frames", PACKETS - 1, "rejected", "rejected"),
    ],
)
def test_documented_verdicts(
    clips: dict[str, Path], tmp_path: Path, clip: str, packet: int, quick: str, full: str
) -> None:
    bad = _damage(clips[clip], packet, tmp_path / f"{clip}-{packet}.mp4")
    assert (_verdict(bad, "quick"), _verdict(bad, "full")) == (quick, full)


def test_undamaged_clips_pass_both_checks(clips: dict[str, Path]) -> None:
    for path in clips.values():
        assert probe(path, verify="full").frame_count == PACKETS
        assert probe(path, verify="quick").frame_count == PACKETS


@pytest.mark.parametrize("packet", [1, 40, 47, *range(PACKETS - 20, PACKETS)])
def test_full_verdict_does_not_depend_on_the_thread_count(clips: dict[str, Path], tmp_path: Path, packet: int) -> None:
    """Frame-threaded with N threads, then the tail slice-threaded: rejected for every N, like one thread."""
    bad = _damage(clips["b-frames"], packet, tmp_path / "bad.mp4")
    info, keyframes = _described(bad)
    for threads in (2, 3, 8, 16, 40):
        with pytest.raises(CorruptMediaError, match="does not decode"):
            decode_check.verify_decode(info, keyframes, full=True, threads=threads)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores to compare with one")
def test_verdict_is_the_same_on_one_core_and_on_all(clips: dict[str, Path], tmp_path: Path) -> None:
    bad = _damage(clips["b-frames"], PACKETS - 1, tmp_path / "end.mp4")
    everywhere = (_verdict(bad, "quick"), _verdict(bad, "full"))
    cores = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cores)})  # this thread only: FFmpeg and frame_threads() then see one core
    try:
        one_core = (_verdict(bad, "quick"), _verdict(bad, "full"))
    finally:
        os.sched_setaffinity(0, cores)
    assert everywhere == one_core == ("rejected", "rejected")


def test_render_refuses_a_source_damaged_at_its_end(clips: dict[str, Path], tmp_path: Path) -> None:
    """The frame-threaded render used to write 93 of the 96 frames and report success (the errors of the last
    packets dropped); now it fails as a one-thread decode does, and leaves nothing behind."""
    bad = _damage(clips["b-frames"], PACKETS - 1, tmp_path / "end.mp4")
    info, _ = _described(bad)
    out = tmp_path / "out.mp4"
    with pytest.raises(CorruptMediaError, match=r"end\.mp4: .*re-copy it from the camera card"):
        render(info, out)
    assert not out.exists()
