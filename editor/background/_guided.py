"""The guided filter (He, Sun and Tang, TPAMI 2013) and its fast sub-sampled variant (He and Sun, 2015).

Written with box filters only (OpenCV's ``ximgproc`` is in opencv-contrib, which is not installed). Windows are
truncated at the image border and every mean divides by the number of pixels actually inside the window, exactly
as in the paper's reference implementation, so the result can be checked against a direct per-window
least-squares computation (see ``tests/editor/test_background_guided.py``).

Arrays are float32 in [0, 1]; the guide is ``H×W`` (grey) or ``H×W×3`` (colour), the input ``H×W``.
"""

from __future__ import annotations

import cv2
import numpy as np

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays


def box_mean(x: F32, r: int) -> F32:
    """Mean of ``x`` over the ``(2r+1)²`` window around each pixel, truncated at the border."""
    k = (2 * r + 1, 2 * r + 1)
    total = cv2.boxFilter(x, cv2.CV_32F, k, normalize=False, borderType=cv2.BORDER_CONSTANT)
    count = _window_counts(x.shape[0], x.shape[1], r)
    if total.ndim == 3:
        return (total / count[..., None]).astype(np.float32)
    return (total / count).astype(np.float32)


def _window_counts(h: int, w: int, r: int) -> F32:
    """Number of in-image pixels in each pixel's truncated window (separable: rows × columns)."""
    ys = np.arange(h)
    xs = np.arange(w)
    ny = np.minimum(ys + r, h - 1) - np.maximum(ys - r, 0) + 1
    nx = np.minimum(xs + r, w - 1) - np.maximum(xs - r, 0) + 1
    return np.outer(ny, nx).astype(np.float32)


def _coefficients(guide: F32, p: F32, r: int, eps: float) -> tuple[F32, F32]:
    """Per-window linear coefficients ``(a, b)`` with ``p ≈ a·I + b``; ``a`` is ``H×W`` or ``H×W×3``."""
    mean_p = box_mean(p, r)
    if guide.ndim == 2:
        mean_i = box_mean(guide, r)
        var_i = box_mean(guide * guide, r) - mean_i * mean_i
        cov_ip = box_mean(guide * p, r) - mean_i * mean_p
        a = cov_ip / (var_i + np.float32(eps))
        return a.astype(np.float32), (mean_p - a * mean_i).astype(np.float32)
    mean_i = box_mean(guide, r)  # H×W×3
    cov_ip = box_mean(guide * p[..., None], r) - mean_i * mean_p[..., None]
    # Symmetric 3×3 covariance of the guide in each window, regularised by eps·U.
    rr = box_mean(guide[..., 0] * guide[..., 0], r) - mean_i[..., 0] ** 2 + eps
    rg = box_mean(guide[..., 0] * guide[..., 1], r) - mean_i[..., 0] * mean_i[..., 1]
    rb = box_mean(guide[..., 0] * guide[..., 2], r) - mean_i[..., 0] * mean_i[..., 2]
    gg = box_mean(guide[..., 1] * guide[..., 1], r) - mean_i[..., 1] ** 2 + eps
    gb = box_mean(guide[..., 1] * guide[..., 2], r) - mean_i[..., 1] * mean_i[..., 2]
    bb = box_mean(guide[..., 2] * guide[..., 2], r) - mean_i[..., 2] ** 2 + eps
    # Inverse via the adjugate (the matrix is symmetric positive definite thanks to eps > 0).
    inv_rr = gg * bb - gb * gb
    inv_rg = gb * rb - rg * bb
    inv_rb = rg * gb - gg * rb
    inv_gg = rr * bb - rb * rb
    inv_gb = rb * rg - rr * gb
    inv_bb = rr * gg - rg * rg
    det = rr * inv_rr + rg * inv_rg + rb * inv_rb
    c0, c1, c2 = cov_ip[..., 0], cov_ip[..., 1], cov_ip[..., 2]
    a = np.stack(
        [
            (inv_rr * c0 + inv_rg * c1 + inv_rb * c2) / det,
            (inv_rg * c0 + inv_gg * c1 + inv_gb * c2) / det,
            (inv_rb * c0 + inv_gb * c1 + inv_bb * c2) / det,
        ],
        axis=-1,
    ).astype(np.float32)
    b = mean_p - np.sum(a * mean_i, axis=-1)
    return a, b.astype(np.float32)


def guided_filter(guide: F32, p: F32, r: int, eps: float) -> F32:
    """Filter ``p`` with the edge-preserving guided filter steered by ``guide``.

    Args:
        guide: Guide image, ``H×W`` or ``H×W×3`` float32.
        p: Input to filter, ``H×W`` float32.
        r: Window radius in pixels (window side ``2r+1``).
        eps: Regularisation; larger values smooth more across weak edges.

    Returns:
        The filtered ``H×W`` float32 image.

    Raises:
        ValueError: If the shapes disagree or ``r``/``eps`` are out of range.
    """
    _check(guide, p, r, eps)
    guide = guide.astype(np.float32, copy=False)
    p = p.astype(np.float32, copy=False)
    a, b = _coefficients(guide, p, r, eps)
    mean_a = box_mean(a, r)
    mean_b = box_mean(b, r)
    if guide.ndim == 2:
        return (mean_a * guide + mean_b).astype(np.float32)
    return (np.sum(mean_a * guide, axis=-1) + mean_b).astype(np.float32)


def fast_guided_filter(guide: F32, p: F32, r: int, eps: float, subsample: int) -> F32:
    """The fast guided filter: coefficients computed at ``1/subsample`` resolution, applied at full resolution.

    With ``subsample == 1`` this is exactly :func:`guided_filter`.

    Raises:
        ValueError: If the shapes disagree or an argument is out of range.
    """
    _check(guide, p, r, eps)
    if subsample < 1:
        raise ValueError(f"subsample must be >= 1, got {subsample}")
    if subsample == 1:
        return guided_filter(guide, p, r, eps)
    h, w = p.shape
    size = (max(1, w // subsample), max(1, h // subsample))
    g_small = cv2.resize(guide.astype(np.float32, copy=False), size, interpolation=cv2.INTER_AREA)
    p_small = cv2.resize(p.astype(np.float32, copy=False), size, interpolation=cv2.INTER_AREA)
    r_small = max(1, round(r / subsample))
    a, b = _coefficients(g_small, p_small, r_small, eps)
    mean_a = cv2.resize(box_mean(a, r_small), (w, h), interpolation=cv2.INTER_LINEAR)
    mean_b = cv2.resize(box_mean(b, r_small), (w, h), interpolation=cv2.INTER_LINEAR)
    if guide.ndim == 2:
        return (mean_a * guide + mean_b).astype(np.float32)
    return (np.sum(mean_a * guide, axis=-1) + mean_b).astype(np.float32)


def _check(guide: F32, p: F32, r: int, eps: float) -> None:
    if p.ndim != 2:
        raise ValueError(f"the filtered input must be H×W, got shape {p.shape}")
    if guide.shape[:2] != p.shape or guide.ndim not in (2, 3) or (guide.ndim == 3 and guide.shape[2] != 3):
        raise ValueError(f"guide shape {guide.shape} does not match input shape {p.shape} (H×W or H×W×3)")
    if r < 1:
        raise ValueError(f"radius must be >= 1, got {r}")
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps}")
