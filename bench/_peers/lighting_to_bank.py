"""The cross-scene grade as main 5ee95ce made it: the look through the project's exemplars, composed with the shot
mapped onto its own set-up's exemplar first (``to_bank``) whenever the shot registered to one but differed from it.

Removed from the product on 2026-12-05 (docs/benchmarks.md, "The shot's own colour kept"); kept here, built from the
product's own pieces, so ``bench/lighting.py`` runs it in the same run as the product. It differs from the product
only where the product fits an exemplar look and the shot is not in its exemplar's colours.
"""

from __future__ import annotations

import numpy as np

from editor.lighting import match_grade
from editor.lighting._match import _finish, _pixels, _thumb
from editor.lighting.exemplars import LOOK_INLIER_MIN, UNIFORM, Exemplars, look_from_exemplars
from editor.lighting.fit import COVER_MIN, INLIER_MIN, NCC_MIN, Correspondence, Fit, fit_pairs, gather
from editor.lighting.grade import Grade
from editor.lighting.model import GradeNet
from editor.lighting.register import register


def _near_identity(fit: Fit, corr: Correspondence) -> bool:
    """main's test that the shot is already in the exemplars' state: mapping it moves colours by < 0.01 RGB."""
    return bool(np.abs(fit.grade.apply_exact(corr.src) - corr.src).mean() < 0.01)


def match_grade_to_bank(
    net: GradeNet,
    exemplars: Exemplars,
    src_frames: list[np.ndarray],
    target_frames: list[np.ndarray],
    *,
    uniform: float = UNIFORM,
    look_inlier_min: float = LOOK_INLIER_MIN,
) -> Grade:
    """``match_grade`` for a whole-frame reference, as main 5ee95ce (``to_bank`` composed in)."""
    g = match_grade(net, exemplars, src_frames, target_frames, uniform=uniform, look_inlier_min=look_inlier_min)
    if g.method != "exemplar":
        return g
    prior = net.predict(np.stack([_thumb(f) for f in src_frames]), np.stack([_thumb(f) for f in target_frames]))
    found = look_from_exemplars(exemplars, target_frames, prior, uniform=uniform, inlier_min=look_inlier_min)
    assert found is not None and found.accepted  # the product's own path just accepted the same look
    back = _pairs_from(exemplars, src_frames[:2])
    if back is None:
        return g
    to_bank = fit_pairs(back)
    if to_bank.inliers < INLIER_MIN or _near_identity(to_bank, back):
        return g
    look = found.look
    src_px = _pixels(src_frames, None, 20000, 0)
    sample = src_px[:8000]
    both = Correspondence(sample, look.grade.apply_exact(to_bank.grade.apply_exact(sample)), np.ones(len(sample)), 1.0)
    fit = fit_pairs(both, init=look.grade.theta)
    return _finish(fit.grade, "exemplar", look.inliers, look.ncc, src_px)


def _pairs_from(exemplars: Exemplars, targets: list[np.ndarray]) -> Correspondence | None:
    """Pixel pairs (target → exemplar) between ``targets`` and their best-matching exemplars: main's
    ``Exemplars.pairs_to(exemplar_is_source=False)``, which only this peer used."""
    src, dst, nccs, covers = [], [], [], []
    for t in targets:
        best = None
        for k, flip in exemplars._candidates(t):
            ex = exemplars.frames[k][:, ::-1] if flip else exemplars.frames[k]
            reg = register(t, ex.astype(np.float32) / 255.0)
            if reg.ncc >= NCC_MIN and reg.coverage >= COVER_MIN and (best is None or reg.ncc > best.ncc):
                best = reg
        if best is not None:
            src.append(best.src[best.valid])
            dst.append(best.ref[best.valid])
            nccs.append(best.ncc)
            covers.append(best.coverage)
    return gather(src, dst, nccs, covers) if src else None
