"""Where an edit applies: a rectangle or a matte, feathered *inwards* so the support never leaves the region.

A rectangle's weight rises from 0 at its edge to 1 at ``feather`` pixels inside along a smoothstep (3t² − 2t³),
whose slope is zero at both ends: the grade fades in without a visible step or a crease where the ramp ends.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from editor.errors import EditParameterError
from editor.results import region_of_mask
from media import Region


def auto_feather(region: Region) -> int:
    """The default feather of a region: 8 % of its shorter side, at least 8 px (wide enough that a strong grade
    change fades in rather than steps)."""
    return max(8, round(0.08 * min(region.width, region.height)))


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return (t * t * (3.0 - 2.0 * t)).astype(np.float32)


def rectangle_weights(region: Region, width: int, height: int, feather: int) -> np.ndarray:
    """Blend weights: 1 inside the rectangle, ramping smoothly to 0 over ``feather`` px at its edges, 0 outside.

    Raises:
        EditParameterError: the rectangle is not inside the frame, or the feather is negative.
    """
    if not region.fits(width, height):
        raise EditParameterError(
            f"region {region.x},{region.y},{region.width},{region.height} does not fit the {width}×{height} frame"
        )
    if feather < 0:
        raise EditParameterError("feather must be ≥ 0 pixels")
    w = np.zeros((height, width), dtype=np.float32)
    ys = np.arange(region.height, dtype=np.float32)
    xs = np.arange(region.width, dtype=np.float32)
    if feather > 0:
        ry = _smoothstep(np.minimum(ys + 1, region.height - ys) / (feather + 1))
        rx = _smoothstep(np.minimum(xs + 1, region.width - xs) / (feather + 1))
    else:
        ry, rx = np.ones_like(ys), np.ones_like(xs)
    w[region.y : region.y + region.height, region.x : region.x + region.width] = ry[:, None] * rx[None, :]
    return w


def matte_weights(path: Path, width: int, height: int, feather: int) -> np.ndarray:
    """Blend weights from a greyscale matte image (white = edit), softened by ``feather`` px and kept within the
    matte's own extent.

    Raises:
        EditParameterError: unreadable matte, wrong size, or empty.
    """
    img = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE | cv2.IMREAD_ANYDEPTH)
    if img is None:
        raise EditParameterError(f"matte {path} cannot be read as an image; give a greyscale PNG/TIFF")
    if img.shape != (height, width):
        raise EditParameterError(f"matte {Path(path).name} is {img.shape[1]}×{img.shape[0]}, the shot {width}×{height}")
    w = img.astype(np.float32) / (65535.0 if img.dtype == np.uint16 else 255.0)
    if feather > 0:
        inside = w > 0
        w = (cv2.GaussianBlur(w, (0, 0), feather / 2) * inside).astype(np.float32)
    if not (w > 0).any():
        raise EditParameterError(f"matte {Path(path).name} is empty: nothing to edit")
    return w


def support_region(weights: np.ndarray) -> Region:
    """The declared region of a weight map (bounding box of its non-zero pixels, even-aligned)."""
    r = region_of_mask(weights > 0)
    if r is None:
        raise EditParameterError("the edit region is empty")
    return r


def blend_in_support(
    rgb: np.ndarray, grade: Callable[[np.ndarray], np.ndarray], weights: np.ndarray, box: Region
) -> np.ndarray:
    """``rgb + (grade(rgb) − rgb) · weights`` with ``grade`` run, and the blend made, only inside ``box``, which must
    hold every non-zero weight (``support_region``). Outside it the weight is 0 and the formula gives ``rgb``
    exactly, and ``grade`` works pixel by pixel, so the result is bit for bit the whole frame's: a region relight
    pays for its region, not for the frame. ``weights``: (H, W, 1)."""
    height, width = rgb.shape[:2]
    if (box.x, box.y, box.width, box.height) == (0, 0, width, height):
        return rgb + (grade(rgb) - rgb) * weights
    rows, cols = slice(box.y, box.y + box.height), slice(box.x, box.x + box.width)
    inside = rgb[rows, cols]
    out = rgb.astype(np.result_type(rgb, weights))
    out[rows, cols] = inside + (grade(inside) - inside) * weights[rows, cols]
    return out
