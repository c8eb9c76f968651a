"""Per-frame matting: difference key against the clean plate → trimap → guided-filter matting.

1. **Difference key.** RGB distance between the (lightly blurred) frame and the clean plate, mapped to [0, 1]
   by a smoothstep between ``low`` and ``high``; thresholds default to multiples of the plate's measured noise.
   Where the plate was never observed (see :mod:`editor.background.plate`), the performer's static silhouette
   decides instead, except where the plate's inpainted set was shown to extrapolate the seen set (``extended``,
   :mod:`editor.background._extend`), which is keyed (and solved in step 3) as if seen, and where, next to a plain
   set, the frame uncovers the set the plate continues (``uncoverable``, :mod:`editor.background._uncovered`),
   which is keyed. The set in a person's shadow (darker, same colour direction: ``plate.shadow_mask``) is keyed as
   set, so shadows leave no grey halo; the people's interior (their silhouettes pulled in) is always kept, so a shirt
   the colour of the set behind it is not cut out.
   Background-looking holes enclosed by foreground are filled (a face matching the plate's colour there).
2. **Trimap.** The binary key, cleaned by a morphological open/close, is eroded into definite foreground and
   definite background; the band between them (``band`` pixels either side of the edge) is unknown. Where the
   alpha solved in step 3 is still below ``GROW_BELOW`` against the definite foreground, the edge is softer than
   the band (motion blur, defocus): the definite foreground is pulled back by another band there and step 3 is
   solved again (at most ``GROW_STEPS`` times: once: a second pull-back toggles on and off between frames and
   raised flicker, MAD and band width on held-out takes, ``docs/benchmarks.md``).
3. **Matting.** In the unknown band, where the plate is known and the nearby foreground differs from it, alpha is
   the compositing equation's answer (the pixel projected onto the line from the plate's colour to a nearby
   definite foreground's colour that explains it), so it is fractional only where the pixel really is a mix;
   elsewhere the soft key is filtered by the colour guided filter steered by the frame, so the alpha follows image
   edges (hair, collars) — where a textured set was never seen, in a window half as wide (``unseen_radius``): there
   the key is the static silhouette's step, which the filter spreads over its window; known regions stay exactly 0
   or 1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import cv2
import numpy as np

from editor.background._guided import fast_guided_filter
from editor.background._uncovered import uncovered
from editor.background.errors import BackgroundError
from editor.background.plate import CleanPlate, shadow_mask

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
U8 = np.ndarray  # uint8
Bool = np.ndarray  # bool

NEAR_SIGMA = 1.5  # finest scale (px) at which the nearby foreground colour is looked for
NEAR_WEIGHT = 0.1  # share of a scale's window that must be definite foreground for its colour to be a candidate
GROW_STEPS = 1  # times the definite foreground may be pulled back where the edge is softer than the band
GROW_BELOW = 0.5  # alpha against the definite foreground below which the edge counts as still soft there
RESIDUAL_TOL = 0.02  # RGB distance within which two foreground candidates explain a pixel equally well
EXPLAINS = 0.3  # weight (of e^-(excess residual / tolerance)^2) at which a candidate counts as explaining the pixel
SPREAD_TAU = 0.2  # RGB distance over which a candidate nearer the plate than the farthest explaining one loses e


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
            guided filter's (1 = per-pixel only, 0 = filter only). The default takes the equation's answer as it
            is: mixing in the filter (window ``2·radius``) spreads every edge over the window, widening the soft
            band and pulling the opaque rim down (``docs/benchmarks.md``, Background: the soft band).
        unseen_radius: The guided filter's radius where an estimated plate never saw a textured set (the static
            silhouette decides there, and no compositing equation can be solved; ``CleanPlate.plain_set`` False).
            The filter's local colour-line model makes it a matting solver where the window holds one background
            colour, as a plain set does; over books or foliage it only spreads the silhouette's step over its
            window: at ``radius`` the soft edge came out 1.1–1.9 times the truth's on textured sets, a halo of the
            old set round every still head (``docs/benchmarks.md``, "A still person's edge, and the matte where a
            textured set was never seen").
    """

    key_low: float | None = None
    key_high: float | None = None
    band: float = 0.012
    radius: float = 0.02
    eps: float = 1e-3
    subsample: int = 2
    detail: float = 1.0
    unseen_radius: float = 0.01

    def __post_init__(self) -> None:
        if self.key_low is not None and not 0 <= self.key_low < 1:
            raise BackgroundError(f"key_low must be in [0, 1), got {self.key_low}")
        if self.key_high is not None and not 0 < self.key_high <= 2:
            raise BackgroundError(f"key_high must be in (0, 2], got {self.key_high}")
        if self.key_low is not None and self.key_high is not None and self.key_high <= self.key_low:
            raise BackgroundError(f"key_high ({self.key_high}) must be above key_low ({self.key_low})")
        if not 0 < self.band <= 0.2 or not 0 < self.radius <= 0.2 or not 0 < self.unseen_radius <= 0.2:
            raise BackgroundError(
                "band, radius and unseen_radius are fractions of the frame's shorter side in (0, 0.2]"
            )
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
    """The matte of one frame: ``alpha`` in [0, 1], the trimap's ``unknown`` band, the filter input ``p`` and
    ``posed``, where in the band alpha is the compositing equation's answer (the plate seen there)."""

    alpha: F32
    unknown: Bool
    p: F32
    posed: Bool


def _px(frac: float, shape: tuple[int, ...]) -> int:
    return max(1, round(frac * min(shape[0], shape[1])))


def _disk(r: int) -> U8:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def _channel_sum(x: F32) -> F32:
    """Sum over the last axis of an H×W×3 float32 array (OpenCV, much faster than numpy's strided reduce)."""
    return cv2.transform(x, np.ones((1, 3), np.float32))


def bounding_box(mask: Bool, margin: int) -> tuple[slice, slice] | None:
    """The bounding box of ``mask`` widened by ``margin`` pixels (clipped to the frame); None where it is empty."""
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
    difference = (t * t * (3.0 - 2.0 * t)).astype(np.float32)
    # The set in a person's shadow is set: darker, same colour direction (never inside a person's interior).
    shade = shadow_mask(blurred, plate.image, plate.noise)
    if plate.interior is not None:
        shade &= ~plate.interior
    key = np.where(shade, np.float32(0.0), difference)
    keyable = plate.keyable
    if not keyable.all():
        # Where the background was never seen (and the inpainted set could not be shown to extrapolate it), an
        # inpainted plate cannot decide: the performer's static silhouette does (its edge is then refined by the
        # trimap band and the guided filter) — but for the set this frame uncovers next to a plain set, keyed by
        # its difference alone (against an inpainted set, a dark suit reads as the wall in shade).
        static = np.where(keyable, key, plate.performer.astype(np.float32))
        if plate.uncoverable is not None:
            # Unseen, left to the set by the silhouette (its margin), and the set by this frame's difference too.
            left = ~keyable & ~plate.performer & (difference < 0.5)
            static = np.where(
                uncovered(difference, static, plate.uncoverable, keyable, left), np.minimum(difference, static), static
            )
        key = static
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

    Definite foreground is the keyed silhouette (key > 0.5, cleaned of specks) pulled ``band`` pixels in from its
    edge, so low-contrast patches inside the performer (a shirt near the set's colour, where the key is soft) stay
    solid rather than being left to the compositing equation; definite background is where the key is ~0
    (≤ 0.02), pulled ``band`` pixels away from anything keyed. Everything between is unknown, so soft regions
    wider than the band outside the silhouette (hair, motion blur) stay unknown in full.
    """
    clean = _disk(_px(0.004, key.shape))
    solid = cv2.morphologyEx((key > 0.5).astype(np.uint8), cv2.MORPH_OPEN, clean)
    solid = cv2.morphologyEx(solid, cv2.MORPH_CLOSE, clean)
    touched = np.maximum(cv2.morphologyEx((key > 0.02).astype(np.uint8), cv2.MORPH_OPEN, clean), solid)
    r = _px(params.band, key.shape)
    fg = _erode(solid, r) > 0
    bg = _erode(1 - touched, r) > 0
    return fg, bg


def _normalised_convolution(stack: F32, sigma: float, at: tuple[np.ndarray, ...]) -> tuple[F32, F32]:
    """``G_σ * (w·img) / G_σ * w`` and ``G_σ * w`` at the pixels ``at`` (an ``np.nonzero`` index), given ``stack``
    = ``(w·img, w)`` (H×W×4); wide blurs are computed at reduced resolution (the detail is not needed there) and
    brought back at the pixels ``at`` only, bilinearly as ``cv2.resize`` would."""
    step = max(1, int(sigma // 3))
    h, wd = stack.shape[:2]
    if step == 1:
        out = cv2.GaussianBlur(stack, (0, 0), sigma)[at]
    else:
        small = cv2.resize(stack, (max(1, wd // step), max(1, h // step)), interpolation=cv2.INTER_AREA)
        out = _bilinear_at(cv2.GaussianBlur(small, (0, 0), sigma / step), at, (h, wd))
    den = out[:, 3]
    return out[:, :3] / np.maximum(den, 1e-6)[:, None], den


def _bilinear_at(small: F32, at: tuple[np.ndarray, ...], shape: tuple[int, int]) -> F32:
    """``small`` (h×w×c) resized bilinearly to ``shape`` (pixel centres aligned, edges clamped, as ``cv2.resize``
    with ``INTER_LINEAR``), evaluated only at the pixels ``at``: N×c."""
    sh, sw, c = small.shape
    y = np.clip((at[0] + 0.5) * (sh / shape[0]) - 0.5, 0, sh - 1)
    x = np.clip((at[1] + 0.5) * (sw / shape[1]) - 0.5, 0, sw - 1)
    y0, x0 = np.floor(y).astype(np.intp), np.floor(x).astype(np.intp)
    y1, x1 = np.minimum(y0 + 1, sh - 1), np.minimum(x0 + 1, sw - 1)
    fy, fx = (y - y0).astype(np.float32)[:, None], (x - x0).astype(np.float32)[:, None]
    flat = small.reshape(-1, c)
    top = flat.take(y0 * sw + x0, axis=0) * (1 - fx) + flat.take(y0 * sw + x1, axis=0) * fx
    bottom = flat.take(y1 * sw + x0, axis=0) * (1 - fx) + flat.take(y1 * sw + x1, axis=0) * fx
    return top * (1 - fy) + bottom * fy


def _foreground_candidates(img: F32, fg: Bool, sigma_max: float, at: tuple[np.ndarray, ...]) -> list[tuple[F32, Bool]]:
    """Candidate colours (N×3) of the foreground behind the pixels ``at``, near to far, and where each is defined:
    normalised convolutions of the definite foreground at doubling scales from ``NEAR_SIGMA`` up to
    ``sigma_max``, each defined where its window is at least ``NEAR_WEIGHT`` foreground (at a straight edge,
    within ~1.3σ of it; the widest wherever it holds any foreground at all)."""
    w = fg.astype(np.float32)
    stack = np.concatenate([img * w[..., None], w[..., None]], axis=-1)
    sigmas = [NEAR_SIGMA * 2**k for k in range(8) if NEAR_SIGMA * 2**k < sigma_max] + [sigma_max]
    out = []
    for i, sigma in enumerate(sigmas):
        colour, den = _normalised_convolution(stack, sigma, at)
        out.append((colour, den > (NEAR_WEIGHT if i < len(sigmas) - 1 else 1e-3)))
    return out


def _projected_alpha(
    frame: F32, plate: CleanPlate, fg: Bool, unknown: Bool, key: F32, params: MatteParams
) -> tuple[F32, Bool]:
    """Alpha in the unknown band from the compositing equation ``I = αF + (1−α)B`` with ``B`` the plate; the key
    where that is ill-posed. Also returns where the projection was well-posed. Computed only over the band's
    bounding box.

    ``F`` is chosen per pixel among the foreground colours found at several distances
    (:func:`_foreground_candidates`): the candidates whose line ``B → F`` passes within the residual tolerance of
    the pixel's best, and of those the one farthest from ``B`` — softly: each candidate's alpha is weighted by
    ``e^-(excess residual / tolerance)²`` and by ``e^-(shortfall in distance from B / SPREAD_TAU)``, so a pixel near
    a tie gets a blend rather than whichever candidate the frame's grain favours (a hard choice flickers).
    A single wide average mixes hair with face and
    reads the hair's opaque rim as partly transparent (the pixel is far from that line); the nearest colour alone
    is itself a mix where the edge is softer than the trimap's band, and over-reads a wide soft edge (the pixel is
    on the line of both, and the purer colour is the one farther from ``B``)."""
    soft, posed = key.copy(), np.zeros_like(unknown)
    sigma = 2.0 * (2.0 * _px(params.band, frame.shape) + 1.0)
    keyable = plate.keyable
    box = bounding_box(unknown & keyable, int(1.5 * sigma))
    if box is None:
        return soft, posed
    at = np.nonzero((unknown & keyable)[box])
    img, bgd = frame[box], plate.image[box]
    i, b = img[at], bgd[at]  # N×3: the band's pixels only
    alphas, residuals, spreads = [], [], []
    ib = i - b
    for f, defined in _foreground_candidates(img, fg[box], sigma, at):
        d = f - b
        d2 = np.einsum("nc,nc->n", d, d)
        a = np.clip(np.einsum("nc,nc->n", ib, d) / np.maximum(d2, 1e-6), 0.0, 1.0)
        miss = ib - a[:, None] * d
        ok = defined & (d2 > 0.01)
        alphas.append(a)
        residuals.append(np.where(ok, np.sqrt(np.einsum("nc,nc->n", miss, miss)), np.inf))
        spreads.append(np.where(ok, d2, -1.0))
    res = np.stack(residuals)
    best = res.min(axis=0)
    tol = max(RESIDUAL_TOL, 3.0 * plate.noise)
    # A soft choice: weight each candidate by how well it explains the pixel and by how far its colour lies from
    # the plate (relative to the farthest one that explains it). A hard choice switches between candidates with
    # the grain from frame to frame at a still edge, and every switch is a jump in alpha (the flicker dtSSD counts).
    ok = np.isfinite(best)
    fin = np.isfinite(res)
    explains = np.where(fin, np.exp(-(((np.where(fin, res, 0.0) - np.where(ok, best, 0.0)) / tol) ** 2)), 0.0)
    reach = np.sqrt(np.maximum(np.stack(spreads), 0.0))
    top = np.max(np.where(explains >= EXPLAINS, reach, 0.0), axis=0)
    weight = explains * np.exp(np.minimum(reach - top, 0.0) / SPREAD_TAU)
    alpha = (weight * np.stack(alphas)).sum(axis=0) / np.maximum(weight.sum(axis=0), 1e-12)
    sub_soft, sub_posed = soft[box], posed[box]
    rows, cols = at[0][ok], at[1][ok]
    sub_soft[rows, cols] = alpha[ok]
    sub_posed[rows, cols] = True
    return soft, posed


def matte_frame(frame: F32, plate: CleanPlate, params: MatteParams, clean: F32 | None = None) -> FrameMatte:
    """Matte one frame (RGB float32 in [0, 1]) against ``plate`` with resolved ``params``; ``clean``: the frame
    denoised over time (``Stabiliser.motion``), on which the compositing equation is solved (key, trimap and
    guided filter use the frame itself)."""
    solve = frame if clean is None else clean
    key = fill_holes(soft_key(frame, plate, params), _px(params.band, frame.shape))
    fg, bg = trimap(key, params)
    unknown = ~(fg | bg)
    soft, posed = _projected_alpha(solve, plate, fg, unknown, key, params)
    r = _px(params.band, frame.shape)
    for _ in range(GROW_STEPS):
        # Where the answer is still well below 1 against the definite foreground, the edge is softer than the
        # band: pull the definite foreground back by another band there and solve again.
        touching = unknown & posed & (soft < GROW_BELOW) & (cv2.dilate(fg.astype(np.uint8), _disk(1)) > 0)
        if not touching.any():
            break
        grow = fg & (_dilate(touching.astype(np.uint8), r) > 0)
        fg, unknown = fg & ~grow, unknown | grow
        soft, posed = _projected_alpha(solve, plate, fg, unknown, key, params)
    p = np.where(fg, np.float32(1.0), np.where(bg, np.float32(0.0), soft)).astype(np.float32)
    q = np.clip(fast_guided_filter(frame, p, _px(params.radius, frame.shape), params.eps, params.subsample), 0, 1)
    # Where the compositing equation was solvable its answer stands (mixed with the filter's by ``detail``);
    # elsewhere (the plate unknown, foreground ≈ background) the guided filter decides from the image's edges — in a
    # narrower window where a textured set was never seen: its colour-line model, which makes it a matting solver,
    # needs one background colour in the window, which a plain set gives and a textured one does not.
    mix = np.float32(params.detail)
    if plate.plain_set is False and params.unseen_radius != params.radius and not plate.keyable.all():
        r_unseen = _px(params.unseen_radius, frame.shape)
        q_unseen = np.clip(fast_guided_filter(frame, p, r_unseen, params.eps, 1), 0, 1)  # exact: a window this small
        q = np.where(plate.keyable, q, q_unseen)
    alpha = np.where(unknown, np.where(posed, mix * p + (1 - mix) * q, q), p).astype(np.float32)
    return FrameMatte(alpha=alpha, unknown=unknown, p=p, posed=unknown & posed)
