"""A render's progress (``media._progress``): the fraction of frames written, increasing and throttled to 1 %, 1.0
last, reported in the calling process — per frame by ``media.render``; by ``media.render_parallel`` per frame too,
from the running segment tasks' tallies, in whole segments where the tasks run inside ``submit``
(``InlineExecutor``); a callback that raises stops the render and leaves nothing behind.

The clip is generated here: 150 frames of 160×96 ProRes 422 HQ (intra-only: cut anywhere) with PCM audio, so one
frame is 0.67 % of the render and the throttle has something to drop.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from media import InlineExecutor, Stages, probe, render, render_parallel
from media._progress import STEP
from tests.editor._media import write_clip
from tests.media._edits import Brighten, Gated

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

    assert not any(tmp_path.glob(".*segments*"))  # the work folder, tallies and all, is gone


@pytest.fixture(scope="module")
def workers() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


class Gatekeeper(Recorder):
    """A ``Recorder`` that lets the workers' ``Gated`` edit go on: it opens the edit's next gate on each of its first
    ``opens`` calls, and all of them just before it raises (the render's failure path waits for the running tasks,
    which would otherwise sit at a closed gate)."""

    def __init__(self, edit: Gated, opens: int, fail_at: float | None = None) -> None:
        super().__init__(fail_at)
        self.edit, self.opens, self.opened = edit, opens, 0

    def open(self, upto: int) -> None:
        while self.opened < min(upto, len(self.edit.holds)):
            self.opened += 1
            Path(f"{self.edit.gate}.{self.opened}").touch()

    def __call__(self, fraction: float) -> None:
        self.open(min(self.opened + 1, self.opens))
        if self.fail_at is not None and fraction >= self.fail_at:
            self.open(len(self.edit.holds))
        super().__call__(fraction)


def test_segments_on_worker_processes_report_frames_while_they_run(
    source: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, workers: ProcessPoolExecutor
) -> None:
    """Two segments of 75 frames on two workers: without the tallies the value would stay at 0 until one segment
    completes (half the job); with them it moves inside the segments, from this process only.

    No timing is relied on: each worker holds its segment at gates (``Gated``) that only this process's callback
    opens, so a segment cannot complete before the callback has seen what the assertions need — whether the workers
    run side by side or one after the other, however loaded the machine."""
    info = probe(source)
    gates = tmp_path_factory.mktemp("gates")  # not in tmp_path: that holds the render's output and nothing else
    run = {"segments": 2, "executor": workers}  # a pool as a Ray engine's: futures to poll

    # Held at 10 frames until the first report, then at 32 until the second: both reports come from at most
    # 2 × 32 = 64 frames, before either segment's 75 are done.
    edit = Gated(gates / "pool", holds=(10, 32))
    pool = Gatekeeper(edit, opens=2)
    report = render_parallel(info, tmp_path / "pool.mov", plane_edit=edit, **run, progress=pool)
    sizes = [s.end - s.start for s in report.segments]
    assert sizes == [FRAMES // 2] * 2
    _increasing_to_one(pool.values)
    whole = {0, *sizes, FRAMES}
    inside = [v for v in pool.values if round(v * FRAMES) not in whole]
    assert len(inside) >= 2, pool.values  # seen while the segments ran, not only as they completed
    assert len([v for v in pool.values if v < sizes[0] / FRAMES]) >= 2, pool.values  # before either completed
    assert all(round(v * FRAMES, 9).is_integer() for v in pool.values)  # whole frames
    assert pool.pids == {os.getpid()}  # never called in a worker
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pool.mov"]  # no tally left behind

    # Held at 32 frames until the callback raises: the value reaches at least 32 frames (one worker's, 0.21) and
    # at most 64 (0.43), so the callback raises at or above 0.2 while the workers are inside their segments.
    edit = Gated(gates / "failing", holds=(32,))
    failing = Gatekeeper(edit, opens=0, fail_at=0.2)
    with pytest.raises(RuntimeError, match="progress callback failed"):
        render_parallel(info, tmp_path / "failed.mov", plane_edit=edit, **run, progress=failing)
    assert 0.2 <= failing.values[-1] < 0.5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pool.mov"]  # nothing written, no segment folder


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


@settings(max_examples=50, deadline=None)
@given(
    shares=st.lists(st.one_of(st.just(0.0), st.floats(0.01, 1000)), min_size=1, max_size=5),
    reports=st.lists(st.tuples(st.integers(0, 4), st.floats(-0.5, 1.5)), max_size=40),
)
def test_stages_report_one_increasing_whole(shares: list[float], reports: list[tuple[int, float]]) -> None:
    """However the stages report (out of order, repeated, out of range), what reaches the callback only increases,
    stays within each stage's part of the whole, and is 1.0 only when the last stage completes."""
    assume(sum(shares) > 0)
    names = [f"s{i}" for i in range(len(shares))]
    seen: list[float] = []
    stages = Stages(seen.append, **dict(zip(names, shares, strict=True)))
    for i, fraction in reports:
        stage = names[i % len(names)]
        before = list(seen)
        stages.part(stage)(fraction)  # type: ignore[misc]
        if len(seen) > len(before):
            lo = sum(shares[: i % len(names)]) / sum(shares)
            hi = sum(shares[: i % len(names) + 1]) / sum(shares)
            assert lo - 1e-9 <= seen[-1] <= hi + 1e-9
            assert seen[-1] < 1.0 or (stage == names[-1] and fraction >= 1.0)
    assert all(0.0 < a < b for a, b in itertools.pairwise(seen)) and all(0.0 < v <= 1.0 for v in seen)
    stages.at(names[-1], 1.0)
    assert seen[-1] == 1.0 and seen.count(1.0) == 1
    assert Stages(None, a=1.0).part("a") is None  # no callback: nothing to report to
    with pytest.raises(ValueError, match="shares"):
        Stages(seen.append, a=0.0, b=-1.0)
