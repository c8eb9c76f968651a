"""The placement's registration (``editor.dialogue.blend.align``): the same for a shot and its mirror image, and a
registration that would move the mouth further than the tracker can be off is refused."""

from __future__ import annotations

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.dialogue.blend import BANK_H, BANK_W, MAX_SHIFT, align, plausible, ring_mask


def _texture(seed: int = 0) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(128, 60, (BANK_H, BANK_W, 3)).astype(np.float32)
    return np.clip(cv2.GaussianBlur(noise, (0, 0), 2.5) * 3 - 256, 0, 255).astype(np.uint8)


def _moved(img: np.ndarray, turn: float, dx: float, dy: float) -> np.ndarray:
    """``img`` turned by ``turn``° about its centre and shifted by (dx, dy) px."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), turn, 1.0)
    m[:, 2] += (dx, dy)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


def _ring_error(a: np.ndarray, b: np.ndarray) -> float:
    inner = ring_mask(BANK_W, BANK_H) > 0
    inner[:10], inner[-10:], inner[:, :10], inner[:, -10:] = False, False, False, False
    return float(np.abs(a.astype(np.float32) - b.astype(np.float32))[inner].mean())


def test_a_turned_and_shifted_mouth_is_registered_the_same_as_its_mirror_image() -> None:
    target = _texture()
    patch = _moved(target, 7.0, 0.0, 4.0)  # 7° and 4 px down: the corner moves ~12 % of the height one way
    for p, t in ((patch, target), (patch[:, ::-1], target[:, ::-1])):
        p, t = np.ascontiguousarray(p), np.ascontiguousarray(t)
        assert _ring_error(align(p, t), t) < 0.25 * _ring_error(p, t)
    mirrored = align(np.ascontiguousarray(patch[:, ::-1]), np.ascontiguousarray(target[:, ::-1]))[:, ::-1]
    assert _ring_error(mirrored, align(patch, target)) < 2.0


def test_a_registration_that_moves_the_mouth_too_far_is_refused() -> None:
    target = _texture(1)
    patch = _moved(target, 0.0, 0.0, 2.0 * MAX_SHIFT * BANK_H)
    assert np.array_equal(align(patch, target), patch)


@settings(max_examples=200, deadline=None)
@given(
    turn=st.floats(-10, 10),
    dx=st.floats(-0.1 * BANK_W, 0.1 * BANK_W),
    dy=st.floats(-0.1 * BANK_H, 0.1 * BANK_H),
)
def test_plausible_is_the_same_for_a_warp_and_its_mirror_image(turn: float, dx: float, dy: float) -> None:
    w, h = BANK_W, BANK_H
    warp = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), turn, 1.0)
    warp[:, 2] += (dx, dy)
    flip = np.array([[-1.0, 0.0, w - 1], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    mirrored = (flip @ np.vstack([warp, [0, 0, 1]]) @ flip)[:2]
    assert plausible(warp, w, h) == plausible(mirrored, w, h)
