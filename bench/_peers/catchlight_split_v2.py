"""The eyeline edit's catchlight from stop 48 to stop 50 (main 264d596), kept as bench/eyeline.py's peer: the
catchlight was split off the eye (the eye filled in under it from the iris around) and the two warped apart. The
catchlights were looked for within 0.8 of the found disc's radius around the centre found on each frame, and the
read-back left out only the spots themselves.

On close-ups the eye flickered (docs/benchmarks.md, stops 50 and 51): which catchlights fell inside that disc
changed from frame to frame with the found centre, and a split that kept to the same catchlights flickered too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import cv2
import numpy as np

import editor.eyeline.readback as readback
import editor.eyeline.warper as warper
from editor.eyeline._eyes import F32
from editor.eyeline.catchlight import around

SHARE = 5.7 / 12.0  # the cornea's share (editor.eyeline.catchlight)
LIFT = 0.1  # grey (0–1) above its surround where a catchlight starts, and its ramp to full weight
FILL_SIGMA = 1.5  # px (the frame's), the fill's reach under the catchlight
INNER = 0.8  # catchlights are looked for within this share of the radius given: the white beside it stays out


def _inside(shape: tuple[int, ...], centre: tuple[float, float], radius: float) -> F32:
    """1 within ``INNER`` of ``radius`` of ``centre``, where catchlights are looked for and the fill is drawn from."""
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]]
    return (np.hypot(xs - centre[0], ys - centre[1]) <= INNER * radius).astype(np.float32)


def spots(region: F32, centre: tuple[float, float], radius: float) -> F32:
    """Step 1 on an eye's region (float RGB) whose iris is centred at ``centre`` with ``radius`` (the region's px):
    the catchlight's weight per pixel (0–1; all 0 where there is none)."""
    inside = _inside(region.shape, centre, radius)
    if not inside.any():
        return inside
    grey = cv2.cvtColor(np.ascontiguousarray(region, np.float32), cv2.COLOR_RGB2GRAY)
    size = max(3, 2 * round(radius / 2) + 1)
    hat = cv2.morphologyEx(grey, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    weight = np.clip((hat - LIFT) / LIFT, 0.0, 1.0) * inside
    if not weight.any():
        return weight.astype(np.float32)
    return (cv2.dilate(weight.astype(np.float32), np.ones((3, 3), np.uint8)) * inside).astype(np.float32)


def split(region: F32, centre: tuple[float, float], radius: float) -> tuple[F32, F32]:
    """Steps 1–2 on an eye's region (float RGB) whose iris is centred at ``centre`` with ``radius`` (the region's
    px): ``(eye without its catchlight, the catchlight)``, summing to ``region``. No catchlight: ``(region, 0)``."""
    weight = spots(region, centre, radius)
    if not weight.any():
        return region, np.zeros_like(region)
    keep = (1.0 - weight) * _inside(
        region.shape, centre, radius
    )  # the fill is drawn from the iris only, never the white of the eye
    num = cv2.GaussianBlur(region * keep[..., None], (0, 0), FILL_SIGMA)
    den = cv2.GaussianBlur(keep, (0, 0), FILL_SIGMA)[..., None]
    fill = np.where(den > 1e-3, num / np.maximum(den, 1e-3), region)
    light = (weight[..., None] * (region - fill)).astype(np.float32)
    return (region - light).astype(np.float32), light


def move_eye(rgb: np.ndarray, grid: tuple[np.ndarray, np.ndarray], flow: np.ndarray,
           iris: tuple[float, float, float]) -> np.ndarray:  # fmt: skip
    """The frame's pixels at ``grid`` (xs, ys) with the iris moved by ``flow`` (frame px) and its catchlight by
    ``SHARE`` of it. ``iris``: where a catchlight is looked for, the centre and radius (frame px) of the disc the
    iris is found with."""
    area, (x0, y0), (u, v) = around(rgb, grid, flow)  # the same cut as today's edit
    eye, light = split(area, (iris[0] - x0, iris[1] - y0), iris[2])
    out = cv2.remap(eye, u + flow[..., 0], v + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if light.any():
        share = np.float32(SHARE)
        out += cv2.remap(light, u + share * flow[..., 0], v + share * flow[..., 1], cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT)  # fmt: skip
    return out


@contextmanager
def split_and_fill(share: float = SHARE) -> Iterator[None]:
    """Inside the block, the edit and its read-back use stop 48's catchlight, moved ``share`` of the iris's way."""
    global SHARE
    saved = warper.move_eye, readback.spots, readback.BAND, SHARE
    warper.move_eye, readback.spots, readback.BAND, SHARE = move_eye, spots, 0, share
    try:
        yield
    finally:
        warper.move_eye, readback.spots, readback.BAND, SHARE = saved
