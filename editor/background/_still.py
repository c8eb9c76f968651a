"""Whether the camera held still over a take: the set's own motion, for the clean-plate estimate.

The estimate (:mod:`editor.background.plate`) takes the take's median for the set and what differs from it for the
people. That holds on a locked-off take. Where the camera drifts, shakes or breathes by a fraction of a pixel, each
edge of a textured set differs from the median in the frames where it moved: the shelves, a flag, a lamp become
moving regions no face explains, which the estimate counts as people for the whole take, and the matte keeps the
old set there. Found on the weekly address "very real challenges": its camera moves by about 0.9 px; the estimate
found 14 such regions and kept the flag, a chair and a cabinet behind the speaker in the composite, while it said
93 % of the set was recovered, and the edit ran.

1. **The set's motion** (``shift``): per sample, the Farnebäck optical flow from the take's median to the sample
   (grey, at the estimate's work size) at the set's textured pixels — outside every zone where a person may be, the
   quarter of them with the steepest gradient, where a move can be seen; an affine motion fitted to it (least
   median of squares: a pan, a tilt, a turn, a zoom or a focus pull's breathing, whatever a few of the pixels do);
   how far that motion moves the textured pixels (the 90th percentile: under a zoom the set's edges far from the
   centre move most); the largest over the samples.
2. **How far the set may move** (``tolerance``): the difference key reads a set pixel as moving where its change
   exceeds the key's threshold, ``max(4σ, 0.04)``; a move of ``d`` pixels changes an edge of gradient ``g`` (per
   pixel, RGB distance) by about ``d·g``. With ``g`` the set's steep edges' gradient (the 99th percentile over the
   set), ``tolerance = threshold / g``: the move at which the set's own edges start to read as people. A plain set
   tolerates more (its edges are few and soft), a bookshelf less.
3. The take is **still** when ``shift ≤ tolerance``; :func:`editor.background.plate.require_recoverable` refuses an
   estimate from a take that is not, and a supplied plate does not take the people's interior from it.
4. **Where it held still** (``shifts``, :meth:`SetMotion.still_run`): each sample's shift is kept, in the take's
   order; the longest run of at least ``MIN_RUN`` consecutive samples within the tolerance is the range the refusal
   names (a camera that settles after its first frames, or is bumped near the end, holds still over the rest: the
   editor re-runs the edit there). The median is the set where the camera rested most, so a run is measured against
   it; a camera that never rests has none.

Measured (``bench/background_silhouette.py``, full-frame pixels) on the shared takes and four versions of each the
project never saw: the other takes' sets moved by at most 0.15 px, at most 0.16 of what they tolerate (0.29–4.4 px);
"very real challenges" by 0.86–1.11 px, 1.9–2.1 times its tolerance (0.45–0.60).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

F32 = np.ndarray  # float32
U8 = np.ndarray  # uint8
Bool = np.ndarray  # bool

TEXTURED = 75.0  # the set's pixels above this percentile of gradient are where its motion is measured
STEEP = 99.0  # the percentile of the set's gradient its steep edges are taken at
MIN_PIXELS = 64  # fewer textured set pixels than this: no motion can be measured (a plain set, or none seen)
MAX_POINTS = 4000  # the set's textured pixels the motion is fitted to, at most (evenly spread over them)
MIN_RUN = 3  # consecutive still samples, at least, for a range where the camera held still (step 4)


@dataclass(frozen=True)
class SetMotion:
    """How far the set moved over the take and how far it may (pixels at the size it was measured at); ``shifts``:
    each sample's, in the take's order (``shift`` is the largest)."""

    shift: float
    tolerance: float
    shifts: tuple[float, ...] = ()

    @property
    def still(self) -> bool:
        return self.shift <= self.tolerance

    def scaled(self, factor: float) -> SetMotion:
        """The same in pixels of a frame ``factor`` times as wide."""
        return SetMotion(self.shift * factor, self.tolerance * factor, tuple(s * factor for s in self.shifts))

    def still_run(self) -> tuple[int, int] | None:
        """Step 4: the first and last sample (indices into ``shifts``) of the longest run of at least ``MIN_RUN``
        consecutive samples within the tolerance (the earliest of equal runs); None where there is none."""
        best: tuple[int, int] | None = None
        first = None
        for k, moved in enumerate([*self.shifts, float("inf")]):
            if moved <= self.tolerance:
                first = k if first is None else first
                continue
            if first is not None and k - first >= MIN_RUN and (best is None or k - first > best[1] - best[0] + 1):
                best = (first, k - 1)
            first = None
        return best


def _gradient(img: F32) -> F32:
    """Per pixel, the RGB distance to the next pixel, averaged over the two directions (central differences)."""
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=1)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=1)
    return np.sqrt((gx * gx + gy * gy).sum(-1)) / 2.0


def set_motion(median: F32, samples: Sequence[U8], the_set: Bool, threshold: float) -> SetMotion | None:
    """The set's motion over ``samples`` (uint8 RGB at the median's size) against the take's ``median`` (float32
    RGB in [0, 1]), measured on ``the_set`` (where no person can be), with the difference key's ``threshold``; None
    where the set has too few textured pixels to measure it on (module docstring)."""
    grad = _gradient(median.astype(np.float32))
    on_set = grad[the_set]
    if on_set.size < MIN_PIXELS:
        return None
    textured = the_set & (grad > np.percentile(on_set, TEXTURED))
    if textured.sum() < MIN_PIXELS:
        return None
    steep = float(np.percentile(on_set, STEEP))
    tolerance = threshold / steep if steep > 0 else float("inf")
    base = cv2.cvtColor((np.clip(median, 0, 1) * 255).round().astype(np.uint8), cv2.COLOR_RGB2GRAY)
    ys, xs = np.nonzero(textured)
    pick = np.linspace(0, len(ys) - 1, min(len(ys), MAX_POINTS)).round().astype(int)
    points = np.stack([xs[pick], ys[pick]], axis=1).astype(np.float32)
    shifts = []
    for frame in samples:
        grey = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        flow = cv2.calcOpticalFlowFarneback(base, grey, None, 0.5, 3, 15, 3, 5, 1.2, 0)
        shifts.append(round(_moved(points, flow[ys[pick], xs[pick]]), 4))
    return SetMotion(max(shifts, default=0.0), round(tolerance, 4), tuple(shifts))


def _moved(points: F32, flow: F32) -> float:
    """Step 1 for one sample: the 90th percentile of how far the affine motion fitted to ``flow`` at ``points``
    moves them (the flow's median vector where no motion can be fitted)."""
    fitted, _ = cv2.estimateAffine2D(points, points + flow, method=cv2.LMEDS)
    if fitted is None:
        return float(np.hypot(*np.median(flow, axis=0)))
    moved = points @ fitted[:, :2].T + fitted[:, 2] - points
    return float(np.percentile(np.hypot(moved[:, 0], moved[:, 1]), 90))
