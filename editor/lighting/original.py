"""The look of a graded reference, known from the reference's own ungraded original.

A graded reference from another scene shows the look only composed with the colour of the take it was graded
from. Through the project's exemplars (``editor.lighting.exemplars``) the look is fitted from the project's take of
that set-up; when the reference was graded from *another* take, recorded in another session, the look carries the
two takes' difference (GRID pwij3p against the project's GRID take: 6.1 ΔE76 apart ungraded), and nothing in the
graded frame tells it from the look's (docs/benchmarks.md, "Split-tone cross-scene"). In a production the
reference is almost always a graded frame of the production's own footage: its ungraded original is in the
dailies. Given it, the look needs no guess:

1. each original frame is registered to the graded reference frame it was graded into (``register``: grade-blind
   key points and optical flow, so a re-framed or re-sized export still pairs up); the registration must hold over
   a good share of the frame and correlate (``fit.COVER_MIN``, ``fit.NCC_MIN``), else the original is not the
   reference's frame;
2. the smooth grade is fitted to the pixel pairs (original colour → reference colour) as an exemplar look is, with
   the same hue-uniform prior (``exemplars.UNIFORM``): the pairs show only the reference scene's colours and the
   shot may hold others;
3. the look is accepted only when one grade explains its pairs (inliers ≥ ``exemplars.LOOK_INLIER_MIN``, as for
   an exemplar); a reference with local corrections (a window, a retouch) or an original of another frame is
   refused with the share it reached, never applied as a guess.

The look is then applied to the shot as it is (a look transfer: the shot keeps its own take's colour).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from editor.lighting.exemplars import LOOK_INLIER_MIN, UNIFORM
from editor.lighting.fit import COVER_MIN, NCC_MIN, Fit, fit_pairs, gather
from editor.lighting.metrics import delta_e76
from editor.lighting.register import register


@dataclass(frozen=True)
class OriginalLook:
    """The look fitted from the original's frames to the reference's: the fit, or why there is none.

    ``look`` is None when a frame pair did not register (``unregistered``: its index, correlation and coverage);
    ``accepted`` says whether the look explains its pairs (inliers ≥ ``LOOK_INLIER_MIN``); ``residual``: the mean
    ΔE76 between the look applied to the original's pixels and the reference's, over the pairs (how nearly the two
    are one picture under one grade); ``apart``: the same before any look (for a copy of the reference, only what
    re-encoding and re-framing left)."""

    look: Fit | None
    accepted: bool
    unregistered: tuple[int, float, float] | None = None
    residual: float = float("nan")
    apart: float = float("nan")


def look_from_original(
    originals: Sequence[np.ndarray],
    targets: Sequence[np.ndarray],
    prior: np.ndarray,
    *,
    uniform: float = UNIFORM,
    inlier_min: float = LOOK_INLIER_MIN,
) -> OriginalLook:
    """The look taking each of ``originals`` to the target frame at the same index (float RGB, any sizes).

    Raises:
        ValueError: the two lists differ in length or are empty (a caller's bug: the frames are read in pairs).
    """
    if not originals or len(originals) != len(targets):
        raise ValueError(f"{len(originals)} original frames for {len(targets)} reference frames")
    src, dst, nccs, covers = [], [], [], []
    for i, (o, t) in enumerate(zip(originals, targets, strict=True)):
        reg = register(np.asarray(o, np.float32), np.asarray(t, np.float32))
        if reg.ncc < NCC_MIN or reg.coverage < COVER_MIN or int(reg.valid.sum()) < 256:
            return OriginalLook(None, False, (i, round(reg.ncc, 4), round(reg.coverage, 4)))
        src.append(reg.src[reg.valid])
        dst.append(reg.ref[reg.valid])
        nccs.append(reg.ncc)
        covers.append(reg.coverage)
    pairs = gather(src, dst, nccs, covers)
    look = fit_pairs(pairs, init=prior, uniform=uniform)
    residual = delta_e76(look.grade.apply(pairs.src[None]), pairs.ref[None])
    apart = delta_e76(pairs.src[None], pairs.ref[None])
    return OriginalLook(look, look.inliers >= inlier_min, residual=round(residual, 4), apart=round(apart, 4))
