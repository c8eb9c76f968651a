"""A dub's ``MouthPlan``: how large the mouth is in the box, how crisp the take's lips are and how their colour
differs from the bank's — measured once over the whole range, from the take and the bank, not per frame.

Per frame, a bank mouth differs from the take's by design (another shape for another sound), so nothing about the
mouth itself may be copied from the frame it replaces; over a range, the shapes average out and what remains is
the take's: its lighting, its codec's softness, its framing.

1. **Mouth area** (``axes``): where the mouth moves when the performer speaks. The temporal standard deviation of
   the lightly blurred grey crops (σ 1.5 % of the crop width) is taken per bank take (averaged) and over the
   range's own crops (at least ``MIN_FRAMES``); the pixels above 30 % of the way from its median to its 99th
   percentile are the moving mouth, and an ellipse of four standard deviations of their coordinates (the full
   width of a uniform ellipse) covers them. The larger of the bank's and the take's, capped at ``INNER``, is the
   area whose detail is replaced: the take's own skin outside it stays (issue 18: the fixed 0.80 × 0.74 ellipse
   brought the other take's skin texture and shading to the whole box). A still take (no motion to measure)
   gives a scattered mask whose ellipse reaches the cap, i.e. the largest area.
2. **Detail** (``soften``): the mean gradient magnitude inside that ellipse over the range's crops vs over the
   chosen bank mouths; where the bank is crisper, the smallest Gaussian sigma (0.1 px steps up to 2.5 at 128×80,
   in proportion at a larger bank size) that brings
   the chosen mouths' mean down to the take's (a CRF 28 re-encode of a GRID take: σ 1.5; the shared takes: 0.7–0.8).
   Where the bank is softer (its takes recorded in another session, or by a softer codec, than this one), the
   smallest unsharp-mask amount (``sharpen``, 0.1 steps up to ``SHARPEN_MAX``) that brings them up to it.
3. **Lips colour** (``lips_offset``): per frame, the Lab mean of the take's mouth area minus the bank mouth's,
   less the skin's difference there (``skin_field``: the difference on the skin both share, as a plane over the
   crop, which the placement adds anyway); the plan takes the median over the range.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from editor.dialogue.blend import BANK_W, INNER, MouthPlan, inner_mask, lab, skin_field, unsharp

MIN_FRAMES = 8  # fewer crops than this say nothing about where the mouth moves
MOTION_LEVEL = 0.3  # threshold between the motion map's median (0) and its 99th percentile (1)
SHARPEN_MAX = 1.0  # the largest unsharp-mask amount: beyond it the lips' edges ring and the grain is amplified


def motion_map(crops: np.ndarray) -> np.ndarray:
    """Per-pixel temporal standard deviation of the grey crops, each blurred by 1.5 % of the crop width."""
    sigma = 0.015 * crops.shape[2]
    grey = np.stack(
        [cv2.GaussianBlur(cv2.cvtColor(c, cv2.COLOR_RGB2GRAY).astype(np.float32), (0, 0), sigma) for c in crops]
    )
    return grey.std(0)


def motion_axes(motion: np.ndarray) -> tuple[float, float]:
    """The moving area's ellipse (width, height) as fractions of the crop (step 1 of the module docstring)."""
    h, w = motion.shape
    lo, hi = float(np.median(motion)), float(np.percentile(motion, 99))
    ys, xs = np.nonzero(motion > lo + MOTION_LEVEL * (hi - lo))
    if hi <= lo or xs.size < 2:
        return INNER
    return 4.0 * float(xs.std()) / w, 4.0 * float(ys.std()) / h


def mouth_axes(take: np.ndarray, bank: list[np.ndarray]) -> tuple[float, float]:
    """The mouth area of a dub: the larger of the bank's and the take's moving area, capped at ``INNER``."""
    maps = [motion_map(b) for b in bank if len(b) >= MIN_FRAMES]
    found = [motion_axes(np.mean(maps, axis=0))] if maps else []
    if len(take) >= MIN_FRAMES:
        found.append(motion_axes(motion_map(take)))
    if not found:
        return INNER
    w, h = (max(a[i] for a in found) for i in range(2))
    return round(min(w, INNER[0]), 3), round(min(h, INNER[1]), 3)


def _detail(crops: np.ndarray, mask: np.ndarray) -> float:
    out = []
    for c in crops:
        g = cv2.cvtColor(c, cv2.COLOR_RGB2GRAY).astype(np.float32)
        out.append(np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))[mask].mean())
    return float(np.mean(out))


def _detail_target(
    take: np.ndarray, chosen: np.ndarray, axes: tuple[float, float]
) -> tuple[np.ndarray, float, np.ndarray, float]:
    """The mouth ellipse's mask, the take's lip detail there, a sample of ≤ ~24 chosen mouths (the mean is stable,
    the search cheap) and their detail."""
    mask = inner_mask(take.shape[2], take.shape[1], 0.08, axes) > 0.5
    sample = chosen[:: max(1, len(chosen) // 24)]
    return mask, _detail(take, mask), sample, _detail(sample, mask)


def _first_reaching(
    sample: np.ndarray,
    mask: np.ndarray,
    want: float,
    steps: np.ndarray,
    change: Callable[[np.ndarray, float], np.ndarray],
) -> float | None:
    """The first of ``steps`` at which ``change`` brings the sample's detail to ``want`` (from above or below)."""
    above = _detail(sample, mask) > want
    for v in steps:
        got = _detail(np.stack([change(c, float(v)) for c in sample]), mask)
        if (got <= want) if above else (got >= want):
            return round(float(v), 2)
    return None


def detail_sigma(take: np.ndarray, chosen: np.ndarray, axes: tuple[float, float]) -> float:
    """The Gaussian sigma (bank-crop pixels) that brings the chosen mouths' lip detail down to the take's."""
    mask, want, sample, have = _detail_target(take, chosen, axes)
    if have <= want:
        return 0.0
    top = 2.5 * take.shape[2] / BANK_W  # 2.5 px at 128×80, as much of the mouth at a larger bank size
    blur = lambda c, sigma: cv2.GaussianBlur(c, (0, 0), sigma)  # noqa: E731
    found = _first_reaching(sample, mask, want, np.arange(0.3, top + 0.01, 0.1), blur)
    return round(top, 2) if found is None else found


def detail_gain(take: np.ndarray, chosen: np.ndarray, axes: tuple[float, float]) -> float:
    """The unsharp-mask amount (``blend.unsharp``) that brings the chosen mouths' lip detail up to the take's: the
    smallest in 0.1 steps, at most ``SHARPEN_MAX``; 0 when the bank is as crisp."""
    mask, want, sample, have = _detail_target(take, chosen, axes)
    if have >= want:
        return 0.0
    found = _first_reaching(sample, mask, want, np.arange(0.1, SHARPEN_MAX + 0.01, 0.1), unsharp)
    return SHARPEN_MAX if found is None else found


def lips_offset(take: np.ndarray, chosen: np.ndarray, axes: tuple[float, float]) -> tuple[float, float, float]:
    """Median over the range of the take's mouth-area Lab mean minus the bank mouth's, less the skin's difference
    there (``skin_field``)."""
    mouth = inner_mask(take.shape[2], take.shape[1], 0.08, axes) > 0.5
    diffs = []
    for t, p in zip(take, chosen, strict=True):
        lt, lp = lab(t), lab(p)
        diffs.append((lt[mouth] - lp[mouth] - skin_field(lp, lt)[mouth]).mean(0))
    a, b, c = (round(float(v), 2) for v in np.median(diffs, axis=0))
    return a, b, c


def plan_mouths(take: np.ndarray, bank: list[np.ndarray], chosen: np.ndarray) -> MouthPlan:
    """The plan for placing ``chosen`` (n bank crops, one per frame) on the take's range.

    Args:
        take: The range's own mouth crops ``(n, h, w, 3)`` uint8 at the bank mouths' ``work_size``
            (``editor.dialogue.model.bank_crops``).
        bank: The bank's crops the mouths may come from, one array per take (an excluded take left out).
        chosen: The selected bank mouth of each frame, same shape as ``take``.
    """
    h, w = take.shape[1:3]
    if chosen.shape[1:3] != (h, w):  # a model trained before 128×80 bank crops
        chosen = np.stack([cv2.resize(c, (w, h), interpolation=cv2.INTER_CUBIC) for c in chosen])
    axes = mouth_axes(take, bank)
    soften = detail_sigma(take, chosen, axes)
    sharpen = 0.0 if soften > 0 else detail_gain(take, chosen, axes)
    return MouthPlan(axes, soften, lips_offset(take, chosen, axes), sharpen)


def plan_metrics(plan: MouthPlan) -> dict[str, float]:
    """The plan as an edit result's metrics."""
    return {
        "mouth_area_width": plan.axes[0],
        "mouth_area_height": plan.axes[1],
        "mouth_soften_px": plan.soften,
        "mouth_sharpen": plan.sharpen,
        **{f"mouth_lips_offset_{c}": v for c, v in zip("lab", plan.lips_offset, strict=True)},
    }
