"""The dialogue placement's registration test before stop 47 (main 56c54df), kept as bench/dialogue.py's peer.

ECC's warp was kept when its raw translation was at most 12 % of the crop each way and its turn at most 8°. The raw
translation is the crop's top-left corner's, so a turn added a shift there that a mirror image turned the other
way: a clockwise turn was kept where the same anticlockwise one was refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import cv2
import numpy as np

import editor.dialogue.blend as blend


def align(patch: np.ndarray, target: np.ndarray) -> np.ndarray:
    h, w = target.shape[:2]
    warp = np.eye(2, 3, dtype=np.float32)
    crit = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 40, 1e-4)
    try:
        _, warp = cv2.findTransformECC(
            blend._grey(target), blend._grey(patch), warp, cv2.MOTION_EUCLIDEAN, crit, blend.ring_mask(w, h), 5
        )
    except cv2.error:
        return patch
    angle = abs(np.degrees(np.arctan2(warp[1, 0], warp[0, 0])))
    if abs(warp[0, 2]) > 0.12 * w or abs(warp[1, 2]) > 0.12 * h or angle > 8.0:
        return patch
    flags = cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(patch, warp, (w, h), flags=flags, borderMode=cv2.BORDER_REFLECT)


@contextmanager
def placing() -> Iterator[None]:
    """``editor.dialogue.blend.place_mouth`` registers as before inside the block."""
    now = blend.align
    blend.align = align
    try:
        yield
    finally:
        blend.align = now
