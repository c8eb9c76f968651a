"""The eyeline edit's iris warp (``editor.eyeline.iris``) and its timing at the shot's rate
(``editor.eyeline.timing``), on drawn eyes."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.eyeline._eyes import PATCH_W, degrees_to_px, gaze_of, px_to_degrees
from editor.eyeline.iris import FALLOFF, LIMBUS, iris_field
from editor.eyeline.model import moved
from editor.eyeline.timing import HALF_LIFE_S, RAMP_S, Timing
from tests.editor._drawn_eye import drawn_eye


@pytest.mark.parametrize("deg", [-8.0, -4.0, 4.0, 8.0])
def test_the_iris_moves_by_the_eye_models_displacement(deg: float) -> None:
    src = drawn_eye()
    out = moved(src, (deg, 0.0))
    want = drawn_eye((PATCH_W - 1) / 2 + degrees_to_px(deg, PATCH_W))  # the same eye drawn with the iris moved
    iris = np.abs(want - src).max(-1) > 0.05
    assert np.abs(out - want)[iris].mean() < 0.35 * np.abs(src - want)[iris].mean()
    assert gaze_of(out)[0] == pytest.approx(deg, abs=1.5)


@given(deg=st.floats(-20, 20))
def test_px_to_degrees_is_degrees_to_px_turned_round(deg: float) -> None:
    assert px_to_degrees(degrees_to_px(deg, PATCH_W), PATCH_W) == pytest.approx(deg, abs=1e-6)


def test_on_a_look_aside_the_lids_and_corners_stay() -> None:
    src = drawn_eye()
    field = iris_field(src, (8.0, 0.0))
    h, w = src.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    far = np.hypot(xs - (w - 1) / 2, ys - (h - 1) / 2) > FALLOFF * LIMBUS * w + 3
    corners = np.abs(xs - (w - 1) / 2) >= 0.35 * w
    assert field.shape == (h, w, 2)  # a flow only: the eye is resampled, never relit
    assert not np.abs(field)[far | corners].any()


def test_no_shift_is_no_flow() -> None:
    assert not iris_field(drawn_eye(), (0.0, 0.0)).any()


def test_the_timing_at_30_fps_is_the_edits_before() -> None:
    assert Timing.at(Fraction(30)) == Timing(ramp=3, alpha=0.5, box_sigma=2.0, warm_up=48)
    assert Timing.at(Fraction(30000, 1001)).ramp == 3


@given(fps=st.sampled_from([Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(50),
                            Fraction(60000, 1001), Fraction(120)]))  # fmt: skip
def test_the_edit_takes_the_same_time_at_any_rate(fps: Fraction) -> None:
    t = Timing.at(fps)
    assert RAMP_S - 1e-9 <= t.ramp / fps < RAMP_S + 1 / fps  # the ease: at least 0.1 s, within a frame of it
    assert t.alpha ** float(fps * Fraction(HALF_LIFE_S)) == pytest.approx(0.5)  # half forgotten in 1/30 s
    assert t.alpha**t.warm_up <= 0.5**48 * (1 + 1e-9)
    assert [t.ease(k, 100) for k in range(t.ramp)] == pytest.approx([(k + 1) / t.ramp for k in range(t.ramp)])
    assert t.ease(t.ramp, 100) == 1.0 == t.ease(100 - t.ramp, 100)


@given(fps=st.sampled_from([Fraction(24000, 1001), Fraction(25), Fraction(30000, 1001), Fraction(50), Fraction(60)]),
       n=st.integers(2, 400))  # fmt: skip
def test_the_metrics_frames_hold_the_whole_look(fps: Fraction, n: int) -> None:
    # stop 52: the ease's first and last pairs were read as flicker; the look held is read where it is held
    t = Timing.at(fps)
    for k in t.settled(n):
        assert t.ease(k, n) == 1.0  # the whole shift, not the ease
        assert k >= t.ramp - 1 and t.alpha ** (k - t.ramp + 1) <= 0.25 + 1e-9  # the smoothing caught up
    if n >= 2 * t.ramp + 4:  # a range a few frames longer than its two eases holds the look somewhere
        assert len(t.settled(n)) >= 1


def test_a_rate_that_is_not_positive_is_refused() -> None:
    for bad in (0, -25, math.nan):
        with pytest.raises(ValueError, match="frame rate must be positive"):
            Timing.at(bad)
