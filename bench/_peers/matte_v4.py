"""Peer for bench/background.py: branch matte4's (7ae1c4f) per-frame matting, kept verbatim so the matte's soft band
can be compared before and after in the same run (wide normalised-convolution foreground, trimap interior pulled
in 2·band, guided filter mixed into the well-posed band).

Per-frame matting: difference key against the clean plate → trimap → guided-filter matting.

1. **Difference key.** RGB distance between the (lightly blurred) frame and the clean plate, mapped to [0, 1]
   by a smoothstep between ``low`` and ``high``; thresholds default to multiples of the plate's measured noise.
   Where the plate was never observed (see :mod:`editor.background.plate`), the performer's static silhouette
   decides instead. The set in a person's shadow (darker, same colour direction: ``plate.shadow_mask``) is keyed
   as set, so shadows leave no grey halo; the people's interior (their silhouettes pulled in) is always kept,
   so a shirt the colour of the set behind it is not cut out.
   Background-looking holes enclosed by foreground are filled (a face matching the plate's colour there).
2. **Trimap.** The binary key, cleaned by a morphological open/close, is eroded into definite foreground and
   definite background; the band between them (``band`` pixels either side of the edge) is unknown.
3. **Matting.** In the unknown band the soft key is filtered by the colour guided filter steered by the frame, so
   the alpha follows image edges (hair, collars); known regions stay exactly 0 or 1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import cv2
import numpy as np

from editor.background._guided import fast_guided_filter
from editor.background.errors import BackgroundError
from editor.background.plate import CleanPlate, shadow_mask

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
U8 = np.ndarray  # uint8
Bool = np.ndarray  # bool


@dataclass(frozen=True)
class MatteParams:
    """Matting parameters. Sizes are fractions of the frame's shorter side so one setting suits every resolution.

    Attributes:
        key_low: Key distance (RGB, [0,1] units) at and below which a pixel is background; ``None`` = 4× noise,
            at least 0.04.
        key_high: Distance at and above which a pixel is foreground; ``None`` = ``key_low + 0.10``.
        band: Half-width of the trimap's unknown band, as a fraction of the shorter side.
        radius: Guided-filter radius, as a fraction of the shorter side.
        eps: Guided-filter regularisation.
        subsample: Fast guided filter sub-sampling factor (1 = exact filter).
        detail: Where the compositing equation is well-posed, the weight of its per-pixel answer against the
            guided filter's (1 = per-pixel only, 0 = filter only).
    """

    key_low: float | None = None
    key_high: float | None = None
    band: float = 0.012
    radius: float = 0.02
    eps: float = 1e-3
    subsample: int = 2
    detail: float = 0.7

    def __post_init__(self) -> None:
        if self.key_low is not None and not 0 <= self.key_low < 1:
            raise BackgroundError(f"key_low must be in [0, 1), got {self.key_low}")
        if self.key_high is not None and not 0 < self.key_high <= 2:
            raise BackgroundError(f"key_high must be in (0, 2], got {self.key_high}")
        if self.key_low is not None and self.key_high is not None and self.key_high <= self.key_low:
            raise BackgroundError(f"key_high ({self.key_high}) must be above key_low ({self.key_low})")
        if not 0 < self.band <= 0.2 or not 0 < self.radius <= 0.2:
            raise BackgroundError("band and radius are fractions of the frame's shorter side in (0, 0.2]")
        if not self.eps > 0 or self.subsample < 1 or not 0 <= self.detail <= 1:
            raise BackgroundError("eps must be > 0, subsample >= 1 and detail in [0, 1]")

    def resolved(self, plate: CleanPlate) -> MatteParams:
        """These parameters with the automatic key thresholds fixed from the plate's noise."""
        low = self.key_low if self.key_low is not None else round(max(0.04, 4.0 * plate.noise), 4)
        high = self.key_high if self.key_high is not None else round(low + 0.10, 4)
        return replace(self, key_low=low, key_high=high)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FrameMatte:
    """The matte of one frame: ``alpha`` in [0, 1], the trimap's ``unknown`` band and the filter input ``p``."""

    alpha: F32
    unknown: Bool
    p: F32


def _px(frac: float, shape: tuple[int, ...]) -> int:
    return max(1, round(frac * min(shape[0], shape[1])))


def _disk(r: int) -> U8:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def _channel_sum(x: F32) -> F32:
    """Sum over the last axis of an H×W×3 float32 array (OpenCV, much faster than numpy's strided reduce)."""
    return cv2.transform(x, np.ones((1, 3), np.float32))


def _bbox(mask: Bool, margin: int) -> tuple[slice, slice] | None:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    h, w = mask.shape
    return (
        slice(max(0, rows[0] - margin), min(h, rows[-1] + margin + 1)),
        slice(max(0, cols[0] - margin), min(w, cols[-1] + margin + 1)),
    )


def _erode(mask: U8, r: int) -> U8:
    """Erosion by a disk of radius ``r`` via the distance transform (cost independent of ``r``)."""
    if r < 3:
        return cv2.erode(mask, _disk(r))
    inside = np.pad(mask, 1, constant_values=1)  # the frame edge does not erode
    dist = cv2.distanceTransform(inside, cv2.DIST_L2, cv2.DIST_MASK_5)[1:-1, 1:-1]
    return (dist > r).astype(np.uint8)


def _dilate(mask: U8, r: int) -> U8:
    if r < 3:
        return cv2.dilate(mask, _disk(r))
    return 1 - _erode(1 - mask, r)


def _close(mask: U8, r: int) -> U8:
    return _erode(_dilate(mask, r), r)


def soft_key(frame: F32, plate: CleanPlate, params: MatteParams) -> F32:
    """Soft foreground probability from the difference key (and the static segmentation where unknown)."""
    if params.key_low is None or params.key_high is None:
        raise BackgroundError("matte parameters must be resolved against the plate first (MatteParams.resolved)")
    blurred = cv2.GaussianBlur(frame, (3, 3), 0)
    dist = np.sqrt(_channel_sum(cv2.multiply(blurred - plate.image, blurred - plate.image)))
    t = np.clip((dist - params.key_low) / (params.key_high - params.key_low), 0.0, 1.0)
    key = (t * t * (3.0 - 2.0 * t)).astype(np.float32)
    # The set in a person's shadow is set: darker, same colour direction (never inside a person's interior).
    shade = shadow_mask(blurred, plate.image, plate.noise)
    if plate.interior is not None:
        shade &= ~plate.interior
    key = np.where(shade, np.float32(0.0), key)
    if not plate.known.all():
        # Where the background was never seen, an inpainted plate cannot decide: the performer's static
        # silhouette does (its edge is then refined by the trimap band and the guided filter).
        key = np.where(plate.known, key, plate.performer.astype(np.float32))
    if plate.interior is not None:
        key = np.maximum(key, plate.interior.astype(np.float32))
    return key


def fill_holes(key: F32, close: int) -> F32:
    """Set the key to 1 in background-looking regions enclosed by foreground (a performer's face or shirt that
    happens to match the plate's colour there), counting regions joined to the outside only through gaps
    narrower than ``2·close`` pixels as enclosed; regions touching the frame edge are left alone."""
    keyed = (key > 0.5).astype(np.uint8)
    solid = _close(keyed, close)
    low = (solid == 0).astype(np.uint8)
    _, labels = cv2.connectedComponents(low, connectivity=4)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    holes = (low > 0) & ~np.isin(labels, edge)
    holes = _dilate(holes.astype(np.uint8), close) > 0  # the closed gaps belong to the hole too
    holes &= (key <= 0.5) & (_close(keyed, 2 * close) > 0)
    return np.where(holes, np.float32(1.0), key).astype(np.float32)


def trimap(key: F32, params: MatteParams) -> tuple[Bool, Bool]:
    """Definite foreground and definite background masks from the (hole-filled) soft key.

    Definite foreground is where the key is saturated (≥ 0.98) pulled ``band`` pixels in from its edge, plus the
    keyed silhouette (key > 0.5, cleaned of specks) pulled ``2·band`` pixels in, so low-contrast patches deep
    inside the performer stay solid while soft rims stay unknown; definite background is where the key is
    ~0 (≤ 0.02), pulled ``band`` pixels away from anything keyed. Everything between is unknown, so soft regions
    wider than the band (hair, motion blur) stay unknown in full.
    """
    clean = _disk(_px(0.004, key.shape))
    solid = cv2.morphologyEx((key > 0.5).astype(np.uint8), cv2.MORPH_OPEN, clean)
    solid = cv2.morphologyEx(solid, cv2.MORPH_CLOSE, clean)
    touched = np.maximum(cv2.morphologyEx((key > 0.02).astype(np.uint8), cv2.MORPH_OPEN, clean), solid)
    saturated = cv2.morphologyEx((key >= 0.98).astype(np.uint8), cv2.MORPH_OPEN, clean)
    r = _px(params.band, key.shape)
    fg = (_erode(saturated, r) > 0) | (_erode(solid, 2 * r) > 0)
    bg = _erode(1 - touched, r) > 0
    return fg, bg


def _projected_alpha(
    frame: F32, plate: CleanPlate, fg: Bool, unknown: Bool, key: F32, params: MatteParams
) -> tuple[F32, Bool]:
    """Alpha in the unknown band from the compositing equation ``I = αF + (1−α)B`` with ``B`` the plate and ``F``
    estimated by normalised convolution of the nearby definite foreground; the key where that is ill-posed.
    Also returns where the projection was well-posed. Computed only over the band's bounding box."""
    soft, posed = key.copy(), np.zeros_like(unknown)
    sigma = 2.0 * _px(params.band, frame.shape) + 1.0
    box = _bbox(unknown & plate.known, int(3 * sigma))
    if box is None:
        return soft, posed
    img, bgd, fgm, unk = frame[box], plate.image[box], fg[box], (unknown & plate.known)[box]
    w = fgm.astype(np.float32)
    # Normalised convolution at reduced resolution (the blur is wide; the detail is not needed).
    step = max(1, int(sigma // 3))
    h, wd = fgm.shape
    small = (max(1, wd // step), max(1, h // step))
    w_s = cv2.resize(w, small, interpolation=cv2.INTER_AREA)
    num_s = cv2.resize(img * w[..., None], small, interpolation=cv2.INTER_AREA)
    den = cv2.resize(cv2.GaussianBlur(w_s, (0, 0), sigma / step), (wd, h), interpolation=cv2.INTER_LINEAR)
    num = cv2.resize(cv2.GaussianBlur(num_s, (0, 0), sigma / step), (wd, h), interpolation=cv2.INTER_LINEAR)
    d = num / np.maximum(den, 1e-6)[..., None] - bgd
    d2 = _channel_sum(d * d)
    proj = _channel_sum((img - bgd) * d) / np.maximum(d2, 1e-6)
    ok = unk & (den > 1e-3) & (d2 > 0.01)
    soft[box] = np.where(ok, np.clip(proj, 0.0, 1.0), key[box])
    posed[box] = ok
    return soft, posed


def matte_frame(frame: F32, plate: CleanPlate, params: MatteParams) -> FrameMatte:
    """Matte one frame (RGB float32 in [0, 1]) against ``plate`` with resolved ``params``."""
    key = fill_holes(soft_key(frame, plate, params), _px(params.band, frame.shape))
    fg, bg = trimap(key, params)
    unknown = ~(fg | bg)
    soft, posed = _projected_alpha(frame, plate, fg, unknown, key, params)
    p = np.where(fg, np.float32(1.0), np.where(bg, np.float32(0.0), soft)).astype(np.float32)
    q = np.clip(fast_guided_filter(frame, p, _px(params.radius, frame.shape), params.eps, params.subsample), 0, 1)
    # Where the compositing equation was solvable its answer stands, lightly denoised by the filter; elsewhere
    # (the plate unknown, foreground ≈ background) the guided filter decides from the image's edges.
    mix = np.float32(params.detail)
    alpha = np.where(unknown, np.where(posed, mix * p + (1 - mix) * q, q), p).astype(np.float32)
    return FrameMatte(alpha=alpha, unknown=unknown, p=p)
