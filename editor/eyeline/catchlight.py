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

1. **Find**: on the iris, small bright spots: the white top-hat of the grey levels (the grey minus its opening by
   a disc half the found disc's radius across, ``iris.IRIS_RADIUS``), which keeps what is brighter than its
   surround and narrower than that disc. The weight rises from 0 at a top-hat of ``LIFT`` to 1 at twice that (iris
   texture and compression noise stay below it). The iris is where the opening (the eye without its catchlights)
   is dark: under halfway from the found disc's lower quartile to the region's median, joined to the found disc,
   within ``INNER`` of the iris's radius (``iris.LIMBUS``) of the centre found. A sliver of white between the iris
   and a lid, narrow enough for the top-hat to keep, is not on it.
2. **Move** (``move_eye``, ``held_back``): one warp, by the iris's flow held back to ``SHARE`` of it where a
   catchlight will be: the spots' weight, grown by 2σ, carried to where the spots go and blurred by σ (``sigma``,
   below), scales the flow from 1 down to ``SHARE``. The iris around a spot is squeezed on one side and stretched
   on the other over that band (4σ: about 2 px of the 48 px eye patch, more on small eyes where σ's 0.5 px floor
   holds), and lags there.

Why one warp (stop 51): stops 48–50 split the catchlight off the eye, filled the eye in under it from the iris
around, and warped the two apart (``bench/_peers/catchlight_split_v2.py``). On close-ups (eyes 1.67× the shared
takes') the eye flickered: the eye region's warping error rose to 1.25–1.30 of the source's, against 1.03–1.04
with the catchlight left on the iris (``bench/eyeline.py --catchlight-flicker``). Two causes:
- the catchlights were looked for within 0.8 of the found disc's radius (0.6 of the iris's) around the centre
  found on each frame. On a dark iris with two catchlights that centre moves by pixels from frame to frame (the
  darkest disc slides off whichever catchlight), so which catchlight was split changed from frame to frame;
- a split flickers however steady its choice: splitting both of Obama's catchlights on every frame (a probe that
  searched 0.85 of the iris's radius) raised the close-up's ratio to 1.48, and the split's error grows with how far
  the catchlight is moved off the iris (on the close-ups: 1.03–1.04 moved with it, 1.08–1.09 at 0.75 of its way,
  1.25–1.30 at ``SHARE``, 1.69–1.84 left in place). Why was not isolated: on a drawn eye (a flat iris, a soft spot,
  noise) the split passed the noise through no more than one warp does. A real iris has texture the fill under a
  spot does not have, and the fill shows where the spot moves off it.

The blur ``sigma`` is at least 0.5 px, at least ``SOFT`` of the found disc's radius and at least ``FOLD`` × the
lag, (1 − ``SHARE``) × the flow's largest step: the flow's change across a blurred edge is then under a pixel per
pixel (a Gaussian edge's steepest slope is 1/(σ√(2π)) ≈ 0.4/σ), so the warp never folds the iris over itself.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from editor.eyeline._eyes import F32
from editor.eyeline.iris import IRIS_RADIUS, LIMBUS

SHARE = 5.7 / 12.0  # the catchlight's displacement per unit of the iris's (module docstring)
LIFT = 0.1  # grey (0–1) above its surround where a catchlight starts, and its ramp to full weight
INNER = 0.85  # catchlights are looked for within this share of the iris's radius: the white beside it stays out
SOFT = 0.1  # the weight's blur, at least this share of the found disc's radius (step 2)
FOLD = 0.5  # ... and at least this many times the catchlight's lag (step 2: 0.4 keeps the warp from folding)


def _inside(shape: tuple[int, ...], centre: tuple[float, float], radius: float) -> F32:
    """1 within ``INNER`` of the iris's radius of ``centre`` (``radius``: the found disc's, ``IRIS_RADIUS`` of the
    patch), where catchlights are looked for."""
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]]
    reach = INNER * radius * LIMBUS / IRIS_RADIUS
    return (np.hypot(xs - centre[0], ys - centre[1]) <= reach).astype(np.float32)


def spots(region: F32, centre: tuple[float, float], radius: float) -> F32:
    """Step 1 on an eye's region (float RGB) whose iris is centred at ``centre``, found with a disc of ``radius``
    (the region's px): the catchlight's weight per pixel (0–1; all 0 where there is none)."""
    inside = _inside(region.shape, centre, radius)
    if not inside.any():
        return inside
    grey = cv2.cvtColor(np.ascontiguousarray(region, np.float32), cv2.COLOR_RGB2GRAY)
    size = max(3, 2 * round(radius / 2) + 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    under = cv2.morphologyEx(grey, cv2.MORPH_OPEN, disc)  # the eye without what is small and bright
    hat = grey - under
    ys, xs = np.mgrid[0 : region.shape[0], 0 : region.shape[1]]
    found = (np.hypot(xs - centre[0], ys - centre[1]) <= radius) & (inside > 0)
    if not found.any():
        return np.zeros(region.shape[:2], np.float32)
    dark = under <= 0.5 * (np.percentile(under[found], 25) + np.median(under))  # the iris, not the white or skin
    _, label = cv2.connectedComponents((dark & (inside > 0)).astype(np.uint8))
    iris = np.isin(label, np.unique(label[found & dark & (label > 0)]))
    return (np.clip((hat - LIFT) / LIFT, 0.0, 1.0) * iris).astype(np.float32)


def sigma(radius: float, flow: np.ndarray) -> float:
    """Step 2's blur (px) for an iris found with a disc of ``radius`` moved by ``flow`` (px)."""
    lag = (1.0 - SHARE) * float(np.abs(flow).max()) if flow.size else 0.0
    return max(0.5, SOFT * radius, FOLD * lag)


def move_eye(rgb: np.ndarray, grid: tuple[np.ndarray, np.ndarray], flow: np.ndarray,
           iris: tuple[float, float, float]) -> np.ndarray:  # fmt: skip
    """The frame's pixels at ``grid`` (xs, ys) with the iris moved by ``flow`` (frame px) and its catchlight by
    ``SHARE`` of it. ``iris``: where a catchlight is looked for, the centre and radius (frame px) of the disc the
    iris is found with."""
    area, (x0, y0), (u, v) = around(rgb, grid, flow)
    flow = held_back(flow, spots(area, (iris[0] - x0, iris[1] - y0), iris[2]), (u, v), iris[2])
    return cv2.remap(area, u + flow[..., 0], v + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def around(rgb: np.ndarray, grid: tuple[np.ndarray, np.ndarray],
           flow: np.ndarray) -> tuple[F32, tuple[int, int], tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """The frame's pixels (float) that a warp of ``grid`` (xs, ys) by ``flow`` can reach, where they start in the
    frame, and ``grid`` in their px."""
    xs, ys = grid
    reach = math.ceil(float(np.abs(flow).max())) + 2
    h_img, w_img = rgb.shape[:2]
    x0, y0 = max(0, int(xs[0, 0]) - reach), max(0, int(ys[0, 0]) - reach)
    x1, y1 = min(w_img, int(xs[0, -1]) + 1 + reach), min(h_img, int(ys[-1, 0]) + 1 + reach)
    area = np.ascontiguousarray(rgb[y0:y1, x0:x1], np.float32)
    return area, (x0, y0), (xs - np.float32(x0), ys - np.float32(y0))


def held_back(flow: np.ndarray, weight: F32, grid: tuple[np.ndarray, np.ndarray], radius: float) -> np.ndarray:
    """Step 2's flow: ``flow`` (at ``grid``, the weight's px) held back to ``SHARE`` of it where the catchlights'
    ``weight`` goes, blurred by ``sigma``; ``flow`` itself where there is no catchlight."""
    if not weight.any() or SHARE == 1.0:
        return flow
    u, v = grid
    share = np.float32(SHARE)
    blur = sigma(radius, flow)
    grow = 2 * math.ceil(2 * blur) + 1  # grown by 2σ first: blurred, the weight is still whole on the spot (0.98)
    weight = cv2.dilate(weight, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow, grow)))
    there = cv2.remap(weight, u + share * flow[..., 0], v + share * flow[..., 1], cv2.INTER_LINEAR,
                      borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)  # fmt: skip
    there = np.clip(cv2.GaussianBlur(there, (0, 0), blur), 0.0, 1.0)
    return flow * (1.0 - (1.0 - share) * there)[..., None]


__all__ = ["FOLD", "INNER", "LIFT", "SHARE", "SOFT", "around", "held_back", "move_eye", "sigma", "spots"]
