"""A render's progress (``media._progress``): the fraction of frames written, increasing and throttled to 1 %, 1.0
last, reported in the calling process — per frame by ``media.render``, per completed segment (weighted by its
frames) by ``media.render_parallel``; a callback that raises stops the render and leaves nothing behind.

The clip is generated here: 150 frames of 160×96 ProRes 422 HQ (intra-only: cut anywhere) with PCM audio, so one
frame is 0.67 % of the render and the throttle has something to drop.
"""

from __future__ import annotations

import itertools
import os
import threading
from fractions import Fraction
from pathlib import Path

import pytest

from media import InlineExecutor, probe, render, render_parallel
from media._progress import STEP
from tests.editor._media import write_clip
from tests.media._edits import Brighten

FRAMES = 150


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("progress")
    return write_clip(
        d / "prores.mov", codec="prores_ks", pix_fmt="yuv422p10le", frames=FRAMES, rate=Fraction(25),
        options={"profile": "3"}, audio="pcm_s16le",
    )  # fmt: skip


class Recorder:
    """A progress callback that records each fraction and the process it was called in."""

    def __init__(self, fail_at: float | None = None) -> None:
        self.values: list[float] = []
        self.pids: set[int] = set()
        self.fail_at = fail_at
        self.lock = threading.Lock()  # cannot be pickled: a render that sent this object to a worker would fail

    def __call__(self, fraction: float) -> None:
        self.values.append(fraction)
        self.pids.add(os.getpid())
        if self.fail_at is not None and fraction >= self.fail_at:
            raise RuntimeError(f"progress callback failed at {fraction:.2f}")


def _increasing_to_one(values: list[float]) -> None:
    assert values and values[-1] == 1.0 and values.count(1.0) == 1
    assert all(0.0 < a < b for a, b in itertools.pairwise(values)), values
    assert any(0.0 < v < 1.0 for v in values)


def test_a_render_reports_each_frame_throttled_to_one_percent(source: Path, tmp_path: Path) -> None:
    seen = Recorder()
    render(probe(source), tmp_path / "out.mov", plane_edit=Brighten(5), progress=seen)
    _increasing_to_one(seen.values)
    steps = [b - a for a, b in zip(seen.values[:-1], seen.values[1:-1], strict=False)]
    assert all(s >= STEP for s in steps)  # throttled: no report less than 1 % after the previous one
    assert 40 <= len(seen.values) <= 101  # one frame is 0.67 %: about every second frame is reported
    assert all(round(v * FRAMES, 9).is_integer() for v in seen.values)  # fractions of frames written
    assert seen.pids == {os.getpid()}


def test_segments_report_as_they_complete_weighted_by_their_frames(source: Path, tmp_path: Path) -> None:
    info = probe(source)
    inline = Recorder()  # segments one after the other here: every completion is seen in order
    report = render_parallel(info, tmp_path / "inline.mov", plane_edit=Brighten(5), segments=4,
                             executor=InlineExecutor(), progress=inline)  # fmt: skip
    sizes = [s.end - s.start for s in report.segments]
    assert len(sizes) == 4 and sum(sizes) == FRAMES
    assert inline.values == [sum(sizes[: i + 1]) / FRAMES for i in range(3)] + [1.0]

    pool = Recorder()  # two worker processes: completions come as they happen, in any order
    report = render_parallel(info, tmp_path / "pool.mov", plane_edit=Brighten(5), workers=2, progress=pool)
    assert len(report.segments) == 4
    _increasing_to_one(pool.values)
    sums = {sum(s.end - s.start for k, s in enumerate(report.segments) if m >> k & 1) for m in range(16)}
    assert all(round(v * FRAMES) in sums for v in pool.values)  # each value counts whole segments
    assert pool.pids == {os.getpid()}  # never called in a worker


@pytest.mark.parametrize("fail_at", [0.3, 1.0])
@pytest.mark.parametrize("how", ["one piece", "segments"])
def test_a_failing_callback_stops_the_render_and_leaves_nothing(
    source: Path, tmp_path: Path, how: str, fail_at: float
) -> None:
    out = tmp_path / "out.mov"
    seen = Recorder(fail_at)
    with pytest.raises(RuntimeError, match="progress callback failed"):
        if how == "one piece":
            render(probe(source), out, plane_edit=Brighten(5), progress=seen)
        else:
            render_parallel(probe(source), out, plane_edit=Brighten(5), segments=4, executor=InlineExecutor(),
                            progress=seen)  # fmt: skip
    assert seen.values[-1] >= fail_at
    assert list(tmp_path.iterdir()) == []  # no output, no partial file, no segment folder
