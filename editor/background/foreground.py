"""Foreground colour estimation: the performer's own colour where the matte is fractional, freed of the old set.

Where ``0 < α < 1`` (hair, a motion-blurred hand, the anti-aliased rim of a shoulder) a pixel of the take is a mix
``I = α·F + (1 − α)·B`` of the performer ``F`` and the old set ``B``. Compositing the pixel itself (``F := I``)
over a new plate ``Q`` gives ``α·I + (1 − α)·Q``, which still carries ``α(1 − α)·B`` of the old set: a thin fringe
of the old background's colour (dark before a dark set) around the hair. The edit composites ``F`` recovered by
this module instead.

Method: multi-level foreground estimation (Germer, Uelwer, Conrad and Harmeling, "Fast Multi-Level Foreground
Estimation", ICPR 2020), with the clean plate as a prior on ``B``. ``F`` and ``B`` minimise, per colour channel,

    Σ_i (α_i F_i + (1 − α_i) B_i − I_i)²  +  Σ_i λ_i (B_i − P_i)²
      + Σ_{i~j} (ε + β |α_i − α_j|) ((F_i − F_j)² + (B_i − B_j)²)

(``i~j``: 4-neighbours; ``P`` the clean plate; ``λ_i`` large where the plate was observed, 0 where it was
inpainted, so there ``B`` is estimated from its neighbours as in the paper). The solution is built coarse to fine:
on each level of a pyramid from 1×1 to the image's size (sizes ``h^(l/L)``), ``F`` and ``B`` from the level below
are brought up by nearest-neighbour resizing and refined by a few Jacobi sweeps, each solving every pixel's 2×2
normal equations with its neighbours held fixed. Only the bounding box of the fractional pixels (plus a margin) is
solved, and on levels larger than 32 pixels only the fractional rim (plus ``RIM`` pixels) is updated — elsewhere
the data term pins ``F`` (``α = 1``) or ``B`` (``α = 0``) and the level below's values stand; everywhere ``α = 1``
the result is the pixel itself, so a solid performer is never altered.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from editor.background.errors import BackgroundError

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays

EPS = 5e-3  # smoothness everywhere (ε)
BETA = 1.0  # extra smoothness across alpha edges (β)
PLATE_WEIGHT = 10.0  # λ where the plate was observed
SMALL_SIZE = 32  # levels up to this size get SMALL_ITERATIONS sweeps, larger ones BIG_ITERATIONS
SMALL_ITERATIONS = 10
BIG_ITERATIONS = 2
MARGIN = 8  # pixels around the fractional region solved with it
RIM = 2  # on the large levels, only the fractional pixels and this many around them are updated


def _shifted(x: F32) -> tuple[F32, F32, F32, F32]:
    """The up, down, left and right neighbours of every pixel (edge-replicated)."""
    p = np.pad(x, ((1, 1), (1, 1)) + ((0, 0),) * (x.ndim - 2), mode="edge")
    return p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]


def _weights(alpha: F32) -> tuple[F32, ...]:
    """Neighbour weights ``ε + β|α_i − α_j|``, zero across the image border."""
    out = []
    h, w = alpha.shape
    for k, nb in enumerate(_shifted(alpha)):
        wt = (EPS + BETA * np.abs(alpha - nb)).astype(np.float32)
        if k == 0:
            wt[0] = 0
        elif k == 1:
            wt[h - 1] = 0
        elif k == 2:
            wt[:, 0] = 0
        else:
            wt[:, w - 1] = 0
        out.append(wt[..., None])
    return tuple(out)


def _sweeps(image: F32, alpha: F32, plate: F32, prior: F32, fg: F32, bg: F32, n: int) -> tuple[F32, F32]:
    """``n`` Jacobi sweeps of the per-pixel 2×2 normal equations on one level."""
    a = alpha[..., None]
    lam = prior[..., None]
    ws = _weights(alpha)
    wsum = ws[0] + ws[1] + ws[2] + ws[3]
    a11 = a * a + wsum
    a12 = a * (1 - a)
    a22 = (1 - a) * (1 - a) + wsum + lam
    det = np.maximum(a11 * a22 - a12 * a12, 1e-12)
    rhs_f0 = a * image
    rhs_b0 = (1 - a) * image + lam * plate
    for _ in range(n):
        nf, nb = _shifted(fg), _shifted(bg)
        sf = ws[0] * nf[0] + ws[1] * nf[1] + ws[2] * nf[2] + ws[3] * nf[3]
        sb = ws[0] * nb[0] + ws[1] * nb[1] + ws[2] * nb[2] + ws[3] * nb[3]
        b1, b2 = rhs_f0 + sf, rhs_b0 + sb
        fg = np.clip((a22 * b1 - a12 * b2) / det, 0.0, 1.0).astype(np.float32)
        bg = np.clip((a11 * b2 - a12 * b1) / det, 0.0, 1.0).astype(np.float32)
    return fg, bg


def _sparse_sweeps(
    image: F32, alpha: F32, plate: F32, prior: F32, fg: F32, bg: F32, n: int, active: np.ndarray
) -> tuple[F32, F32]:
    """The same sweeps as :func:`_sweeps`, updating only the ``active`` pixels (their neighbours outside it are
    held at their current values): on the large levels only the fractional rim needs solving."""
    h, w = alpha.shape
    idx = np.flatnonzero(active)
    ys, xs = np.divmod(idx, w)
    nbs = (
        np.where(ys > 0, idx - w, idx),
        np.where(ys < h - 1, idx + w, idx),
        np.where(xs > 0, idx - 1, idx),
        np.where(xs < w - 1, idx + 1, idx),
    )
    al = alpha.reshape(-1)
    a = al[idx][:, None]
    ws = [np.where(nb == idx, 0.0, EPS + BETA * np.abs(al[idx] - al[nb])).astype(np.float32)[:, None] for nb in nbs]
    wsum = ws[0] + ws[1] + ws[2] + ws[3]
    lam = prior.reshape(-1)[idx][:, None]
    a11 = a * a + wsum
    a12 = a * (1 - a)
    a22 = (1 - a) * (1 - a) + wsum + lam
    det = np.maximum(a11 * a22 - a12 * a12, 1e-12)
    im = image.reshape(-1, 3)[idx]
    rhs_f0 = a * im
    rhs_b0 = (1 - a) * im + lam * plate.reshape(-1, 3)[idx]
    ff, bf = fg.reshape(-1, 3).copy(), bg.reshape(-1, 3).copy()
    for _ in range(n):
        sf = ws[0] * ff[nbs[0]] + ws[1] * ff[nbs[1]] + ws[2] * ff[nbs[2]] + ws[3] * ff[nbs[3]]
        sb = ws[0] * bf[nbs[0]] + ws[1] * bf[nbs[1]] + ws[2] * bf[nbs[2]] + ws[3] * bf[nbs[3]]
        b1, b2 = rhs_f0 + sf, rhs_b0 + sb
        ff[idx] = np.clip((a22 * b1 - a12 * b2) / det, 0.0, 1.0)
        bf[idx] = np.clip((a11 * b2 - a12 * b1) / det, 0.0, 1.0)
    return ff.reshape(fg.shape), bf.reshape(bg.shape)


def _rim(alpha: F32) -> np.ndarray:
    """The fractional pixels of a level and ``RIM`` pixels around them."""
    soft = ((alpha > 0) & (alpha < 1)).astype(np.uint8)
    return cv2.dilate(soft, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * RIM + 1, 2 * RIM + 1))) > 0


def _multilevel(image: F32, alpha: F32, plate: F32, prior: F32) -> F32:
    h, w = alpha.shape
    levels = max(1, math.ceil(math.log2(max(h, w))))
    sizes = [(max(1, round(h ** (k / levels))), max(1, round(w ** (k / levels)))) for k in range(levels + 1)]
    # The inputs on every level, each reduced from the level above it (one pass over the full image in all).
    pyramid = [(image, alpha, plate, prior)]
    for lh, lw in reversed(sizes[:-1]):
        im, al, pl, pr = pyramid[-1]
        pyramid.append(
            (
                cv2.resize(im, (lw, lh), interpolation=cv2.INTER_AREA).reshape(lh, lw, 3),
                cv2.resize(al, (lw, lh), interpolation=cv2.INTER_AREA).reshape(lh, lw),
                cv2.resize(pl, (lw, lh), interpolation=cv2.INTER_AREA).reshape(lh, lw, 3),
                cv2.resize(pr, (lw, lh), interpolation=cv2.INTER_AREA).reshape(lh, lw),
            )
        )
    weight = alpha.sum()
    init = (image * alpha[..., None]).reshape(-1, 3).sum(0) / weight if weight > 0 else image.reshape(-1, 3).mean(0)
    fg = np.broadcast_to(init.astype(np.float32), (1, 1, 3)).copy()
    bg = pyramid[-1][2].reshape(-1, 3).mean(0).astype(np.float32).reshape(1, 1, 3)
    for (lh, lw), (im, al, pl, pr) in zip(sizes, reversed(pyramid), strict=True):
        fg = cv2.resize(fg, (lw, lh), interpolation=cv2.INTER_NEAREST).reshape(lh, lw, 3)
        bg = cv2.resize(bg, (lw, lh), interpolation=cv2.INTER_NEAREST).reshape(lh, lw, 3)
        if max(lh, lw) <= SMALL_SIZE:
            fg, bg = _sweeps(im, al, pl, pr, fg, bg, SMALL_ITERATIONS)
            continue
        active = _rim(al)
        if active.mean() > 0.5:
            fg, bg = _sweeps(im, al, pl, pr, fg, bg, BIG_ITERATIONS)
        else:
            fg, bg = _sparse_sweeps(im, al, pl, pr, fg, bg, BIG_ITERATIONS, active)
    return fg


def estimate_foreground(image: F32, alpha: F32, plate: F32, known: np.ndarray | None = None) -> F32:
    """The performer's colour ``F`` (H×W×3 float32 in [0, 1]) behind ``image`` given its matte ``alpha`` and the
    clean ``plate`` (observed where ``known``; everywhere when ``known`` is None).

    ``F`` equals ``image`` wherever ``α = 1`` or no pixel of the frame is fractional; where ``α = 0`` it is the
    solver's smooth continuation (it has no weight in a composite).

    Raises:
        BackgroundError: If the shapes disagree.
    """
    if image.ndim != 3 or image.shape[2] != 3 or alpha.shape != image.shape[:2] or plate.shape != image.shape:
        raise BackgroundError(
            f"foreground estimation needs an H×W×3 frame, its H×W matte and an H×W×3 plate; "
            f"got {image.shape}, {alpha.shape}, {plate.shape}"
        )
    out = np.asarray(image, np.float32).copy()
    soft = (alpha > 0) & (alpha < 1)
    rows, cols = np.flatnonzero(soft.any(axis=1)), np.flatnonzero(soft.any(axis=0))
    if len(rows) == 0:
        return out
    h, w = alpha.shape
    box = (
        slice(max(0, rows[0] - MARGIN), min(h, rows[-1] + MARGIN + 1)),
        slice(max(0, cols[0] - MARGIN), min(w, cols[-1] + MARGIN + 1)),
    )
    prior = np.full(alpha.shape, PLATE_WEIGHT, np.float32) if known is None else known * np.float32(PLATE_WEIGHT)
    fg = _multilevel(
        np.ascontiguousarray(out[box]),
        np.ascontiguousarray(alpha[box], dtype=np.float32),
        np.ascontiguousarray(plate[box], dtype=np.float32),
        np.ascontiguousarray(prior[box], dtype=np.float32),
    )
    a = alpha[box]
    out[box] = np.where((a < 1)[..., None], fg, out[box])
    return out
