"""The eyeline edit's read-back of the iris's displacement before stop 48 (main d10e978), kept as
bench/eyeline.py's peer: the source's iris disc cut at whole pixels around its rounded centre, matched in the
output, then refined by Lucas–Kanade on the output alone (``editor.eyeline.readback`` says why it was biased)."""

from __future__ import annotations

import cv2
import numpy as np

from editor.eyeline._eyes import F32, iris_centre
from editor.eyeline.iris import IRIS_RADIUS

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
