"""The catchlight: a light's reflection on the cornea, which moves about half as far as the iris when the eye turns.

Why (issue 18, stop 48): the iris warp moved everything inside the iris, the catchlights with it. On Obama's takes
(two lights, two white dots on a dark iris) a look 8° aside carried both dots the full way with the iris; in life
they stay nearly put, which is how eye trackers tell gaze (the pupil's offset from the corneal reflection).

Eye model (stated; Gullstrand's schematic eye): the eye turns about a centre 13.5 mm behind the corneal apex; the
cornea is a sphere of radius 7.8 mm, so its centre is 5.7 mm in front of the turning centre. For a light and a
camera that stay where they are, the reflection sits at a fixed direction from the cornea's centre and moves with
it: 5.7 mm × sin θ, against the iris's 12 mm × sin θ in the edit's eye model (``_eyes.EYEBALL_MM``). So the
catchlight moves ``SHARE`` = 5.7 / 12 ≈ 0.475 of the iris's displacement.

Per eye and frame, on the frame's own pixels:

1. **Find**: inside the disc the iris is found with (``iris.IRIS_RADIUS``; ``INNER`` of its radius, so the white
   of the eye stays out), small bright spots: the white top-hat of the grey levels (the grey minus its opening by
   a disc half that radius across), which keeps what is brighter than its surround and narrower than that disc,
   and drops the white of the eye beside the iris (wider). The weight rises from 0 at a top-hat of ``LIFT`` to 1
   at twice that (iris texture and compression noise stay below it), grown by a pixel, so the spot's soft rim goes
   with it.
2. **Split**: the eye under the catchlight is filled in from the iris around it (normalised convolution,
   ``FILL_SIGMA`` px); the catchlight is what the frame has above that fill, where step 1's weight is.
3. **Move** (``move_eye``): the filled eye is warped by the iris's flow and the catchlight by ``SHARE`` of it;
   the output is their sum.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from editor.eyeline._eyes import F32

SHARE = 5.7 / 12.0  # the catchlight's displacement per unit of the iris's (module docstring)
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
    xs, ys = grid
    reach = math.ceil(float(np.abs(flow).max())) + 2
    h_img, w_img = rgb.shape[:2]
    x0, y0 = max(0, int(xs[0, 0]) - reach), max(0, int(ys[0, 0]) - reach)
    x1, y1 = min(w_img, int(xs[0, -1]) + 1 + reach), min(h_img, int(ys[-1, 0]) + 1 + reach)
    area = np.ascontiguousarray(rgb[y0:y1, x0:x1], np.float32)
    eye, light = split(area, (iris[0] - x0, iris[1] - y0), iris[2])
    u, v = xs - np.float32(x0), ys - np.float32(y0)
    out = cv2.remap(eye, u + flow[..., 0], v + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if light.any():
        share = np.float32(SHARE)
        out += cv2.remap(light, u + share * flow[..., 0], v + share * flow[..., 1], cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT)  # fmt: skip
    return out


__all__ = ["FILL_SIGMA", "INNER", "LIFT", "SHARE", "move_eye", "split", "spots"]
