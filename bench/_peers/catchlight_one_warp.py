"""A candidate for the eyeline edit's catchlight (stop 51, not in the product): one warp instead of a split, kept as
bench/eyeline.py's ``--catchlight-flicker`` peer.

Today's edit (``editor.eyeline.catchlight``) splits the catchlight off the eye, fills the eye in under it, and warps
the two apart. On close-ups the eye region's warping error rose above the source's (docs/benchmarks.md, stop 50).
This candidate differs in two things:
1. catchlights are looked for within ``INNER`` (0.85) of the iris's radius (``iris.LIMBUS``) rather than 0.8 of the
   found disc's (0.6 of the iris's), so the same catchlights are found when the found centre moves;
2. nothing is filled in: the iris's flow is held back to ``SHARE`` of it where the catchlights go (their weight,
   carried there and blurred by ``sigma``), and the eye is warped once. The blur is at least ``FOLD`` × the
   catchlight's lag, so the warp never folds (a Gaussian edge's steepest slope is about 0.4/σ).
The read-back leaves out ``BAND`` px around each catchlight as well, where the flow goes over from one share to
the other. The iris next to a catchlight moves less than the rest of it; the achieved shift shows that."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import cv2
import numpy as np

import editor.eyeline.readback as readback
import editor.eyeline.warper as warper
from editor.eyeline.catchlight import LIFT, SHARE
from editor.eyeline.iris import IRIS_RADIUS, LIMBUS

INNER = 0.85  # share of the iris's radius searched
SOFT = 0.1  # the blur, at least this share of the found disc's radius
FOLD = 0.5  # ... and at least this many times the lag
BAND = 2  # patch px the read-back leaves out around a catchlight


def spots(region: np.ndarray, centre: tuple[float, float], radius: float) -> np.ndarray:
    """Today's ``catchlight.spots`` searched over the iris (``INNER`` of ``LIMBUS``; ``radius`` is the found disc's)."""
    ys, xs = np.mgrid[0 : region.shape[0], 0 : region.shape[1]]
    inside = (np.hypot(xs - centre[0], ys - centre[1]) <= INNER * radius * LIMBUS / IRIS_RADIUS).astype(np.float32)
    grey = cv2.cvtColor(np.ascontiguousarray(region, np.float32), cv2.COLOR_RGB2GRAY)
    size = max(3, 2 * round(radius / 2) + 1)
    hat = cv2.morphologyEx(grey, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    weight = (np.clip((hat - LIFT) / LIFT, 0.0, 1.0) * inside).astype(np.float32)
    if not weight.any():
        return weight
    return (cv2.dilate(weight, np.ones((3, 3), np.uint8)) * inside).astype(np.float32)


def sigma(radius: float, flow: np.ndarray) -> float:
    return max(0.5, SOFT * radius, FOLD * (1.0 - SHARE) * float(np.abs(flow).max()))


def move_eye(rgb: np.ndarray, grid: tuple[np.ndarray, np.ndarray], flow: np.ndarray,
             iris: tuple[float, float, float]) -> np.ndarray:  # fmt: skip
    """``catchlight.move_eye``'s signature: one warp, the flow held back where the catchlights go."""
    xs, ys = grid
    reach = math.ceil(float(np.abs(flow).max())) + 2
    h_img, w_img = rgb.shape[:2]
    x0, y0 = max(0, int(xs[0, 0]) - reach), max(0, int(ys[0, 0]) - reach)
    x1, y1 = min(w_img, int(xs[0, -1]) + 1 + reach), min(h_img, int(ys[-1, 0]) + 1 + reach)
    area = np.ascontiguousarray(rgb[y0:y1, x0:x1], np.float32)
    u, v = xs - np.float32(x0), ys - np.float32(y0)
    weight = spots(area, (iris[0] - x0, iris[1] - y0), iris[2])
    if weight.any():
        share = np.float32(SHARE)
        there = cv2.remap(weight, u + share * flow[..., 0], v + share * flow[..., 1], cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)  # fmt: skip
        there = np.clip(cv2.GaussianBlur(there, (0, 0), sigma(iris[2], flow)), 0.0, 1.0)
        flow = flow * (1.0 - (1.0 - share) * there)[..., None]
    return cv2.remap(area, u + flow[..., 0], v + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _read_spots(region: np.ndarray, centre: tuple[float, float], radius: float) -> np.ndarray:
    weight = spots(region, centre, radius)
    if not weight.any():
        return weight
    return cv2.dilate(weight, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * BAND + 1, 2 * BAND + 1)))


@contextmanager
def one_warp() -> Iterator[None]:
    """Inside the block, the edit moves catchlights by this candidate, and its read-back leaves out their band."""
    saved = warper.move_eye, readback.spots
    warper.move_eye, readback.spots = move_eye, _read_spots
    try:
        yield
    finally:
        warper.move_eye, readback.spots = saved
