"""Segment-parallel rendering (``media.render_parallel``): where a source is cut, that the joined output is the
sequential one (its audio filtered beside the segments, packet for packet the one-pass audio), that a re-run
segment task is harmless and that a failing one, or a failing audio filter, leaves nothing behind.

Clips are generated here: ProRes 422 HQ (intra-only) MOV with timecode and PCM audio, and long-GOP H.264 MP4 (B
frames, a key frame every 20 frames) with AAC audio, both 320×180 at 25 fps.
"""

from __future__ import annotations

import threading
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from media import (
    InlineExecutor,
    Picture,
    SegmentTask,
    plan_encode,
    plan_segments,
    probe,
    render,
    render_parallel,
    run_segment,
)
from media._segments import split
from media.errors import EncodeError, SegmentError
from tests.editor._media import write_clip
from tests.media._edits import Brighten, DieOn, FailOn

FRAMES = 60


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("sources")
    prores = write_clip(
        d / "prores.mov", codec="prores_ks", pix_fmt="yuv422p10le", width=320, height=180, frames=FRAMES,
        rate=Fraction(25), options={"profile": "3"}, audio="pcm_s24le", timecode="10:00:00:12",
    )  # fmt: skip
    h264 = write_clip(
        d / "h264.mp4", width=320, height=180, frames=FRAMES, rate=Fraction(25),
        options={"g": "20", "keyint_min": "20", "bf": "3", "sc_threshold": "0"}, audio="aac",
    )  # fmt: skip
    return {"prores": prores, "h264": h264}


class TwiceExecutor(InlineExecutor):
    """Runs every task twice, as a retry after a lost worker would: the first attempt's file is overwritten."""

    def submit(self, fn: Any, /, *args: Any) -> Any:
        super().submit(fn, *args).result()
        return super().submit(fn, *args)


def _video_packets(path: Path) -> list[tuple[int, int, bool, bytes]]:
    with av.open(str(path)) as c:
        return [(p.pts, p.dts, p.is_keyframe, bytes(p)) for p in c.demux(c.streams.video[0]) if p.size]


def _audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])


def _leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# ------------------------------------------------------------------------------------------------------ planning


@given(
    n=st.integers(1, 400),
    parts=st.integers(1, 12),
    min_frames=st.integers(1, 30),
    allowed=st.none() | st.lists(st.integers(0, 400), max_size=40),
)
def test_split_covers_every_frame_once_on_allowed_boundaries(
    n: int, parts: int, min_frames: int, allowed: list[int] | None
) -> None:
    starts = split(n, allowed, parts, min_frames)
    ends = [*starts[1:], n]
    assert starts[0] == 0 and len(starts) <= parts
    assert all(s < e for s, e in zip(starts, ends, strict=True))  # in order, non-empty, non-overlapping
    assert sum(e - s for s, e in zip(starts, ends, strict=True)) == n  # [0, n) exactly
    if len(starts) > 1:
        assert all(e - s >= min_frames for s, e in zip(starts, ends, strict=True))
    if allowed is not None:
        assert set(starts[1:]) <= set(allowed)


def test_split_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        split(0, None, 2)
    with pytest.raises(ValueError):
        split(10, None, 0)


def test_intra_only_sources_cut_anywhere_long_gop_on_key_frames(sources: dict[str, Path]) -> None:
    prores = plan_segments(probe(sources["prores"]), 4)
    assert prores.intra_only and len(prores.segments) == 4
    assert [s.start for s in prores.segments] == [0, 15, 30, 45]
    h264 = plan_segments(probe(sources["h264"]), 4)
    assert not h264.intra_only and h264.keyframes == (0, 20, 40)
    assert [s.start for s in h264.segments] == [0, 20, 40]
    assert all(s.start in h264.keyframes for s in h264.segments)


# ------------------------------------------------------------------------------------------------------ identity


@pytest.mark.parametrize("name", ["prores", "h264"])
def test_segments_join_into_the_sequential_render(sources: dict[str, Path], tmp_path: Path, name: str) -> None:
    info = probe(sources[name])
    suffix = sources[name].suffix
    seq = render(info, tmp_path / f"seq{suffix}", plane_edit=Brighten(6))
    par = render_parallel(info, tmp_path / f"par{suffix}", plane_edit=Brighten(6), segments=4)
    assert len(par.segments) == (4 if name == "prores" else 3)
    assert (par.frame_count, par.edited_frames) == (seq.frame_count, seq.edited_frames) == (FRAMES, FRAMES)
    a, b = probe(seq.path), probe(par.path)
    assert (b.frame_count, b.timecode, b.colour, b.frame_rate, b.codec, b.profile, b.pix_fmt) == (
        a.frame_count, a.timecode, a.colour, a.frame_rate, a.codec, a.profile, a.pix_fmt,
    )  # fmt: skip
    pa, pb = _video_packets(seq.path), _video_packets(par.path)
    assert sorted(p[0] for p in pb) == sorted(p[0] for p in pa)  # every frame at the same time
    assert np.array_equal(_audio(seq.path), _audio(par.path))
    if name == "prores":  # intra-only: the very same packets
        assert [p[3] for p in pb] == [p[3] for p in pa]
    else:  # long-GOP: every segment starts with an IDR frame, decode times run on without a gap
        keys = {p[0] for p in pb if p[2]}
        starts = {sorted(p[0] for p in pb)[s.start] for s in par.segments}
        assert starts <= keys
        dts = [p[1] for p in pb]
        assert dts == sorted(dts) and len(set(dts)) == len(dts)
        assert all(p[1] <= p[0] for p in pb)
        # the pictures agree with the sequential render to within the encoder's noise
        with av.open(str(seq.path)) as c1, av.open(str(par.path)) as c2:
            for f1, f2 in zip(c1.decode(video=0), c2.decode(video=0), strict=True):
                y1, y2 = f1.to_ndarray()[:180].astype(float), f2.to_ndarray()[:180].astype(float)
                assert 10 * np.log10(255**2 / max(np.mean((y1 - y2) ** 2), 1e-9)) > 40


def test_a_retried_segment_task_is_harmless(sources: dict[str, Path], tmp_path: Path) -> None:
    info = probe(sources["h264"])
    plan = plan_encode(info, "mp4")
    seg = plan_segments(info, 3).segments[1]
    task = SegmentTask(info, plan, seg, tmp_path, range(FRAMES), plane_edit=Brighten(3))
    run_segment(task)
    first = task.path.read_bytes()
    run_segment(task)
    assert task.path.read_bytes() == first
    assert _leftovers(tmp_path, {task.path.name}) == []
    # A whole render whose every task ran twice: compared byte for byte on the intra-only source. (Two separate
    # H.264 renders in one process were seen to differ, now and then, in the coded bytes of one segment; the cause
    # is not pinned down yet. The retried task above is compared byte for byte on H.264 itself.)
    mezzanine = probe(sources["prores"])
    once = render_parallel(mezzanine, tmp_path / "once.mov", plane_edit=Brighten(3), segments=3)
    twice = render_parallel(
        mezzanine, tmp_path / "twice.mov", plane_edit=Brighten(3), segments=3, executor=TwiceExecutor(), workers=1
    )
    assert once.path.read_bytes() == twice.path.read_bytes()


class Gain:
    """An audio filter (``media.AudioFilter``): scales the samples, in blocks of 1000, counting what it saw."""

    def __init__(self, factor: float, fail_after: int | None = None) -> None:
        self.factor, self.fail_after, self.seen = factor, fail_after, 0
        self.threads: set[str] = set()
        self._held = np.zeros((0, 0), np.float32)

    def push(self, samples: np.ndarray) -> list[np.ndarray]:
        self.seen += samples.shape[1]
        self.threads.add(threading.current_thread().name)
        if self.fail_after is not None and self.seen > self.fail_after:
            raise RuntimeError(f"audio filter failed after {self.fail_after} samples")
        held = samples if self._held.size == 0 else np.concatenate([self._held, samples], axis=1)
        n = held.shape[1] // 1000 * 1000
        self._held = held[:, n:]
        return [held[:, i : i + 1000] * self.factor for i in range(0, n, 1000)]

    def flush(self) -> list[np.ndarray]:
        return [self._held * self.factor] if self._held.size else []


def _audio_packets(path: Path) -> list[tuple[int, bytes]]:
    with av.open(str(path)) as c:
        return [(p.pts, bytes(p)) for p in c.demux(c.streams.audio[0]) if p.size]


@pytest.mark.parametrize("name", ["prores", "h264"])
def test_filtered_audio_spooled_beside_the_segments_is_the_one_pass_audio(
    sources: dict[str, Path], tmp_path: Path, name: str
) -> None:
    """The segment-parallel render filters and encodes the audio while the segments run (``AudioMux.spool``);
    the track is the sequential render's, packet for packet (PCM 24-bit in MOV, AAC in MP4), and the filter saw
    every sample once."""
    info = probe(sources[name])
    suffix = sources[name].suffix
    one, many = Gain(0.5), Gain(0.5)
    seq = render(info, tmp_path / f"seq{suffix}", audio_filters={info.audio[0].index: one})
    par = render_parallel(info, tmp_path / f"par{suffix}", audio_filters={info.audio[0].index: many}, segments=3)
    assert seq.audio == par.audio == (f"filtered:{info.audio[0].codec}",)
    assert one.seen == many.seen > 0
    assert one.threads == {"MainThread"} and many.threads == {"cutproof-audio-spool"}  # beside the segments
    assert _audio_packets(par.path) == _audio_packets(seq.path)
    assert np.array_equal(_audio(par.path), _audio(seq.path))
    assert not np.array_equal(_audio(par.path), _audio(sources[name]))  # the filter did act
    assert _leftovers(tmp_path, {seq.path.name, par.path.name}) == []


# ------------------------------------------------------------------------------------------------------ failure


def test_a_failing_audio_filter_fails_the_render_and_leaves_nothing(sources: dict[str, Path], tmp_path: Path) -> None:
    info = probe(sources["prores"])
    with pytest.raises(RuntimeError, match="audio filter failed"):
        render_parallel(info, tmp_path / "x.mov", audio_filters={info.audio[0].index: Gain(2, 5000)}, segments=3)
    assert _leftovers(tmp_path, set()) == []


def test_a_failing_segment_stops_the_audio_spool_and_leaves_nothing(sources: dict[str, Path], tmp_path: Path) -> None:
    info = probe(sources["prores"])
    with pytest.raises(RuntimeError, match="frame 10"):
        render_parallel(
            info, tmp_path / "x.mov", plane_edit=FailOn(10), audio_filters={info.audio[0].index: Gain(2)}, segments=4
        )
    assert _leftovers(tmp_path, set()) == []


def test_a_failing_segment_leaves_no_output_and_no_segment_files(sources: dict[str, Path], tmp_path: Path) -> None:
    info = probe(sources["prores"])
    out = tmp_path / "marked.mov"
    with pytest.raises(RuntimeError, match="frame 40"):
        render_parallel(info, out, plane_edit=FailOn(40), segments=4)
    assert _leftovers(tmp_path, set()) == []


def test_an_edit_that_cannot_reach_a_worker_is_refused(sources: dict[str, Path], tmp_path: Path) -> None:
    info = probe(sources["prores"])

    def local(picture: Picture) -> None:  # a closure: not picklable
        picture.luma[0, 0] = 0

    with pytest.raises(SegmentError, match="top-level"):
        render_parallel(info, tmp_path / "x.mov", plane_edit=local, segments=2)
    assert _leftovers(tmp_path, set()) == []


def test_a_dead_worker_leaves_nothing(sources: dict[str, Path], tmp_path: Path) -> None:
    info = probe(sources["prores"])
    with pytest.raises(SegmentError, match="worker process died"):
        render_parallel(info, tmp_path / "x.mov", plane_edit=DieOn(50), workers=2)
    assert _leftovers(tmp_path, set()) == []


def test_an_existing_output_is_refused_before_any_work(sources: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "x.mov"
    out.write_bytes(b"keep")
    with pytest.raises(EncodeError, match="already exists"):
        render_parallel(probe(sources["prores"]), out, segments=2)
    assert out.read_bytes() == b"keep" and _leftovers(tmp_path, {"x.mov"}) == []
    with pytest.raises(ValueError):
        render_parallel(probe(sources["prores"]), tmp_path / "y.mov", workers=0)
