"""The previous dialogue blend (main 9a91bc4), kept as bench/dialogue.py's peer. Placing a bank mouth on the
target face: similarity alignment, Lab colour match, feathered alpha blend.

A bank crop is the mouth box of its own face, resampled to ``CROP_W × CROP_H``; the inverse of the target frame's
mouth-box transform (scale + translation, sub-pixel) places it on the target face. Its Lab mean and standard
deviation are matched to the target mouth region's (inside the blend mask), then it is alpha-blended through a
feathered ellipse, so the edit's support is bounded by the mouth box.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from editor.dialogue.track import CROP_H, CROP_W, box_transform, crop


@cache
def feather_mask(w: int = CROP_W, h: int = CROP_H, margin: float = 0.12) -> np.ndarray:
    """A soft elliptical mask in crop coordinates: 1 inside, falling smoothly to 0 before the crop's border."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    nx, ny = (xx + 0.5 - w / 2) / (w / 2), (yy + 0.5 - h / 2) / (h / 2)
    r = np.sqrt(nx**2 + ny**2)
    inner, outer = 1.0 - 2 * margin - 0.15, 1.0 - margin
    return np.clip((outer - r) / (outer - inner), 0.0, 1.0).astype(np.float32)


def colour_match(src: np.ndarray, ref: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``src`` (uint8 RGB crop) with its Lab mean/std matched to ``ref``'s, statistics weighted by ``weight``."""
    s = cv2.cvtColor(src, cv2.COLOR_RGB2LAB).astype(np.float32)
    r = cv2.cvtColor(ref, cv2.COLOR_RGB2LAB).astype(np.float32)
    w = weight[..., None] / (weight.sum() + 1e-6)
    sm, rm = (s * w).sum((0, 1)), (r * w).sum((0, 1))
    ss = np.sqrt((((s - sm) ** 2) * w).sum((0, 1))) + 1e-3
    rs = np.sqrt((((r - rm) ** 2) * w).sum((0, 1))) + 1e-3
    gain = np.clip(rs / ss, 0.5, 2.0)
    out = (s - sm) * gain + rm
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def place_mouth(frame: np.ndarray, mouth: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Blend ``mouth`` (a bank crop) into ``frame`` (uint8 RGB) at mouth box ``box``.

    Returns:
        The edited frame (uint8) and the boolean support of pixels whose value changed.
    """
    h, w = frame.shape[:2]
    mask = feather_mask()
    target = crop(frame, box)
    matched = colour_match(mouth, target, mask)
    inv = cv2.invertAffineTransform(box_transform(box, (CROP_W, CROP_H)))
    x, y, bw, bh = box
    x0, y0 = max(0, int(np.floor(x)) - 1), max(0, int(np.floor(y)) - 1)
    x1, y1 = min(w, int(np.ceil(x + bw)) + 2), min(h, int(np.ceil(y + bh)) + 2)
    shift = np.array([[0, 0, -x0], [0, 0, -y0]], np.float64)
    m = inv + shift
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpAffine(matched, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    alpha = cv2.warpAffine(mask, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    patch = frame[y0:y1, x0:x1].astype(np.float32)
    blended = patch + alpha[..., None] * (warped.astype(np.float32) - patch)
    out = frame.copy()
    out[y0:y1, x0:x1] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    support = np.zeros((h, w), bool)
    support[y0:y1, x0:x1] = (out[y0:y1, x0:x1] != frame[y0:y1, x0:x1]).any(-1)
    return out, support
