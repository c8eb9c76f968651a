"""Fitting a smooth grade (``editor.lighting.smooth``) that takes a shot to a target look.

Two ways, chosen by what the reference offers:

1. **Corresponding pixels** — the reference shows the same set-up (another frame of the take, another take of the
   same camera position, or the shot itself with adjustments). Each sampled shot frame is registered to each
   reference frame (``editor.lighting.register``: grade-blind key points + optical flow), giving pixel pairs (shot
   colour, reference colour). The grade is fitted
   to the pairs with a robust (Charbonnier) loss, so pixels that changed between the frames (a hand that moved, a
   face that turned) count little; a forward–backward flow check and the fit's own inlier test drop the rest. The
   reference is accepted as corresponding when the registration holds over a good share of the frame (coverage ≥
   ``COVER_MIN``), the registered grey images correlate (NCC ≥ ``NCC_MIN``) and most pairs agree with the fitted
   grade (inliers ≥ ``INLIER_MIN``). Until 2026-12-06 the coverage was not asked: a reference of another scene at
   the shot's frame size could pass, and the shot was matched pixel by pixel to the other scene's colours. With a
   region, only pairs inside it (weighted by its feathered weights) count — the region is matched to the
   *corresponding region* of the reference.
2. **Colour distributions** — another scene, or a user-picked reference patch. The grade minimises a sliced
   Wasserstein distance between the graded shot's colours and the reference's (16 fixed directions: the channels,
   luma, two opponent axes and ten seeded random ones; 48 quantiles each), starting from — and pulled towards — the
   project model's prediction. Whatever the distance asks for, the grade stays in the smooth family, so it can
   shift and stretch colours but cannot paint new ones.

Both fits add the smoothness regulariser of ``smooth.regulariser``; a pair fit may add the hue-uniform prior
``smooth.hue_bias`` (``uniform``: for pairs that show only part of the colour space, ``editor.lighting.exemplars``).
Deterministic (fixed sample seeds, LBFGS).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from editor.lighting.register import register
from editor.lighting.smooth import N_PARAMS, SmoothGrade, apply_torch, hue_bias, regulariser

NCC_MIN = 0.5  # registered, equalised grey images of the same set-up correlate at 0.7–0.99; other scenes < 0.3
# Share of the frames' overlap whose registration holds (``Registration.coverage``), measured 2026-12-06 on the shared
# footage at its own sizes and resized to 320×240, 640×480 and 1280×720: the same take 0.83–0.98, another take of the
# set-up 0.67–0.97, a re-framed frame 0.84–0.89, zoomed 1.4× 0.78–0.95; a frame that only resembles it (another weekly
# address) 0.03–0.09, another scene 0.00–0.03 — where, at the same frame size, the correlation over those pixels was
# 0.58–0.97 — and a 2–3× zoom the registration does not follow 0.003–0.04.
COVER_MIN = 0.25
INLIER_MIN = 0.5  # share of pairs within INLIER_TOL of the fitted grade
INLIER_TOL = 0.06  # RGB distance ([0, 1] units)
MAX_PAIRS = 8000
_CHARB = 0.01


@dataclass(frozen=True)
class Correspondence:
    """Pixel pairs between shot and reference frames: colours (K, 3) each, weights (K,), the registration's
    grey-level correlation and the share of the frame it holds on (``coverage``; means over frame pairs; 1 for pairs
    that correspond by construction)."""

    src: np.ndarray
    ref: np.ndarray
    weight: np.ndarray
    ncc: float
    coverage: float = 1.0


@dataclass(frozen=True)
class Fit:
    """A fitted grade and how it was found: ``method`` ``"pairs"`` or ``"distribution"``, the share of pairs it
    explains (``inliers``; distribution fits: NaN), the registration's correlation and the fit's final loss."""

    grade: SmoothGrade
    method: str
    inliers: float
    ncc: float
    loss: float


def correspond(
    src_frames: Sequence[np.ndarray],
    ref_frames: Sequence[np.ndarray],
    weights: np.ndarray | None = None,
    *,
    seed: int = 0,
) -> Correspondence:
    """Register the shot frames to the reference frames (``editor.lighting.register``; each shot frame to one
    reference frame, round robin) and collect pixel pairs, weighted by ``weights`` (shot-sized, ≥ 0: a region's
    feathered weights) where given."""
    srcs, refs, ws, nccs, covers = [], [], [], [], []
    for k in range(max(len(src_frames), len(ref_frames))):
        reg = register(src_frames[k % len(src_frames)], ref_frames[k % len(ref_frames)])
        nccs.append(reg.ncc)
        covers.append(reg.coverage)
        h, w = reg.src.shape[:2]
        wt = np.ones((h, w), np.float32)
        if weights is not None:
            wt = cv2.resize(weights, (w, h), interpolation=cv2.INTER_AREA)
        sel = reg.valid & (wt > 0)
        srcs.append(reg.src[sel])
        refs.append(reg.ref[sel])
        ws.append(wt[sel])
    return gather(srcs, refs, nccs, covers, ws, seed=seed)


def gather(
    srcs: Sequence[np.ndarray],
    refs: Sequence[np.ndarray],
    nccs: Sequence[float],
    covers: Sequence[float],
    weights: Sequence[np.ndarray] | None = None,
    *,
    seed: int = 0,
) -> Correspondence:
    """The pixel pairs of several registered frame pairs as one ``Correspondence``: concatenated, at most
    ``MAX_PAIRS`` of them (a seeded random sample, in order), weighted 1 unless ``weights`` are given, with the
    frame pairs' mean correlation and coverage (0 when there were none)."""
    src, ref = np.concatenate(srcs), np.concatenate(refs)
    wts = np.ones(len(src), np.float32) if weights is None else np.concatenate(weights)
    if len(src) > MAX_PAIRS:
        idx = np.sort(np.random.default_rng(seed).choice(len(src), MAX_PAIRS, replace=False))
        src, ref, wts = src[idx], ref[idx], wts[idx]
    return Correspondence(
        src, ref, wts, float(np.mean(nccs)) if nccs else 0.0, float(np.mean(covers)) if covers else 0.0
    )


def _lbfgs(theta0: np.ndarray, loss_fn: object, iters: int) -> tuple[np.ndarray, float]:
    theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([theta], lr=1.0, max_iter=iters, history_size=20, line_search_fn="strong_wolfe")
    last = [0.0]

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = loss_fn(theta)  # type: ignore[operator]
        loss.backward()
        last[0] = float(loss.detach())
        return loss

    opt.step(closure)
    return theta.detach().numpy().copy(), last[0]


def fit_pairs(
    corr: Correspondence,
    *,
    init: np.ndarray | None = None,
    smooth: float = 2e-4,
    uniform: float = 0.0,
    iters: int = 100,
) -> Fit:
    """Robust fit of the grade to corresponding pixels (two rounds: the second drops pairs the first cannot
    explain, > 3·INLIER_TOL); ``uniform`` > 0 adds ``uniform · hue_bias(θ)`` (a mix that treats hues alike)."""
    torch.set_num_threads(1)
    s = torch.from_numpy(corr.src.astype(np.float64))[None]
    r = torch.from_numpy(corr.ref.astype(np.float64))[None]
    w = torch.from_numpy(corr.weight.astype(np.float64))
    theta = np.zeros(N_PARAMS) if init is None else np.asarray(init, np.float64)
    keep = torch.ones_like(w)
    loss = 0.0
    for _ in range(2):
        ww = w * keep
        norm = float(ww.sum()) + 1e-9

        def loss_fn(t: torch.Tensor, ww: torch.Tensor = ww, norm: float = norm) -> torch.Tensor:
            d = apply_torch(t[None], s)[0] - r[0]
            charb = torch.sqrt((d * d).sum(-1) + _CHARB**2) - _CHARB
            reg = smooth * regulariser(t[None])[0]
            if uniform:
                reg = reg + uniform * hue_bias(t[None])[0]
            return (charb * ww).sum() / norm + reg

        theta, loss = _lbfgs(theta, loss_fn, iters)
        with torch.no_grad():
            err = (apply_torch(torch.from_numpy(theta)[None], s)[0] - r[0]).norm(dim=-1)
        keep = (err < 3 * INLIER_TOL).double()
    inl = float(((err < INLIER_TOL).double() * w).sum() / (w.sum() + 1e-9))
    return Fit(SmoothGrade.from_theta(theta), "pairs", inl, corr.ncc, loss)


def _directions(seed: int = 7) -> torch.Tensor:
    fixed = np.array(
        [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.2126, 0.7152, 0.0722], [1, -1, 0], [0.5, 0.5, -1]], np.float64
    )
    rnd = np.random.default_rng(seed).normal(size=(10, 3))
    d = np.concatenate([fixed, rnd])
    return torch.from_numpy(d / np.linalg.norm(d, axis=1, keepdims=True))


_QS = torch.linspace(0.01, 0.99, 48, dtype=torch.float64)


def _proj_quantiles(x: torch.Tensor, dirs: torch.Tensor) -> torch.Tensor:
    return torch.quantile(x @ dirs.T, _QS, dim=0)  # (Q, D)


def fit_distribution(
    src: np.ndarray,
    ref: np.ndarray,
    *,
    prior: np.ndarray | None = None,
    prior_weight: float = 0.0,
    smooth: float = 2e-4,
    iters: int = 150,
    max_samples: int = 12000,
    seed: int = 0,
) -> Fit:
    """The grade whose output's colour distribution is closest (sliced Wasserstein) to ``ref``'s, starting from
    ``prior`` (the model's prediction) and pulled towards it with ``prior_weight``."""
    torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    s = np.asarray(src, np.float64).reshape(-1, 3)
    r = np.asarray(ref, np.float64).reshape(-1, 3)
    if len(s) > max_samples:
        s = s[rng.choice(len(s), max_samples, replace=False)]
    if len(r) > max_samples:
        r = r[rng.choice(len(r), max_samples, replace=False)]
    dirs = _directions()
    st = torch.from_numpy(s)[None]
    target = _proj_quantiles(torch.from_numpy(r), dirs)
    p = torch.zeros(N_PARAMS, dtype=torch.float64) if prior is None else torch.from_numpy(np.asarray(prior, float))

    def loss_fn(t: torch.Tensor) -> torch.Tensor:
        q = _proj_quantiles(apply_torch(t[None], st)[0], dirs)
        sw = (q - target).pow(2).mean()
        return sw + smooth * regulariser(t[None])[0] + prior_weight * (t - p).pow(2).mean()

    theta, loss = _lbfgs(p.numpy().copy(), loss_fn, iters)
    return Fit(SmoothGrade.from_theta(theta), "distribution", float("nan"), float("nan"), loss)
