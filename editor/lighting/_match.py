"""The grade for a shot: ``match_grade`` takes sampled frames of the shot to the look of target frames, and says
which fit produced it (steps 2 and 3 of the lighting edit, :mod:`editor.lighting.relight`, which re-exports it).

The project's model predicts the grade from thumbnails; it is then refined on corresponding pixels (the same set-up,
or the shot itself adjusted), on the colours of a user-picked reference patch, from the reference's own ungraded
original (``editor.lighting.original``: the look known, not guessed), from that original found in the project's
dailies (``editor.lighting.search``), or through the project's exemplars for another scene; with none of those the
model's prediction stands (``"model"``, flagged). The result is finished into a ``Grade``: its 33³ LUT and the
least-squares CDL with its residual ΔE.
"""

from __future__ import annotations

import cv2
import numpy as np

from editor.errors import EditParameterError
from editor.lighting.cdl import fit_pairs
from editor.lighting.exemplars import LOOK_INLIER_MIN, UNIFORM, Exemplars, look_from_exemplars
from editor.lighting.fit import COVER_MIN, INLIER_MIN, NCC_MIN, Correspondence, correspond, fit_distribution
from editor.lighting.fit import fit_pairs as fit_grade_pairs
from editor.lighting.grade import Grade
from editor.lighting.metrics import delta_e76
from editor.lighting.model import THUMB, GradeNet
from editor.lighting.original import look_from_original
from editor.lighting.search import Dailies, Search, find_original
from editor.lighting.smooth import SmoothGrade
from media import Region


def _thumb(rgb: np.ndarray) -> np.ndarray:
    return cv2.resize(np.asarray(rgb, np.float32), (THUMB, THUMB), interpolation=cv2.INTER_AREA)


def _crop(rgb: np.ndarray, r: Region) -> np.ndarray:
    return rgb[r.y : r.y + r.height, r.x : r.x + r.width]


def _pixels(frames: list[np.ndarray], weights: np.ndarray | None, n: int, seed: int) -> np.ndarray:
    """Up to ``n`` pixels of ``frames`` where ``weights`` > 0 (all pixels without weights)."""
    rows = [f.reshape(-1, 3) if weights is None else f[weights > 0] for f in frames]
    px = np.concatenate(rows)
    if len(px) > n:
        px = px[np.random.default_rng(seed).choice(len(px), n, replace=False)]
    return px


def _finish(
    smooth: SmoothGrade,
    method: str,
    inliers: float,
    ncc: float,
    pixels: np.ndarray,
    refused: float = float("nan"),
    search: Search | None = None,
) -> Grade:
    lut = smooth.lut(33)
    graded = smooth.apply_exact(pixels)
    cdl = fit_pairs(pixels, graded)
    residual = round(delta_e76(cdl.apply(pixels), graded), 4)
    return Grade(smooth, lut, cdl, method, round(inliers, 4), round(ncc, 4), residual, round(refused, 4), search)


def match_grade(
    net: GradeNet,
    exemplars: Exemplars,
    src_frames: list[np.ndarray],
    target_frames: list[np.ndarray],
    *,
    weights: np.ndarray | None = None,
    target_patch: Region | None = None,
    same_frames: bool = False,
    originals: list[np.ndarray] | None = None,
    dailies: Dailies | None = None,
    uniform: float = UNIFORM,
    look_inlier_min: float = LOOK_INLIER_MIN,
    cover_min: float = COVER_MIN,
) -> Grade:
    """The smooth grade taking ``src_frames`` (float RGB, whole frames) to the look of ``target_frames``.

    Args:
        net: The project's lighting model.
        exemplars: The project's ungraded exemplar frames (for references from another scene).
        src_frames: Sampled frames of the shot.
        target_frames: The target look: reference frame(s) with the adjustments applied.
        weights: The region's feathered weights (shot-sized): only pixels there are matched.
        target_patch: A user-picked patch of the target frames: the region is matched to its colours.
        same_frames: ``target_frames`` are ``src_frames`` adjusted (no reference): pixels correspond 1:1.
        originals: The reference's ungraded original, one frame per target frame: the look is fitted from them to
            the targets and applied to the shot as it is (``"original"``), whatever the shot shows.
        dailies: Clips to search for the reference's original when neither the shot's frames nor a named original
            give the look (``editor.lighting.search``; found: ``"dailies"``, and the search is kept on the grade).
        uniform: Weight of the hue-uniform prior on a look fitted through the project's exemplars
            (``editor.lighting.exemplars.UNIFORM``; 0 = the fit as before 2026-12-03, for the benchmark's peer).
        look_inlier_min: Share of its pairs an exemplar look must explain to be used
            (``editor.lighting.exemplars.LOOK_INLIER_MIN``; ``fit.INLIER_MIN`` = the acceptance before 2026-12-03,
            for the benchmark's peer).
        cover_min: Share of the frame the shot's registration to the reference must hold on for the reference to
            count as the same set-up (``editor.lighting.fit.COVER_MIN``; 0 = the acceptance before 2026-12-06, for
            the benchmark's peer).

    Raises:
        EditParameterError: ``originals`` are not the targets' ungraded frames (a pair does not register, or no one
            grade explains their pixel pairs).
    """
    prior = net.predict(np.stack([_thumb(f) for f in src_frames]), np.stack([_thumb(f) for f in target_frames]))
    src_px = _pixels(src_frames, weights, 20000, 0)
    if same_frames:
        sel = [np.ones(f.shape[:2], bool) if weights is None else weights > 0 for f in src_frames]
        w = np.concatenate([np.ones(int(m.sum())) if weights is None else weights[m] for m in sel])
        corr = Correspondence(
            np.concatenate([f[m] for f, m in zip(src_frames, sel, strict=True)]),
            np.concatenate([t[m] for t, m in zip(target_frames, sel, strict=True)]),
            w.astype(np.float32),
            1.0,
        )
        idx = np.random.default_rng(0).choice(len(corr.src), min(len(corr.src), 24000), replace=False)
        corr = Correspondence(corr.src[idx], corr.ref[idx], corr.weight[idx], 1.0)
        fit = fit_grade_pairs(corr, init=prior)
        return _finish(fit.grade, "pairs", fit.inliers, 1.0, src_px)
    if originals is not None:
        return _from_original(originals, target_frames, prior, uniform, look_inlier_min, src_px)
    if target_patch is not None:
        patch = [_crop(t, target_patch).reshape(-1, 3) for t in target_frames]
        fit = fit_distribution(src_px, np.concatenate(patch), prior=prior, prior_weight=0.02)
        return _finish(fit.grade, "distribution", float("nan"), float("nan"), src_px)
    corr = correspond(src_frames, target_frames, weights)
    if corr.ncc >= NCC_MIN and corr.coverage >= cover_min and len(corr.src) >= 256:
        fit = fit_grade_pairs(corr, init=prior)
        if fit.inliers >= INLIER_MIN:
            return _finish(fit.grade, "pairs", fit.inliers, corr.ncc, src_px)
    search = None
    if dailies is not None and dailies.clips:
        search = find_original(target_frames, dailies, prior, src_px, uniform=uniform, inlier_min=look_inlier_min)
        if search.found is not None:
            look = search.found.look
            return _finish(look.grade, "dailies", look.inliers, look.ncc, src_px, search=search)
    found = look_from_exemplars(exemplars, target_frames, prior, uniform=uniform, inlier_min=look_inlier_min)
    if found is None or not found.accepted:
        refused = float("nan") if found is None else found.look.inliers
        return _finish(SmoothGrade.from_theta(prior), "model", float("nan"), corr.ncc, src_px, refused, search)
    return _finish(found.look.grade, "exemplar", found.look.inliers, found.look.ncc, src_px, search=search)


def _from_original(
    originals: list[np.ndarray],
    targets: list[np.ndarray],
    prior: np.ndarray,
    uniform: float,
    inlier_min: float,
    src_px: np.ndarray,
) -> Grade:
    found = look_from_original(originals, targets, prior, uniform=uniform, inlier_min=inlier_min)
    if found.look is None:
        assert found.unregistered is not None  # no look: a frame pair did not register
        i, ncc, cover = found.unregistered
        raise EditParameterError(
            f"the reference's original does not show the reference's frame (frame pair {i + 1} of {len(targets)} "
            f"does not register: it holds on {cover:.0%} of the frame with correlation {ncc:.2f}, where a frame "
            f"and its graded version hold on {COVER_MIN:.0%} and more with {NCC_MIN} and more): give the ungraded "
            "clip the reference was graded from, and its frame (SHOT@FRAME) when the reference is a single frame"
        )
    if not found.accepted:
        raise EditParameterError(
            f"one grade explains only {found.look.inliers:.0%} of the pixel pairs between the reference and its "
            f"original (a frame and its graded version reach {inlier_min:.0%} and more): the reference carries "
            "local corrections (windows, keys, retouching) or the original is another frame; relight without "
            "--reference-original, or with a reference patch (--reference-region)"
        )
    return _finish(found.look.grade, "original", found.look.inliers, found.look.ncc, src_px)
