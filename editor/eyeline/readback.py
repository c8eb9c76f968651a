"""Reading back how far an eye's iris moved between a source patch and the edited one: the signed achieved shift.

Why (issue 18, stop 48): stop 47 read the displacement by matching the source's iris disc, cut at whole pixels
around its rounded centre, against the output, and refining that with Lucas–Kanade on the output alone. A moved
iris has been resampled once more than the source (the edit's warp, then cutting the patch again), so it is a
little softer; with the window off the iris's centre by the rounding, the refinement traded that softness for a
position. The error had one sign per take: a known translation of the real frames by ±1 patch px read +1.14 and
−0.95 on GRID's held-out take, and the edit's achieved shift, signed in its result, was 4–11 % short for a look
toward image left and on time for one toward the right. Stop 47 reported this as the edit's shortfall; the
iris had moved the same both ways.

The read-back, per pair of patches (float RGB, image orientation, the same size):

1. **Both softened alike**: grey levels, Gaussian-blurred by ``SOFTEN`` px, so the output's extra resampling is
   small against the blur both share: a bilinear resample softens by up to σ ½ px of the frame, 1 px of the patch
   on a 24 px eye; the blur is twice that. (At 1 px, a known move of CREMA-D's frames read 0.03–0.06 px more to
   the right than to the left; at 2 px, 0.02–0.03, and GRID's and Obama's within 0.01.)
2. **Where to start**: the source's iris disc (radius ``IRIS_RADIUS`` of the patch width, at ``iris_centre``) is
   found in the output to the pixel by template matching (squared difference, within ``REACH`` px). The
   catchlights in both irises are found (``catchlight.spots``, the output's around where the iris was found):
   they move by their own share, not the iris's, and step 3 does not look at them, nor at ``BAND`` px around
   them, where the edit's warp goes over from the catchlight's share to the iris's (``catchlight.move_eye``).
3. **The displacement** ``d``: Gauss–Newton on the symmetric residual ``out(u + d/2) − src(u − d/2)`` (both
   images resampled by the same half step, so neither is softened more by the interpolation than the other; the
   gradient is both images' mean, as in ESM, Benhimane & Malis 2004), over a window centred on the iris's
   sub-pixel centre: weight 1 on the disc, a raised cosine to 0 over ``EDGE`` px beyond it, and 0 where either
   image has a catchlight (each image's, at its own half step). A window that is
   symmetric about the iris reads a mirrored pair as the mirrored displacement. The patches are sampled by a
   cubic B-spline in floating point, the gradient by central differences of the same spline: OpenCV's remap puts
   its samples on a 1/32 px grid, and a refinement on it wandered by as much (drawn eyes: a mirrored pair read
   0.04 px apart, a 0.4 px move anywhere from 0.31 to 0.35 px).
4. If the refinement leaves the search area (a blink, a hand over the eye), step 2's whole-pixel match stands.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy.ndimage import map_coordinates, spline_filter

from editor.eyeline._eyes import F32, iris_centre
from editor.eyeline.catchlight import spots
from editor.eyeline.iris import IRIS_RADIUS

SOFTEN = 2.0  # px, the Gaussian blur both patches get (step 1)
REACH = 4  # px, how far step 2 looks for the iris, each way
EDGE = 2.0  # px, the window's fall beyond the iris's radius (step 3)
BAND = 2  # px, left out around a catchlight (step 2): the edit's band, 4σ (σ 0.5–0.6 patch px)
_STEPS = 20
_STOP = 1e-4  # px, the step below which the refinement has converged
_H = 0.05  # px, the half-step of the interpolant's central differences


def _grey(patch: F32) -> F32:
    g = cv2.cvtColor(np.ascontiguousarray(patch, np.float32), cv2.COLOR_RGB2GRAY) if patch.ndim == 3 else patch
    return cv2.GaussianBlur(np.asarray(g, np.float32), (0, 0), SOFTEN)


def _whole_pixel(src: F32, out: F32, centre: tuple[float, float], r: float) -> tuple[int, int]:
    """Step 2: the integer displacement whose output window best matches the source's iris disc."""
    h, w = src.shape
    ri = max(2, round(r))
    cx = min(max(round(centre[0]), ri + REACH), w - ri - REACH - 1)
    cy = min(max(round(centre[1]), ri + REACH), h - ri - REACH - 1)
    tpl = src[cy - ri : cy + ri + 1, cx - ri : cx + ri + 1]
    area = out[cy - ri - REACH : cy + ri + REACH + 1, cx - ri - REACH : cx + ri + REACH + 1]
    cost = cv2.matchTemplate(area, tpl, cv2.TM_SQDIFF)
    ky, kx = np.unravel_index(int(np.argmin(cost)), cost.shape)
    return int(kx) - REACH, int(ky) - REACH


def _grown(weight: F32) -> F32:
    """Step 2: a catchlight's weight grown by ``BAND`` px."""
    if BAND <= 0 or not weight.any():
        return weight
    return cv2.dilate(weight, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * BAND + 1, 2 * BAND + 1)))


def iris_moved(src: F32, out: F32) -> tuple[float, float]:
    """How far the iris moved from ``src`` to ``out``, in patch pixels (x, y; + = image right, down)."""
    r = max(2.0, IRIS_RADIUS * src.shape[1])
    cx, cy = iris_centre(src)
    grey = [_grey(p) for p in (src, out)]
    start = _whole_pixel(grey[0], grey[1], (cx, cy), r)
    lights = [_grown(spots(src, (cx, cy), r)), _grown(spots(out, (cx + start[0], cy + start[1]), r))]
    reach = int(np.ceil(r + EDGE))
    ys, xs = np.mgrid[-reach : reach + 1, -reach : reach + 1].astype(np.float32)
    fall = np.clip((np.hypot(xs, ys) - r) / EDGE, 0.0, 1.0)
    window = 0.5 * (1.0 + np.cos(np.pi * fall))
    ux, uy = xs.astype(np.float64) + cx, ys.astype(np.float64) + cy

    coeffs = [spline_filter(g.astype(np.float64), order=3, mode="nearest") for g in grey]

    def at(k: int, dx: float, dy: float) -> np.ndarray:
        """Patch ``k`` at ``u + (dx, dy)`` (cubic B-spline, in floating point: OpenCV's remap places its samples
        on a 1/32 px grid, and the refinement wandered by that much)."""
        return map_coordinates(coeffs[k], [uy + dy, ux + dx], order=3, mode="nearest", prefilter=False)

    def light(k: int, dx: float, dy: float) -> np.ndarray:
        return map_coordinates(lights[k], [uy + dy, ux + dx], order=1, mode="constant", cval=0.0)

    def sampled(k: int, dx: float, dy: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Patch ``k`` at ``u + (dx, dy)`` and its gradient there (central differences of the same spline)."""
        gx = (at(k, dx + _H, dy) - at(k, dx - _H, dy)) / (2 * _H)
        gy = (at(k, dx, dy + _H) - at(k, dx, dy - _H)) / (2 * _H)
        return at(k, dx, dy), gx, gy

    d = np.array(start, np.float64)
    for _ in range(_STEPS):
        o, ox, oy = sampled(1, d[0] / 2, d[1] / 2)
        s, sx, sy = sampled(0, -d[0] / 2, -d[1] / 2)
        err, jx, jy = o - s, 0.5 * (ox + sx), 0.5 * (oy + sy)
        weight = window * (1.0 - np.maximum(light(1, d[0] / 2, d[1] / 2), light(0, -d[0] / 2, -d[1] / 2)))
        a = np.array([[(weight * jx * jx).sum(), (weight * jx * jy).sum()],
                      [(weight * jx * jy).sum(), (weight * jy * jy).sum()]], np.float64)  # fmt: skip
        if abs(np.linalg.det(a)) < 1e-12:
            break
        step = np.linalg.solve(a, -np.array([(weight * jx * err).sum(), (weight * jy * err).sum()], np.float64))
        d += step
        if np.abs(d).max() > REACH + 1:  # step 4: wandered off; the whole-pixel match stands
            return float(start[0]), float(start[1])
        if np.abs(step).max() < _STOP:
            break
    return float(d[0]), float(d[1])


__all__ = ["BAND", "REACH", "SOFTEN", "iris_moved"]
