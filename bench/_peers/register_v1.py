"""Main's clean-plate registration as of e98e759 (before turns and scales were followed), kept verbatim (but for
this paragraph) so ``bench/background.py`` scores it in the same run as the product's (method
``new-supplied-plate-register1``): a translation by ECC on the grey image, judged by the median difference over
the whole seen set. Bench-only: nothing in the product imports this.

A supplied clean plate registered to its take's framing.

A locked-off camera is not always left untouched between the take and the clean plate: the tripod is brushed, a
magazine or a battery is changed. A plate off by a pixel puts every edge of a textured set in the difference key
(issue 18, ``bench/background.py --plate-shift``: 1 px across raised the supplied-plate matte's halo from 2.9 to
9.3 ×1e3 on the bookshelf set; 2 px across and 1 down raised its mean alpha error from 11.6 to 21.1).

1. **Where:** the pixels where the take's own estimate saw the set (``known``).
2. **Shift:** the translation that best aligns the plate's grey image to the take's set there, by the enhanced
   correlation coefficient (``cv2.findTransformECC``, ``MOTION_TRANSLATION``): sub-pixel, and blind to a change
   of exposure or contrast, so it runs before the exposure match (:mod:`editor.background._exposure`).
3. **Applied only where it clearly helps:** it must converge within ``MAX_SHIFT`` of the frame's width with a
   correlation of at least ``MIN_CORRELATION``, and the moved plate's difference to the take's set (the median
   absolute grey difference, each side less its median, over the seen set: the estimate's own errors do not count)
   must fall to at most ``IMPROVEMENT`` of the unmoved plate's. A set with little texture in one direction does not
   pin a shift there, and ECC then wanders with a high correlation; a set under moving shadows pulls it off.
   Measured (a one-off script: the ``bench/background.py`` composites and the smooth synthetic test take, plates
   moved by 0, ½, 1 and 2×1 px; and the test take over a textured set, through H.264): every nudge of the
   textured sets was found within 0.05 px, and the difference fell to 0.00–0.40 of the unmoved plate's (0.61
   through H.264); the wrong shifts ECC found on the library under moving shadows, on the smooth set and on the
   plain wall nudged by half a pixel left it at 0.92–1.25. On the library nudged by 2×1 px it found 1.6×0 px
   (0.41), which is kept: the plate moves the right way. A plate moved further than ECC reaches converges with a
   correlation near 0 (0.04 for a textured set 19 px off). Otherwise the plate is left as shot, and the
   set-difference test that follows refuses it if it is not the take's set. A shift under ``MIN_MOVE`` is
   recorded as none and the plate is not resampled. The shift is recorded (``CleanPlate.describe``:
   ``registration_shift_px``).
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from editor.background._exposure import MIN_SHARE  # of the frame seen by the take: fewer say nothing
from editor.background.plate import CleanPlate

MAX_SHIFT = 0.03  # of the frame's width: a larger move is another framing, not a nudge
MIN_CORRELATION = 0.8  # ECC's correlation coefficient a registration must reach (step 3)
MIN_MOVE = 0.05  # pixels: a smaller shift is the take's framing already, and the plate is not resampled
IMPROVEMENT = 0.8  # the moved plate's difference to the take's set, at most this share of the unmoved one's


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(image, np.float32), cv2.COLOR_RGB2GRAY)


def register_plate(supplied: CleanPlate, take: CleanPlate) -> CleanPlate:
    """``supplied`` shifted onto ``take``'s framing where the take saw the set (steps 1–3 above)."""
    h, w = take.known.shape
    if take.known.mean() < MIN_SHARE:
        return supplied
    warp = np.eye(2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 100, 1e-5)
    mask = take.known.astype(np.uint8)
    try:  # OpenCV's mask marks the *input* image's valid pixels: the take is the input, the plate the template
        cc, warp = cv2.findTransformECC(_grey(supplied.image), _grey(take.image), warp, cv2.MOTION_TRANSLATION,
                                        criteria, mask, 5)  # fmt: skip
    except cv2.error:
        return supplied
    dx, dy = -float(warp[0, 2]), -float(warp[1, 2])  # take(x + p) ≈ plate(x): the plate's content is moved by −p
    if not np.isfinite([dx, dy]).all() or np.hypot(dx, dy) > MAX_SHIFT * w or cc < MIN_CORRELATION:
        return supplied
    if np.hypot(dx, dy) < MIN_MOVE:  # already the take's framing: no resampling
        return replace(supplied, shift=(0.0, 0.0))
    back = np.float32([[1, 0, dx], [0, 1, dy]])  # the result at x is the plate at x + (dx, dy)
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    image = cv2.warpAffine(supplied.image, back, (w, h), flags=flags, borderMode=cv2.BORDER_REPLICATE)
    if _difference(take, image) > IMPROVEMENT * _difference(take, supplied.image):
        return supplied
    return replace(supplied, image=np.clip(image, 0, 1).astype(np.float32), shift=(round(dx, 3), round(dy, 3)))


def _difference(take: CleanPlate, image: np.ndarray) -> float:
    """Median absolute grey difference, each side less its median, over the set the take saw (the median: what
    the estimate got wrong there does not count)."""
    a, b = _grey(take.image)[take.known], _grey(image)[take.known]
    return float(np.median(np.abs((a - np.median(a)) - (b - np.median(b)))))
