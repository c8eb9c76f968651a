"""Moving the iris: the eyeline edit's warp, from the stated eye model and the performer's learnt eye geometry.

Why (issue 18, stop 47): the edit warped each eye with a network trained on pairs of frames from the takes,
conditioned on their gaze difference. For a 4° request (1.00 patch px) it moved the iris −0.05 px on GRID, 0.02 on
CREMA-D and 0.27 on Obama (``bench/eyeline.py``, ``net_v1``): on 17–40 px eyes the iris estimates that label the
pairs are noisier than the looks the takes show, so the network learnt to brighten and soften the eye, not to move
it. The edit exited 0 with the gaze where it was.

The warp, per eye patch (``_eyes.PATCH_W × PATCH_H`` at the learnt geometry, in image orientation):

1. **Where the iris is and where it goes**: its centre ``c`` (``iris_centre``) and the requested rotation turned
   into patch pixels ``d`` by the stated eye model (``degrees_to_px``: eyeball radius 12 mm against a 28 mm
   corner-to-corner fissure), the same model that reads the gaze back (``gaze_of``).
2. **The flow**: the output at ``p`` is the source at ``p − d·w(p)``. ``w`` is 1 within the iris's radius
   (``IRIS_RADIUS`` of the patch width, the disc the iris is found with) of the moved centre ``c + d`` and falls
   smoothly (a raised cosine) to 0 at ``FALLOFF`` radii: the iris moves whole, the white of the eye beside it is
   squeezed on one side and stretched on the other, the lids and skin beyond stay. ``w`` is also brought to 0
   before the eye's corners (``CORNER_SPREAD``), which never move.
3. **No light change**: the iris is resampled, not relit (the lightness channel is 1).

The shift range a model accepts (``EyelineModel.shift_range``) is how far the performer's eyes were seen to move
in the dailies; beyond it the moved iris would show more of the eye than the takes ever did.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from editor.eyeline._eyes import CORNER_SPREAD, F32, degrees_to_px, iris_centre

IRIS_RADIUS = 0.11  # the iris's radius, fraction of the patch width (``iris_centre``'s disc)
FALLOFF = 2.0  # the warp reaches 0 this many iris radii from the moved centre
CORNER_BAND = 0.08  # the warp falls to 0 over this fraction of the patch width inside each corner


@cache
def _grid(h: int, w: int) -> tuple[F32, F32]:
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    xs.flags.writeable = ys.flags.writeable = False
    return xs, ys


@cache
def _corners(h: int, w: int) -> F32:
    """1 between the eye's corners, falling to 0 at them (step 2)."""
    xs, _ = _grid(h, w)
    half = CORNER_SPREAD * w / 2
    taper = (half - np.abs(xs - (w - 1) / 2)) / (CORNER_BAND * w)
    return np.clip(taper, 0.0, 1.0).astype(np.float32)


def iris_weight(h: int, w: int, centre: tuple[float, float]) -> F32:
    """Step 2's ``w``: 1 within the iris's radius of ``centre``, a raised cosine to 0 at ``FALLOFF`` radii, times
    the corners' taper."""
    xs, ys = _grid(h, w)
    r = IRIS_RADIUS * w
    dist = np.hypot(xs - centre[0], ys - centre[1])
    t = np.clip((dist - r) / ((FALLOFF - 1.0) * r), 0.0, 1.0)
    return (0.5 * (1.0 + np.cos(np.pi * t)) * _corners(h, w)).astype(np.float32)


def iris_field(patch: F32, shift_deg: tuple[float, float]) -> F32:
    """The flow and lightness field ``(H, W, 3)`` (fx, fy, light) that moves ``patch``'s iris by ``shift_deg``
    (yaw, pitch in degrees; + = image right, down): output ``p`` samples the patch at ``p + (fx, fy)``."""
    h, w = patch.shape[:2]
    dx, dy = (degrees_to_px(s, w) for s in shift_deg)
    cx, cy = iris_centre(patch)
    weight = iris_weight(h, w, (cx + dx, cy + dy))
    return np.stack([-dx * weight, -dy * weight, np.ones_like(weight)], axis=-1).astype(np.float32)


REACH = 4  # px: how far ``iris_moved`` looks for the iris, each way


def _refined(tpl: F32, out: F32, corner: tuple[float, float], start: tuple[float, float]) -> tuple[float, float]:
    """Sub-pixel refinement (Lucas–Kanade, translation only) of where ``tpl`` lies in ``out``: its top-left corner
    at ``corner`` + the shift, starting from ``start``."""
    h, w = tpl.shape
    dx, dy = start
    for _ in range(10):
        m = np.array([[1.0, 0.0, corner[0] + dx], [0.0, 1.0, corner[1] + dy]], np.float32)
        seen = cv2.warpAffine(out, m, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
        gx, gy = cv2.Sobel(seen, cv2.CV_32F, 1, 0, ksize=1) / 2, cv2.Sobel(seen, cv2.CV_32F, 0, 1, ksize=1) / 2
        err = (seen - tpl)[1:-1, 1:-1]
        gx, gy = gx[1:-1, 1:-1], gy[1:-1, 1:-1]
        a = np.array([[(gx * gx).sum(), (gx * gy).sum()], [(gx * gy).sum(), (gy * gy).sum()]], np.float64)
        if abs(np.linalg.det(a)) < 1e-9:
            break
        step = np.linalg.solve(a, -np.array([(gx * err).sum(), (gy * err).sum()], np.float64))
        dx, dy = dx + float(step[0]), dy + float(step[1])
        if abs(step).max() < 1e-3:
            break
    return dx, dy


def iris_moved(src: F32, out: F32) -> tuple[float, float]:
    """How far the iris moved from ``src`` to ``out`` (float RGB patches, image orientation), in patch pixels
    (x, y): the source's iris disc (``IRIS_RADIUS``, at ``iris_centre``) found again in the output, to the pixel by
    template matching (squared difference, within ``REACH`` px), then to a fraction of one (Lucas–Kanade). Unlike
    reading the output's gaze with ``gaze_of``, this cannot jump to another dark blob (lashes, a lid's shadow) that
    the output's iris estimate happens to prefer."""
    grey = [cv2.cvtColor(np.ascontiguousarray(p, np.float32), cv2.COLOR_RGB2GRAY) for p in (src, out)]
    h, w = grey[0].shape
    r = max(2, round(IRIS_RADIUS * w))
    cx, cy = (round(v) for v in iris_centre(src))
    cx = min(max(cx, r + REACH), w - r - REACH - 1)
    cy = min(max(cy, r + REACH), h - r - REACH - 1)
    tpl = grey[0][cy - r : cy + r + 1, cx - r : cx + r + 1]
    area = grey[1][cy - r - REACH : cy + r + REACH + 1, cx - r - REACH : cx + r + REACH + 1]
    cost = cv2.matchTemplate(area, tpl, cv2.TM_SQDIFF)
    ky, kx = np.unravel_index(int(np.argmin(cost)), cost.shape)
    dx, dy = _refined(tpl, grey[1], (cx - r, cy - r), (float(kx) - REACH, float(ky) - REACH))
    if max(abs(dx), abs(dy)) > REACH + 1:  # the refinement wandered off: the pixel match stands
        return float(kx) - REACH, float(ky) - REACH
    return dx, dy


__all__ = ["FALLOFF", "IRIS_RADIUS", "iris_field", "iris_moved", "iris_weight"]
