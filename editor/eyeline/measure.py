"""What the eyeline edit reads of its own output, for the signed metrics (``editor.eyeline.edit``).

1. **The gaze shift achieved** on a frame: each eye's iris found again in the output (``readback.iris_moved``),
   turned into degrees by the stated eye model (``_eyes.px_to_degrees``), averaged over both eyes. A frame with the
   eyes shut is not read: there is no gaze to read (``blink``).
2. **The steadiness**: the warping error (Lai et al. 2018, ``editor.background.metrics.warping_error``) of the
   pixels the warp may have changed, in the output and in the source, under the source's own flow between two
   consecutive frames. A pair across which a blink's hold changes is not read: a blink letting the look go or taking
   it up again is the edit's own motion, as the ease is (``Timing.settled``).
3. Both are read on up to ``PAIRS`` pairs of consecutive frames spread over the frames where the look is held, and
   the steadiness on a cut of the two frames around both eyes: their warp's reach (``warper.ROOM`` rows above and
   below each eye patch) and one eye patch's height more on every side, so that the flow has the eyes' surroundings
   to go by. Each pair is read when its second frame is rendered. A pair whose frames two segments of a parallel
   render (``editor.segmented``) hold is cut in each and read when the segments' records are merged: the same
   reading as the render in one piece.

Until stop 53 both were read on 10 pairs of whole frames, kept until the render's end. On a small eye the reading
moved with which 10 pairs (GRID's re-framed take looking up: 0.94 on 10 pairs, 1.06 on every pair where the look is
held); the flow was computed on the whole frame at 640 pixels wide (``dis_flow``), half the eye's resolution on a
720p shot; and the frames held came to 20 × (two RGB frames and a mask): 1.2 GB at 4K.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from editor.background.metrics import source_flows, warping_error
from editor.eyeline._eyes import PATCH_H, PATCH_W, Box, cut_patch, px_to_degrees
from editor.eyeline.model import EyelineModel
from editor.eyeline.readback import iris_moved
from editor.eyeline.warper import ROOM

PAIRS = 60  # pairs of consecutive frames read at most (2.5 s at 24 fps), spread evenly over a longer hold
# the least rows and columns a pair's cut has: OpenCV's DIS flow fails on a few pixels and crashed the process on
# a 12 × 40 cut (a probe); 32 each way ran (``pair_region``)
MIN_SIDE = 32
HELD_ALIKE = 0.01  # a blink's hold changing by this much across a pair is the edit's own motion (step 2)


def achieved_shift(
    model: EyelineModel, face: tuple[float, float, float, float], src8: np.ndarray, out8: np.ndarray
) -> np.ndarray:
    """How far the edit turned the eyes on one frame, (yaw, pitch) degrees (step 1)."""
    moved = []
    for box in model.geometry.patch_boxes(face):
        src, out = (cut_patch(img.astype(np.float32) / 255.0, box) for img in (src8, out8))
        moved.append([px_to_degrees(v, PATCH_W) for v in iris_moved(src, out)])
    return np.mean(moved, axis=0)


def pair_starts(first: int, last: int) -> list[int]:
    """The first frames of the pairs read on frames ``first``–``last`` (both read): every pair, or ``PAIRS`` spread
    evenly over them."""
    if last <= first:
        return []
    n = last - first
    return sorted({int(v) for v in np.linspace(first, last - 1, min(n, PAIRS)).round()})


def pair_region(eyes: Sequence[Box], shape: tuple[int, int]) -> tuple[slice, slice]:
    """The rows and columns of a frame ``shape`` (h, w) a pair's steadiness is read on: the warp's reach around
    every eye box given (both eyes on both frames), one eye patch's height more on every side, at least
    ``MIN_SIDE`` each way (step 3)."""
    x0 = y0 = math.inf
    x1 = y1 = -math.inf
    for x, y, w, h in eyes:
        reach = ROOM * h / PATCH_H + h
        x0, x1 = min(x0, x - h), max(x1, x + w + h)
        y0, y1 = min(y0, y - reach), max(y1, y + h + reach)
    return _span(y0, y1, shape[0]), _span(x0, x1, shape[1])


def _span(lo: float, hi: float, size: int) -> slice:
    """``lo``–``hi`` on an axis of ``size`` pixels, widened about its middle to ``MIN_SIDE`` where it is shorter."""
    a = min(size, max(0, math.floor(lo)))
    b = max(a, min(size, math.ceil(hi)))
    if b - a < MIN_SIDE:
        a = max(0, (a + b - MIN_SIDE) // 2)
        b = min(size, a + MIN_SIDE)
        a = max(0, b - MIN_SIDE)
    return slice(a, b)


@dataclass(frozen=True)
class PairCut:
    """One frame of a pair, cut to the pair's region: the source and the output (uint8 RGB), the pixels the warp may
    have changed, and the share of the look a blink left on it (``blink.hold``)."""

    source: np.ndarray
    output: np.ndarray
    support: np.ndarray
    held: float

    @classmethod
    def of(
        cls, src8: np.ndarray, out8: np.ndarray, support: np.ndarray, held: float, region: tuple[slice, slice]
    ) -> PairCut:
        return cls(src8[region].copy(), out8[region].copy(), support[region].copy(), float(held))


def pair_error(a: PairCut, b: PairCut) -> tuple[float, float] | None:
    """The source's and the output's warping error (×1e3) over a pair, where the warp may have changed either
    frame; ``None`` where a blink's hold changes across the pair or the warp changed nothing (step 2)."""
    if abs(a.held - b.held) >= HELD_ALIKE or min(a.source.shape[:2]) < MIN_SIDE // 2:  # a frame under 16 px
        return None
    mask = a.support | b.support
    if not mask.any():
        return None
    flows = source_flows([a.source, b.source])
    return warping_error([a.source, b.source], flows, [mask]), warping_error([a.output, b.output], flows, [mask])


class Pairs:
    """The pairs read so far by one copy of the edit's per-frame work, and the cuts of those whose other frame is
    not yet rendered, or is rendered by another segment (step 3)."""

    def __init__(self) -> None:
        self.read: dict[int, tuple[float, float]] = {}  # a pair's first frame → warping errors, source and output
        self.loose: dict[tuple[int, int], PairCut] = {}  # (a pair's first frame, frame) → that frame's cut

    def add(self, start: int, index: int, cut: PairCut) -> None:
        """Frame ``index``'s cut for the pair starting at frame ``start``: read the pair if its other frame's cut
        is here, else keep this one."""
        first = index == start
        other = self.loose.pop((start, start + 1 if first else start), None)
        if other is None:
            self.loose[(start, index)] = cut
            return
        errors = pair_error(cut, other) if first else pair_error(other, cut)
        if errors is not None:
            self.read[start] = errors

    @classmethod
    def merged(cls, parts: Sequence[Pairs]) -> Pairs:
        """The pairs of every segment's copy together: a pair whose frames two segments held is read now."""
        out = cls()
        for part in parts:
            out.read.update(part.read)
        for part in parts:
            for (start, index), cut in part.loose.items():
                out.add(start, index, cut)
        return out


def summarise(
    gaze: dict[int, tuple[np.ndarray, float]], pairs: dict[int, tuple[float, float]], shift: tuple[float, float]
) -> dict[str, float]:
    """The signed metrics from the frames' achieved shifts (``frame → ((yaw, pitch), share of the shift asked
    there)``, eyes-shut frames left out) and the pairs' warping errors (``first frame → (source, output)``)."""
    if not gaze:
        return {"gaze_frames_measured": 0.0}
    a = np.array([g for g, _ in gaze.values()])
    r = np.array([np.array(shift) * share for _, share in gaze.values()])
    metrics: dict[str, float] = {
        "gaze_shift_requested_x_deg": round(float(r[:, 0].mean()), 3),
        "gaze_shift_requested_y_deg": round(float(r[:, 1].mean()), 3),
        "gaze_shift_achieved_x_deg": round(float(a[:, 0].mean()), 3),
        "gaze_shift_achieved_y_deg": round(float(a[:, 1].mean()), 3),
        "gaze_shift_error_deg": round(float(np.linalg.norm(a - r, axis=1).mean()), 3),
        "gaze_frames_measured": float(len(a)),
    }
    if pairs:
        s = float(np.mean([v[0] for v in pairs.values()]))
        o = float(np.mean([v[1] for v in pairs.values()]))
        metrics["eye_warping_error_source_x1e3"] = round(s, 6)
        metrics["eye_warping_error_result_x1e3"] = round(o, 6)
        metrics["eye_warping_pairs_measured"] = float(len(pairs))
        if s > 0:
            metrics["eye_warping_error_ratio"] = round(o / s, 4)
    return metrics


__all__ = ["HELD_ALIKE", "MIN_SIDE", "PAIRS", "PairCut", "Pairs", "achieved_shift", "pair_error", "pair_region",
           "pair_starts", "summarise"]  # fmt: skip
