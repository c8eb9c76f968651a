"""Reading back how far the iris moved (``editor.eyeline.readback``): the eyeline edit's signed achieved shift."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.eyeline._eyes import PATCH_W, degrees_to_px
from editor.eyeline.model import moved
from editor.eyeline.readback import iris_moved
from tests.editor._drawn_eye import drawn_eye


def _translated(patch: np.ndarray, px: float) -> np.ndarray:
    """The whole patch moved ``px`` to the right by bilinear resampling, as the edit's warp resamples a frame."""
    h, w = patch.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    return cv2.remap(patch, xs - np.float32(px), ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


@pytest.mark.parametrize("shift", [(4.0, 0.0), (-6.0, 0.0), (0.0, 5.0), (3.0, -3.0)])
def test_the_warps_displacement_is_read_back(shift: tuple[float, float]) -> None:
    src = drawn_eye()
    got = iris_moved(src, moved(src, shift))
    assert got == pytest.approx([degrees_to_px(v, PATCH_W) for v in shift], abs=0.05)


def test_an_unchanged_eye_did_not_move() -> None:
    src = drawn_eye(23.3)
    assert iris_moved(src, src) == pytest.approx((0.0, 0.0), abs=1e-6)


@pytest.mark.parametrize("centre", [23.0, 23.3, 23.5, 23.7, 20.2])
def test_a_look_either_way_reads_the_same(centre: float) -> None:
    """Stop 47's read-back found a half-pixel move +0.56 px one way and −0.44 px the other when the iris sat 0.3 px
    off the pixel grid (its window was cut around the rounded centre): the signed shift was short one way."""
    src = drawn_eye(centre)
    right, left = (iris_moved(src, _translated(src, px))[0] for px in (0.5, -0.5))
    assert right + left == pytest.approx(0.0, abs=0.02)
    assert right == pytest.approx(0.5, abs=0.05)


@settings(max_examples=30, deadline=None)
@given(centre=st.floats(19.0, 28.0), px=st.floats(-1.5, 1.5))
def test_a_mirrored_pair_reads_the_mirrored_move(centre: float, px: float) -> None:
    src = drawn_eye(centre)
    out = _translated(src, px)
    got = iris_moved(src, out)[0]
    mirrored = iris_moved(np.ascontiguousarray(src[:, ::-1]), np.ascontiguousarray(out[:, ::-1]))[0]
    assert mirrored == pytest.approx(-got, abs=0.02)
    assert got == pytest.approx(px, abs=0.08)
