"""Registering two frames of the same set-up whatever their grade: which pixel of one shows what pixel of the other.

Both frames are reduced to grey and histogram-equalised (rank-normalised), which makes them comparable under any
monotone grade. Then:

1. ORB key points matched with a ratio test; RANSAC fits a similarity (rotation, scale, shift) — a re-framed,
   zoomed or slightly moved camera is brought into place. The reference is first taken at the source's pixel scale
   (a crop of the same camera's frame). Where no similarity is found, the identity is tried instead when the aspect
   ratios agree (the same view at another resolution); when they differ (a frame cut to another aspect ratio,
   against an exemplar thumbnail of the whole frame) the similarity is tried again with the reference over the
   source's width, and without one the frames do not register.
2. DIS optical flow on the pre-aligned images refines it per pixel (people who moved a little).
3. A forward–backward flow check marks the pixels whose correspondence holds; the share of the frames' overlap
   they cover (``coverage``) and the normalised cross-correlation of the equalised grey images over them say
   whether the two frames show the same set-up at all (``editor.lighting.fit``: ``COVER_MIN``, ``NCC_MIN``). The
   correlation alone does not: two scenes framed alike and shot at the same size (every shot of a production) fall
   back to the identity, the flow bends one onto the other, and over the few pixels whose flow holds the grey
   images correlate.

Everything runs at ``width`` pixels wide (320 by default): a grade is a colour mapping, resolution adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

WIDTH = 320
_MIN_MATCHES = 12


@dataclass(frozen=True)
class Registration:
    """``ref`` resampled onto the source frame's small grid (float32 RGB), where that holds (``valid``), the
    grey-level correlation over the valid pixels, the source frame on the same grid (``src``) and the share of that
    grid the alignment maps inside the reference (``overlap``)."""

    src: np.ndarray
    ref: np.ndarray
    valid: np.ndarray
    ncc: float
    overlap: float = 1.0

    @property
    def coverage(self) -> float:
        """The share of the frames' overlap (the source grid's pixels the alignment maps inside the reference)
        whose correspondence holds (``valid``)."""
        return float(self.valid.mean()) / self.overlap if self.overlap > 0 else 0.0


def small(rgb: np.ndarray, width: int = WIDTH) -> np.ndarray:
    """The frame at ``width`` pixels wide (never enlarged), float32 RGB."""
    h, w = rgb.shape[:2]
    scale = min(1.0, width / w)
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    return cv2.resize(np.asarray(rgb, np.float32), size, interpolation=cv2.INTER_AREA)


def grey_eq(rgb_small: np.ndarray) -> np.ndarray:
    """Equalised 8-bit grey of a float RGB frame."""
    g = cv2.cvtColor(np.clip(rgb_small * 255.0, 0, 255).astype(np.uint8), cv2.COLOR_RGB2GRAY)
    return cv2.equalizeHist(g)


def _similarity(ga: np.ndarray, gb: np.ndarray) -> np.ndarray | None:
    """2×3 similarity taking points of ``gb`` to ``ga`` (ORB + RANSAC), or None."""
    orb = cv2.ORB_create(nfeatures=800, fastThreshold=10)
    ka, da = orb.detectAndCompute(ga, None)
    kb, db = orb.detectAndCompute(gb, None)
    if da is None or db is None or len(ka) < _MIN_MATCHES or len(kb) < _MIN_MATCHES:
        return None
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(db, da, k=2)
    good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < 0.8 * m[1].distance]
    if len(good) < _MIN_MATCHES:
        return None
    pb = np.float32([kb[m.queryIdx].pt for m in good])
    pa = np.float32([ka[m.trainIdx].pt for m in good])
    mat, inl = cv2.estimateAffinePartial2D(pb, pa, method=cv2.RANSAC, ransacReprojThreshold=3.0, maxIters=2000)
    if mat is None or inl is None or int(inl.sum()) < _MIN_MATCHES:
        return None
    scale = float(np.hypot(mat[0, 0], mat[1, 0]))
    return mat if 0.5 < scale < 2.0 else None


@dataclass(frozen=True)
class Prealigned:
    """Step 1's result: the source frame at ``width`` px (``src``, its equalised grey ``grey``), the reference
    brought onto that grid by the similarity (or identity) found (``ref``, float RGB; ``ref_grey``), and the grid's
    pixels the alignment maps inside the reference (``inside``)."""

    src: np.ndarray
    grey: np.ndarray
    ref: np.ndarray
    ref_grey: np.ndarray
    inside: np.ndarray


def prealign(src: np.ndarray, ref: np.ndarray, *, width: int = WIDTH, retry: bool = False) -> Prealigned | None:
    """Step 1 alone: ``ref`` brought onto ``src``'s small grid by a similarity, or None where the frames do not
    register (no similarity, and no identity to fall back on). ``retry``: try the reference over the source's width
    whenever no similarity is found at the source's pixel scale, before the identity (a still re-framed and
    enlarged from the frame; ``register`` tries that only for another aspect ratio)."""
    s = small(src, width)
    h, w = s.shape[:2]
    r = small(ref, round(width * ref.shape[1] / src.shape[1]) if ref.shape[1] != src.shape[1] else width)
    gs, gr = grey_eq(s), grey_eq(r)
    mat = _similarity(gs, gr)
    other_aspect = abs(r.shape[0] / r.shape[1] - h / w) > 0.02
    if mat is None and r.shape[1] != w and (other_aspect or retry):  # the reference over our width
        r2 = small(ref, w)
        g2 = grey_eq(r2)
        mat2 = _similarity(gs, g2)
        if mat2 is not None:
            r, gr, mat = r2, g2, mat2
    if mat is None:
        if other_aspect:
            return None
        mat = np.array([[w / r.shape[1], 0, 0], [0, h / r.shape[0], 0]], np.float64)
    r_al = cv2.warpAffine(r, mat, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    inside = cv2.warpAffine(np.ones(r.shape[:2], np.uint8), mat, (w, h), flags=cv2.INTER_NEAREST) > 0
    return Prealigned(s, gs, r_al, grey_eq(r_al), inside)


def register(src: np.ndarray, ref: np.ndarray, *, width: int = WIDTH) -> Registration:
    """Register ``ref`` onto ``src`` (both float RGB, any sizes)."""
    pre = prealign(src, ref, width=width)
    if pre is None:
        s = small(src, width)
        return Registration(s, np.zeros_like(s), np.zeros(s.shape[:2], bool), 0.0, 0.0)
    s, gs, r_al, g_al, inside = pre.src, pre.grey, pre.ref, pre.ref_grey, pre.inside
    h, w = s.shape[:2]
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    fwd = dis.calc(gs, g_al, None)  # gs(x) ≈ g_al(x + fwd(x))
    bwd = dis.calc(g_al, gs, None)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    mx, my = xx + fwd[..., 0], yy + fwd[..., 1]
    back = cv2.remap(bwd, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    valid = np.hypot(fwd[..., 0] + back[..., 0], fwd[..., 1] + back[..., 1]) < 1.0
    valid &= (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)
    valid &= cv2.remap(inside.astype(np.uint8), mx, my, cv2.INTER_NEAREST) > 0
    warped = cv2.remap(r_al, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    g_w = cv2.remap(g_al, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    a, b = gs.astype(np.float32)[valid], g_w[valid]
    ncc = float(np.corrcoef(a, b)[0, 1]) if len(a) > 64 and a.std() > 1 and b.std() > 1 else 0.0
    return Registration(s, warped, valid, ncc if np.isfinite(ncc) else 0.0, float(inside.mean()))


def thumbprint(rgb: np.ndarray) -> np.ndarray:
    """A grade-blind 24×16 descriptor of a frame's layout (equalised grey, zero mean, unit norm) for a quick
    nearest-set-up search before registering."""
    g = grey_eq(small(rgb, 96)).astype(np.float32)
    t = cv2.resize(g, (24, 16), interpolation=cv2.INTER_AREA).ravel()
    t -= t.mean()
    return (t / (np.linalg.norm(t) + 1e-6)).astype(np.float32)
