"""The eyeline edit's iris warp (``editor.eyeline.iris``) and its timing at the shot's rate
(``editor.eyeline.timing``), on drawn eyes."""

from __future__ import annotations

import math
from fractions import Fraction

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.eyeline._eyes import PATCH_H, PATCH_W, degrees_to_px, gaze_of, px_to_degrees
from editor.eyeline.iris import FALLOFF, IRIS_RADIUS, iris_field, iris_moved
from editor.eyeline.model import moved
from editor.eyeline.timing import HALF_LIFE_S, RAMP_S, Timing


def _eye(x: float = (PATCH_W - 1) / 2) -> np.ndarray:
    """Skin, the white of the eye between the corners, and a dark iris disc centred at ``x``."""
    patch = np.full((PATCH_H, PATCH_W, 3), (0.8, 0.6, 0.5), np.float32)
    cv2.ellipse(patch, (PATCH_W // 2, PATCH_H // 2), (int(0.35 * PATCH_W), 7), 0, 0, 360, (0.95, 0.95, 0.95), -1)
    big = np.zeros((PATCH_H * 8, PATCH_W * 8), np.uint8)  # the disc drawn 8× and shrunk: a sub-pixel centre
    cv2.circle(big, (round(x * 8 + 3.5), PATCH_H * 4), round(IRIS_RADIUS * PATCH_W * 8), 255, -1)
    disc = cv2.resize(big, (PATCH_W, PATCH_H), interpolation=cv2.INTER_AREA).astype(np.float32)[..., None] / 255
    return patch * (1 - disc) + disc * np.float32((0.15, 0.1, 0.08))


@pytest.mark.parametrize("deg", [-8.0, -4.0, 4.0, 8.0])
def test_the_iris_moves_by_the_eye_models_displacement(deg: float) -> None:
    src = _eye()
    out = moved(src, (deg, 0.0))
    want = _eye((PATCH_W - 1) / 2 + degrees_to_px(deg, PATCH_W))  # the same eye drawn with the iris moved
    iris = np.abs(want - src).max(-1) > 0.05
    assert np.abs(out - want)[iris].mean() < 0.35 * np.abs(src - want)[iris].mean()
    assert gaze_of(out)[0] == pytest.approx(deg, abs=1.5)


@pytest.mark.parametrize("shift", [(4.0, 0.0), (-6.0, 0.0), (0.0, 5.0), (3.0, -3.0)])
def test_iris_moved_reads_the_displacement_back(shift: tuple[float, float]) -> None:
    src = _eye()
    got = iris_moved(src, moved(src, shift))
    want = [degrees_to_px(v, PATCH_W) for v in shift]
    assert got == pytest.approx(want, abs=0.15)
    assert iris_moved(src, src) == pytest.approx((0.0, 0.0), abs=1e-6)


@given(deg=st.floats(-20, 20))
def test_px_to_degrees_is_degrees_to_px_turned_round(deg: float) -> None:
    assert px_to_degrees(degrees_to_px(deg, PATCH_W), PATCH_W) == pytest.approx(deg, abs=1e-6)


def test_the_lids_and_corners_stay() -> None:
    src = _eye()
    field = iris_field(src, (8.0, 4.0))
    h, w = src.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    far = np.hypot(xs - (w - 1) / 2, ys - (h - 1) / 2) > FALLOFF * IRIS_RADIUS * w + 3
    corners = np.abs(xs - (w - 1) / 2) >= 0.35 * w
    assert not np.abs(field[..., :2])[far | corners].any()
    assert (field[..., 2] == 1).all()  # resampled, never relit


def test_no_shift_is_no_flow() -> None:
    assert not iris_field(_eye(), (0.0, 0.0))[..., :2].any()


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


def test_a_rate_that_is_not_positive_is_refused() -> None:
    for bad in (0, -25, math.nan):
        with pytest.raises(ValueError, match="frame rate must be positive"):
            Timing.at(bad)
