"""Blinks: the requested look is held back while the performer's eyes close, and comes back as they open.

Why (issue 18, stop 48): the warp finds each iris per frame as the darkest disc in the eye patch. On a blink
there is no iris; the darkest disc is the lashes' line, and the warp slid that sideways with the lids around it
(GRID's held-out take blinks twice in three seconds, Obama's twice in six). An eye cannot be seen to look
anywhere while it is shut, so the edit leaves it as shot.

1. **How open an eye is** (``sclera_contrast``): on the eye patch (grey, blurred by 1 px), the mean of the two
   bands beside the iris (``SIDE`` iris radii either side of its centre, ±``BAND`` radii wide, ±0.3 radii high)
   minus the mean of the iris's core (0.7 radii): the white of the eye against the iris. A closing lid covers
   both with skin and lashes, and the difference falls towards 0. The iris here is the darkest disc of
   ``iris.IRIS_RADIUS``, catchlights left in: the iris finder before stop 53, which on a shut eye finds the lashes'
   line. The thresholds below were set on it, so the reading keeps it; the warp's finder (``_eyes.iris_centre``)
   lands off the lashes' line on a shut eye (low in the patch, on GRID's blinks).
2. **The shot's open eye** (``reference``): each eye's median contrast over the frames the face was detected on,
   spread through the range. Blinks last a tenth of a second or so; the median is an open eye. When either
   eye's median is under ``MIN_CONTRAST`` (no white to see: a squint, a dark shot), blinks cannot be told and
   nothing is held back (the signed parameters say so).
3. **Held back** (``hold``): the frame's openness is the lower of the two eyes' contrast ÷ the shot's median. Both
   eyes get the one weight: eyes blink together, and turning one while the other waits would split the look; the
   lower eye, because one eye's reading can stay up through a blink when its darkest disc is not the lashes (GRID's
   right eye read 0.69–0.83 with the lid down). The requested shift is multiplied by a smoothstep from 0 at
   ``CLOSED`` to 1 at ``OPEN``, after the flow's temporal smoothing (``warper``), so a blink holds the look from
   its first shut frame.

``CLOSED`` and ``OPEN`` were set between what the three performers' held-out takes show (stop 48, the lower eye;
``bench/eyeline.py --blinks`` prints it for each take and held-out version): where there is no blink (CREMA-D) or
one every few seconds (Obama), the 5th percentile of openness is 0.60–0.81 of the shot's median; the frames the
hold sets below half read 0.41 and below.
"""

from __future__ import annotations

import cv2
import numpy as np

from editor.eyeline._eyes import F32, dark_disc
from editor.eyeline.iris import IRIS_RADIUS

SIDE = 1.6  # iris radii from the iris's centre to the middle of each band of white beside it
BAND = 0.5  # the bands' half-width, iris radii
CLOSED = 0.3  # openness (the lower eye's contrast ÷ the shot's median) at and below which nothing is moved
OPEN = 0.55  # openness at and above which the whole shift is applied
MIN_CONTRAST = 0.03  # grey (0–1): a shot whose eyes show less white than this cannot be read for blinks


def sclera_contrast(patch: F32, centre: tuple[float, float] | None = None) -> float:
    """Step 1 on one eye patch (float RGB, image orientation); ``centre``: where to read it, when given (by default
    the darkest disc of ``IRIS_RADIUS``, catchlights left in: the iris when open, the lashes' line when shut; the
    thresholds were set on it)."""
    grey = cv2.GaussianBlur(cv2.cvtColor(np.ascontiguousarray(patch, np.float32), cv2.COLOR_RGB2GRAY), (0, 0), 1.0)
    h, w = grey.shape
    cx, cy = dark_disc(patch, IRIS_RADIUS) if centre is None else centre
    r = IRIS_RADIUS * w
    ys, xs = np.mgrid[0:h, 0:w]
    core = np.hypot(xs - cx, ys - cy) <= 0.7 * r
    side = (np.abs(np.abs(xs - cx) - SIDE * r) <= BAND * r) & (np.abs(ys - cy) <= 0.3 * r)
    if not core.any() or not side.any():
        return 0.0
    return float(grey[side].mean() - grey[core].mean())


def reference(contrasts: np.ndarray) -> tuple[float, float] | None:
    """Step 2: the shot's open-eye contrast per eye from ``(frames, 2)`` contrasts; None when it cannot be told."""
    if len(contrasts) == 0:
        return None
    left, right = (float(v) for v in np.median(contrasts, axis=0))
    return (left, right) if min(left, right) >= MIN_CONTRAST else None


def hold(contrasts: tuple[float, float], ref: tuple[float, float] | None) -> float:
    """Step 3: the share of the requested shift applied on a frame whose eyes read ``contrasts``."""
    if ref is None:
        return 1.0
    openness = min(contrasts[0] / ref[0], contrasts[1] / ref[1])
    t = min(1.0, max(0.0, (openness - CLOSED) / (OPEN - CLOSED)))
    return t * t * (3.0 - 2.0 * t)


__all__ = ["CLOSED", "MIN_CONTRAST", "OPEN", "hold", "reference", "sclera_contrast"]
