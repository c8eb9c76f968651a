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
from editor.lighting.fit import INLIER_MIN, Correspondence, Fit, fit_pairs
from editor.lighting.grade import Grade
from editor.lighting.model import GradeNet


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
    back = exemplars.pairs_to(src_frames[:2], exemplar_is_source=False)
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
