"""The sync scorer measured per line length (``editor.dialogue.line_check``): what training stores and what an edit
signs beside its AV-offset verdict."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from editor.dialogue.line_check import LINE_PARTS, LINE_SHIFTS, MIN_FRAMES, as_metrics, cuts, for_line, measure
from editor.dialogue.sync import GREY_H, GREY_W, SyncNet, SyncTake


class _Blind(SyncNet):
    """A scorer that cannot tell one offset from another: every embedding is the same."""

    def embed_video(self, v: torch.Tensor) -> torch.Tensor:
        return torch.ones(len(v), 4)

    def embed_audio(self, a: torch.Tensor) -> torch.Tensor:
        return torch.ones(len(a), 4)


def _take(n: int, rate: int = 16000, fps: Fraction = Fraction(25)) -> tuple[SyncTake, np.ndarray]:
    rng = np.random.default_rng(n)
    seconds = n / fps
    samples = 0.1 * np.sin(np.arange(int(rate * seconds)) * 0.07) + 0.01 * rng.standard_normal(int(rate * seconds))
    grey = rng.standard_normal((n, GREY_H, GREY_W)).astype(np.float32)
    return SyncTake(grey, np.zeros((1, 14), np.float32), fps), samples.astype(np.float32)


def test_a_scorer_that_cannot_tell_is_measured_as_never_right() -> None:
    """Equal distances at every offset: the reading is the search's first offset (−15), never within 1 of a shift."""
    take, samples = _take(61)
    checks = measure(_Blind(), take, samples, 16000)
    assert sorted(checks) == list(LINE_PARTS)
    for part, c in checks.items():
        assert c.frames == 61 // part and c.readings == (2 * part - 1) * len(LINE_SHIFTS) and c.right == 0.0


def test_the_lines_are_the_whole_take_and_pieces_starting_every_half_piece() -> None:
    assert cuts(61, 1) == [(0, 61)]
    for n in (20, 61, 144):
        for part in (2, 3):
            lines = cuts(n, part)
            assert len(lines) == 2 * part - 1
            assert {b - a for a, b in lines} == {n // part}
            assert lines[0][0] == 0 and lines[-1][1] == n
            steps = {b[0] - a[0] for a, b in itertools.pairwise(lines)}
            assert max(steps) - min(steps) <= 1 and max(steps) <= (n // part) // 2 + 1  # about half a piece apart
    assert tuple(range(-6, 7)) == LINE_SHIFTS


def test_pieces_too_short_to_read_are_not_measured() -> None:
    take, samples = _take(2 * MIN_FRAMES + 1)  # halves of 8 frames are read, thirds of 5 are not
    assert sorted(measure(_Blind(), take, samples, 16000)) == [1, 2]


def test_a_model_without_the_check_signs_nothing() -> None:
    assert for_line({"heldout_av_offset_residual_max_frames": 0.0}, 30) == {}


@given(
    lengths=st.lists(st.integers(8, 400), min_size=1, max_size=3, unique=True),
    shares=st.lists(st.floats(0, 1), min_size=3, max_size=3),
    line=st.integers(1, 600),
)
def test_an_edit_signs_the_longest_measured_length_its_line_reaches(lengths: list, shares: list, line: int) -> None:
    from editor.dialogue.line_check import LineCheck

    checks = {p: LineCheck(n, 5 * p, round(r, 4)) for p, n, r in zip(LINE_PARTS, lengths, shares, strict=False)}
    signed = for_line(as_metrics(checks), line)
    fitting = [c for c in checks.values() if c.frames <= line]
    want = max(fitting, key=lambda c: c.frames) if fitting else min(checks.values(), key=lambda c: c.frames)
    assert signed == {
        "sync_check_line_frames": float(want.frames),
        "sync_check_right_share": want.right,
        "sync_check_line_shorter": float(not fitting),
    }
