"""The search's narrowing (``editor.lighting.narrow``) compares every frame of a clip: a short clip read once, its
grey pictures kept, finds what a long clip's read-through finds; a long clip is read through once for all the
reference frames, each frame measured at half the width and the best ``PASS_KEEP`` again at the full width; a
letterbox or pillarbox bar's edge is not taken for motion."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.lighting import narrow as narrowing
from editor.lighting.narrow import ClipFrames, grey_picture, narrow, narrow_all, picture_area, read_frames
from media import MediaInfo, iter_frames, probe, read_frame
from tests.editor._media import write_clip

CLIP = "obama-weekly-address_a-bad-situation.mp4"
GAIN = np.array([1.1, 0.95, 0.85], np.float32)


@pytest.mark.parametrize(("ref", "start"), [(44, 40), (14, 22), (62, 7)])
def test_a_short_clip_read_once_finds_what_reading_it_through_finds(
    footage_dir: Path, monkeypatch: pytest.MonkeyPatch, ref: int, start: int
) -> None:
    info = probe(footage_dir / CLIP)
    assert info.frame_count <= narrowing.CACHE_FRAMES
    target = np.clip(np.asarray(read_frame(info, ref), np.float32) * GAIN, 0, 1)
    once = ClipFrames(info, [start])
    found = narrow(once, start, target)
    monkeypatch.setattr(narrowing, "CACHE_FRAMES", 0)
    through = ClipFrames(info, [start])
    assert through._greys is None and np.array_equal(through.kept[start], once.kept[start])
    assert narrow(through, start, target) == found
    assert abs(found[0][0] - ref) <= 1  # a talking head a frame apart can look the same
    pairs = list(zip(once.each(), through.each(), strict=True))
    assert [i for (i, _g), _ in pairs] == list(range(info.frame_count))
    assert all(i == j and np.array_equal(g, h) for (i, g), (j, h) in pairs)


@pytest.mark.parametrize(("codec", "suffix", "pix_fmt", "options"), [
    ("libx264", ".mp4", "yuv420p", {"g": "24", "crf": "20"}),
    ("prores_ks", ".mov", "yuv422p10le", {"profile": "3"}),
])  # fmt: skip
def test_a_long_clip_is_read_with_a_seek_per_spread_frame_and_gives_the_same_pictures(
    tmp_path: Path, codec: str, suffix: str, pix_fmt: str, options: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a clip longer than ``CACHE_FRAMES`` the search reads frames far apart with a seek each, and those before
    frame ``CACHE_FRAMES`` (which media decodes from the first frame anyway) in one read (``narrow.read_frames``): the
    pictures are the ones one read of them all gives."""
    info = probe(write_clip(tmp_path / f"long{suffix}", codec=codec, pix_fmt=pix_fmt, frames=340, options=options,
                            audio=None))  # fmt: skip
    assert info.frame_count == 340 > narrowing.CACHE_FRAMES
    wanted = [2, 150, 301, 305, 339]
    reads: list[list[int]] = []
    real = narrowing.iter_frames

    def counted(info: MediaInfo, **kw: Any) -> Any:
        reads.append(list(kw["indices"]))
        return real(info, **kw)

    monkeypatch.setattr(narrowing, "iter_frames", counted)
    got = list(read_frames(info, wanted))
    monkeypatch.undo()
    # before frame 300 media decodes every read from the first frame: 2 and 150 are one read; 301 on, seeks
    assert reads == [[2, 150], [301, 305, 339]]
    assert [i for i, _ in got] == wanted
    for (i, a), (j, b) in zip(got, iter_frames(info, indices=wanted), strict=True):
        assert i == j and np.array_equal(a, b)
    frames = ClipFrames(info, [301])
    greys = dict(frames.each())
    assert frames._greys is None and sorted(greys) == list(range(340))
    assert np.array_equal(greys[339], grey_picture(read_frame(info, 339)))


class _Frames:
    """A clip of ``n`` frames as the narrowing reads it, each frame's "grey picture" its own index; ``read_once``: a
    short clip's (every frame in memory)."""

    def __init__(self, n: int, read_once: bool) -> None:
        self.info = SimpleNamespace(frame_count=n)
        self.kept = {i: np.zeros((2, 2, 3), np.float32) for i in range(n)}
        self.read_once = read_once
        self.asked: list[int] = []
        self.passes = 0

    def each(self) -> Iterator[tuple[int, int]]:
        self.passes += 1
        for i in range(self.info.frame_count):
            self.asked.append(i)
            yield i, i


class _Measures:
    """``aligned_score`` for targets whose first pixel is their number: the motion each frame leaves (full width), and
    at half the width that motion re-ranked by ``quick`` (a frame → its motion there); counts the calls."""

    def __init__(self, motions: list[dict[int, float]], quick: list[dict[int, float]] | None = None) -> None:
        self.motions, self.quick = motions, quick or motions
        self.full_calls = [0] * len(motions)
        self.quick_calls = [0] * len(motions)

    def __call__(self, target: np.ndarray, frame: np.ndarray) -> tuple[Any, Any]:
        k = int(target[0, 0, 0])

        def full(i: int) -> float:
            self.full_calls[k] += 1
            return -self.motions[k][i]

        def quick(i: int) -> float:
            self.quick_calls[k] += 1
            return -self.quick[k][i]

        return full, quick


def _targets(n: int) -> list[np.ndarray]:
    return [np.full((2, 2, 3), k, np.float32) for k in range(n)]


@given(st.lists(st.integers(0, 999), min_size=1, max_size=4, unique=True), st.floats(0.3, 6.0))
def test_a_long_clip_has_every_frame_compared_in_one_pass(truths: list[int], floor: float) -> None:
    # Each reference frame's motion basin one frame wide, anywhere in a 1,000-frame take: stop 49 went coarse to fine
    # over 12 samples 91 frames apart in a clip this long, and found the very frame for 13 of 24 references to a
    # 671-frame reel (bench/lighting_search.py --long). A reference clip brings 8 reference frames: one pass reads them
    # all, each frame measured at half the width, the best PASS_KEEP again at the full width.
    frames = _Frames(1000, read_once=False)
    measures = _Measures([{i: floor + 2.0 + 0.3 * ((i * 7) % 5) for i in range(1000)} | {t: floor} for t in truths])
    with mock.patch.object(narrowing, "aligned_score", measures):
        shortlists = narrow_all(frames, list(range(len(truths))), _targets(len(truths)))  # type: ignore[arg-type]
    assert [sl[0] for sl in shortlists] == [(t, floor) for t in truths]
    assert all(len(sl) == narrowing.SHORTLIST for sl in shortlists)
    assert frames.passes == 1 and frames.asked == list(range(1000))
    assert measures.quick_calls == [1000] * len(truths) and measures.full_calls == [narrowing.PASS_KEEP] * len(truths)


@pytest.mark.parametrize(("rank", "found"), [(0, True), (narrowing.PASS_KEEP - 1, True), (narrowing.PASS_KEEP, False)])
def test_the_full_measure_decides_among_the_frames_the_quick_one_keeps(rank: int, found: bool) -> None:
    # At half the width the reference's frame (700) may rank below others (in the bench's reel, 11th at worst); it
    # is found wherever it ranks among the PASS_KEEP kept.
    motions = {i: 3.0 + 0.001 * i for i in range(1000)} | {700: 0.5}
    quick = {i: 3.0 + 0.001 * i for i in range(1000)} | {700: 3.0 + 0.001 * rank - 0.0005}
    frames = _Frames(1000, read_once=False)
    with mock.patch.object(narrowing, "aligned_score", _Measures([motions], [quick])):
        shortlist = narrow(frames, 0, _targets(1)[0])  # type: ignore[arg-type]
    assert (shortlist[0][0] == 700) is found


def test_a_short_clip_has_every_frame_compared_at_the_full_width() -> None:
    # a motion basin one frame wide between samples (CREMA-D ANG's frame 33 as ProRes: 1.1 px, beside it 2.0 and more)
    frames = _Frames(67, read_once=True)
    measures = _Measures([{i: 2.5 + 0.1 * ((i * 7) % 5) for i in range(67)} | {33: 1.1}])
    with mock.patch.object(narrowing, "aligned_score", measures):
        shortlist = narrow(frames, 18, _targets(1)[0])  # type: ignore[arg-type]
    assert shortlist[0] == (33, 1.1) and frames.asked == list(range(67))
    assert measures.full_calls == [67] and measures.quick_calls == [0]


def test_a_reference_that_does_not_align_keeps_its_start() -> None:
    frames = _Frames(50, read_once=False)
    with mock.patch.object(narrowing, "aligned_score", lambda target, frame: None):
        assert narrow_all(frames, [7, 9], _targets(2)) == [[(7, 0.0)], [(9, 0.0)]]  # type: ignore[arg-type]
    assert frames.passes == 0


def test_the_picture_area_leaves_out_bars_and_their_edges() -> None:
    rng = np.random.default_rng(0)
    frame = np.zeros((180, 320, 3), np.float32)
    frame[:, 47:273] = rng.uniform(0.2, 0.8, (180, 226, 3))  # pillarboxed: a 4:3 picture in 16:9
    frame[:, :47] += rng.uniform(0, 0.008, (180, 47, 3))  # a JPEG's noise in a black bar is still a bar
    area = picture_area(frame)
    m = narrowing.BAR_MARGIN
    assert not area[:, : 47 + m].any() and not area[:, 273 - m :].any()
    assert area[:, 47 + m : 273 - m].all()
    letterboxed = np.zeros((180, 320, 3), np.float32)
    letterboxed[22:158] = rng.uniform(0.2, 0.8, (136, 320, 3))  # 2.39:1 in 16:9
    area = picture_area(letterboxed)
    assert area[22 + m : 158 - m].all() and not area[: 22 + m].any() and not area[158 - m :].any()
    assert area[22 + m : 158 - m, 0].all()  # no bars at the sides: nothing taken off them
    assert picture_area(rng.uniform(0, 1, (180, 320, 3)).astype(np.float32)).all()
    assert not picture_area(np.full((180, 320, 3), 0.5, np.float32)).any()


def test_a_pillarboxed_clip_is_narrowed_to_the_reference_frame(footage_dir: Path, tmp_path: Path) -> None:
    # GRID's 4:3 take in a 16:9 frame, as a reel or a letterboxed delivery holds it; the reference a graded frame as a
    # JPEG still, its centre 90 %. Measured up to the bars, the bars' edges left 5 px of motion at the reference's own
    # frame, more than frames of another take (stop 50).
    info = probe(footage_dir / "grid_pwij3p.mpg")
    pics = []
    for _i, a in iter_frames(info, start=20, end=50, fmt="rgb24"):
        pic = np.zeros((360, 640, 3), np.uint8)
        pic[:, 95:545] = cv2.resize(a, (450, 360), interpolation=cv2.INTER_AREA)
        pics.append(pic)
    clip = probe(write_clip(tmp_path / "pillarboxed.mp4", pictures=pics, rate=info.frame_rate, audio=None))
    truth = 17
    graded = np.clip(np.asarray(read_frame(clip, truth), np.float32) * GAIN, 0, 1)
    still = cv2.resize(graded[18:342, 32:608], (480, 270), interpolation=cv2.INTER_CUBIC)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(np.rint(still * 255).astype(np.uint8), cv2.COLOR_RGB2BGR))
    assert ok
    ref = cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB).astype(np.float32) / 255
    start = 5
    shortlist = narrow(ClipFrames(clip, [start]), start, ref)
    assert shortlist[0][0] == truth and shortlist[0][1] < 3.0  # up to the bars: frame 11 first, at 6.8 px
