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
solved; everywhere ``α = 1`` the result is the pixel itself, so a solid performer is never altered.
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


def _multilevel(image: F32, alpha: F32, plate: F32, prior: F32) -> F32:
    h, w = alpha.shape
    levels = max(1, math.ceil(math.log2(max(h, w))))
    weight = alpha.sum()
    init = (image * alpha[..., None]).reshape(-1, 3).sum(0) / weight if weight > 0 else image.reshape(-1, 3).mean(0)
    fg = np.broadcast_to(init.astype(np.float32), (1, 1, 3)).copy()
    bg = cv2.resize(plate, (1, 1), interpolation=cv2.INTER_AREA).reshape(1, 1, 3)
    for level in range(levels + 1):
        lh, lw = max(1, round(h ** (level / levels))), max(1, round(w ** (level / levels)))
        if (lh, lw) == (h, w):
            im, al, pl, pr = image, alpha, plate, prior
        else:
            im = cv2.resize(image, (lw, lh), interpolation=cv2.INTER_AREA).reshape(lh, lw, 3)
            al = cv2.resize(alpha, (lw, lh), interpolation=cv2.INTER_AREA).reshape(lh, lw)
            pl = cv2.resize(plate, (lw, lh), interpolation=cv2.INTER_AREA).reshape(lh, lw, 3)
            pr = cv2.resize(prior, (lw, lh), interpolation=cv2.INTER_AREA).reshape(lh, lw)
        fg = cv2.resize(fg, (lw, lh), interpolation=cv2.INTER_NEAREST).reshape(lh, lw, 3)
        bg = cv2.resize(bg, (lw, lh), interpolation=cv2.INTER_NEAREST).reshape(lh, lw, 3)
        n = SMALL_ITERATIONS if max(lh, lw) <= SMALL_SIZE else BIG_ITERATIONS
        fg, bg = _sweeps(im, al, pl, pr, fg, bg, n)
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
