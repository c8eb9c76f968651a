"""What the eyeline edit reads of its own output (``editor.eyeline.measure``): which pairs of frames, where in the
frame, and that a render in segments reads what the render in one piece reads."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.eyeline._eyes import PATCH_H
from editor.eyeline.measure import MIN_SIDE, PAIRS, PairCut, Pairs, pair_error, pair_region, pair_starts, summarise
from editor.eyeline.warper import ROOM


@given(first=st.integers(0, 500), n=st.integers(0, 2000))
def test_every_pair_where_the_look_is_held_is_read_up_to_a_bound(first: int, n: int) -> None:
    starts = pair_starts(first, first + n)
    assert len(starts) == min(n, PAIRS)  # every pair of a short hold; a long one's spread evenly
    assert starts == sorted(set(starts))
    if n:
        assert starts[0] == first and starts[-1] == first + n - 1  # the last pair ends on the last frame read
        gaps = np.diff(starts)
        assert len(gaps) == 0 or gaps.max() - gaps.min() <= 1


boxes = st.tuples(st.floats(-50, 1900), st.floats(-50, 1060), st.floats(4, 300), st.floats(2, 200))


@given(eyes=st.lists(boxes, min_size=1, max_size=4), h=st.integers(100, 1080), w=st.integers(100, 1920))
def test_the_region_holds_the_warps_reach_and_a_margin_inside_the_frame(eyes, h: int, w: int) -> None:  # type: ignore[no-untyped-def]
    rows, cols = pair_region(eyes, (h, w))
    assert 0 <= rows.start < rows.stop <= h and 0 <= cols.start < cols.stop <= w
    assert rows.stop - rows.start >= MIN_SIDE and cols.stop - cols.start >= MIN_SIDE  # the flow has room to run
    for x, y, bw, bh in eyes:
        reach = ROOM * bh / PATCH_H  # the rows above and below the patch a vertical look's warp reaches
        top, bottom = max(0, y - reach - bh), min(h, y + bh + reach + bh)
        if top < bottom:  # the part of the reach in the frame
            assert rows.start <= top and rows.stop >= bottom
        left, right = max(0, x - bh), min(w, x + bw + bh)
        if left < right:
            assert cols.start <= left and cols.stop >= right


def _cuts(n: int, seed: int) -> list[PairCut]:
    """A shot's frames cut around an eye: a moving texture, its output with a little noise, a blink on some."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (40, 56, 3)).astype(np.uint8)
    support = np.zeros((40, 56), bool)
    support[10:30, 12:44] = True
    out = []
    for i in range(n):
        src = np.roll(base, i, axis=1)
        res = np.clip(src.astype(int) + rng.integers(-6, 7, src.shape), 0, 255).astype(np.uint8)
        out.append(PairCut(src, res, support, 0.0 if rng.random() < 0.15 else 1.0))
    return out


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 14), cuts=st.lists(st.integers(1, 13), max_size=4), seed=st.integers(0, 2**16))
def test_a_render_in_segments_reads_the_pairs_the_render_in_one_piece_reads(n: int, cuts: list[int], seed: int) -> None:
    frames = _cuts(n, seed)
    starts = range(n - 1)

    def read(parts: list[range]) -> dict[int, tuple[float, float]]:
        copies = []
        for part in parts:  # each segment's copy sees its own frames only, in order
            pairs = Pairs()
            for index in part:
                for start in (index - 1, index):
                    if start in starts:
                        pairs.add(start, index, frames[index])
            copies.append(pairs)
        merged = Pairs.merged(copies)
        assert not merged.loose  # every pair was read
        return merged.read

    bounds = sorted({0, n, *(c for c in cuts if c < n)})
    whole, pieces = read([range(n)]), read([range(a, b) for a, b in itertools.pairwise(bounds)])
    assert whole == pieces
    expected = {i for i in starts if frames[i].held == frames[i + 1].held}  # a blink's hold changing is not read
    assert set(whole) == expected
    for i in expected:
        assert whole[i] == pair_error(frames[i], frames[i + 1])


def test_the_metrics_say_how_many_pairs_they_read() -> None:
    gaze = {5: (np.array([3.8, 0.1]), 1.0), 6: (np.array([3.6, -0.1]), 1.0)}
    m = summarise(gaze, {5: (2.0, 1.5)}, (4.0, 0.0))
    assert m["gaze_shift_achieved_x_deg"] == 3.7 and m["gaze_shift_requested_x_deg"] == 4.0
    assert m["eye_warping_pairs_measured"] == 1.0 and m["eye_warping_error_ratio"] == 0.75
    assert "eye_warping_error_ratio" not in summarise(gaze, {}, (4.0, 0.0))
    assert summarise({}, {}, (4.0, 0.0)) == {"gaze_frames_measured": 0.0}
