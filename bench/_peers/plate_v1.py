"""Clean plates: the background of a locked-off shot without its performers.

Two sources:

* a **supplied** clean-plate shot (the set shot empty, same camera set-up): the temporal median of its frames,
  known everywhere;
* an **estimate** from the take itself. Locked-off talking heads are the hard case: the performer barely moves,
  so a temporal median still contains them. The estimate therefore (1) takes the temporal median of the take,
  (2) finds where the performer moves with MOG2 (every pixel ever flagged as foreground), (3) segments the static
  performer in the median with GrabCut, seeded with the frame border as background and the moving pixels plus the
  body below them as probable foreground, and (4) keeps the median as the plate only where the background was
  actually seen; the rest is filled by inpainting and marked *unknown*. The matte uses the difference key only
  where the plate is known and falls back to the static segmentation elsewhere, so an inpainted guess never
  decides on its own what is background.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from editor.background.errors import PlateError

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
U8 = np.ndarray  # uint8
Bool = np.ndarray  # bool


@dataclass(frozen=True)
class CleanPlate:
    """A clean plate for one shot.

    Attributes:
        image: ``H×W×3`` RGB float32 in [0, 1].
        known: Where the background was actually observed (``True``) rather than inpainted.
        performer: The performer's static silhouette where the plate is unknown (decides the matte there); empty
            for a supplied plate.
        noise: Estimated per-pixel temporal noise (RGB distance) of the background, in [0, 1] units.
        source: ``"supplied"`` or ``"estimated"``.
    """

    image: F32
    known: Bool
    performer: Bool
    noise: float
    source: Literal["supplied", "estimated"]

    def __post_init__(self) -> None:
        h, w = self.image.shape[:2]
        if self.image.ndim != 3 or self.image.shape[2] != 3:
            raise PlateError(f"a clean plate must be H×W×3 RGB, got shape {self.image.shape}")
        if self.known.shape != (h, w) or self.performer.shape != (h, w):
            raise PlateError("clean plate masks do not match the plate size")

    @property
    def known_fraction(self) -> float:
        """Fraction of the frame where the background was observed."""
        return float(self.known.mean())


def _samples(frames: Sequence[U8], max_samples: int) -> list[U8]:
    if len(frames) == 0:
        raise PlateError("cannot build a clean plate from an empty clip; supply a clip with at least one frame")
    idx = np.unique(np.linspace(0, len(frames) - 1, min(max_samples, len(frames))).round().astype(int))
    return [frames[i] for i in idx]


def _median(samples: Sequence[U8]) -> F32:
    """Per-pixel temporal median (the upper median for an even count), RGB float32 in [0, 1]."""
    stack = np.stack(samples)
    k = len(samples) // 2
    return (np.partition(stack, k, axis=0)[k].astype(np.float32) / 255.0).astype(np.float32)


def _noise(samples: Sequence[U8], median: F32, mask: Bool, step: int = 3) -> float:
    """Robust temporal noise (1.4826·MAD of the RGB distance to the median) over ``mask``, on a pixel grid."""
    sub = mask[::step, ::step]
    if not sub.any():
        sub = np.ones_like(sub)
    med = median[::step, ::step][sub]
    dist = [np.sqrt(((f[::step, ::step][sub].astype(np.float32) / 255.0 - med) ** 2).sum(axis=-1)) for f in samples]
    return float(1.4826 * np.median(np.concatenate(dist)))


def plate_from_shot(frames: Sequence[U8], size: tuple[int, int], *, max_samples: int = 24) -> CleanPlate:
    """A clean plate from a supplied clean-plate shot of the same set-up (temporal median of its frames).

    Args:
        frames: The clean-plate shot's frames, RGB uint8.
        size: ``(height, width)`` of the shot the plate is for.
        max_samples: At most this many evenly spaced frames enter the median.

    Raises:
        PlateError: If the shot is empty or its frame size differs from ``size``.
    """
    samples = _samples(frames, max_samples)
    if samples[0].ndim != 3 or samples[0].shape[:2] != size:
        raise PlateError(
            f"the clean-plate shot is {samples[0].shape[1]}×{samples[0].shape[0]} but the shot is "
            f"{size[1]}×{size[0]}; a clean plate must come from the same camera set-up"
        )
    h, w = size
    image = _median(samples)
    return CleanPlate(
        image=image,
        known=np.ones((h, w), bool),
        performer=np.zeros((h, w), bool),
        noise=_noise(samples, image, np.ones((h, w), bool)),
        source="supplied",
    )


def _motion_masks(samples: Sequence[U8], scale: float) -> Bool:
    """Per-frame MOG2 foreground masks (``T×h×w`` at ``scale``): where the performer moves in each frame."""
    mog = cv2.createBackgroundSubtractorMOG2(history=len(samples), varThreshold=16.0, detectShadows=False)
    small = [cv2.resize(f, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) for f in samples]
    for f in small:  # learn the take's own background model, then ask it frame by frame
        mog.apply(f, learningRate=-1)
    kernel = np.ones((3, 3), np.uint8)
    return np.stack([cv2.morphologyEx(mog.apply(f, learningRate=0), cv2.MORPH_OPEN, kernel) > 0 for f in small])


def _masked_median(samples: Sequence[U8], moving: Bool, region: Bool, min_seen: int) -> tuple[F32, Bool]:
    """Median over the frames in which each ``region`` pixel was *not* moving foreground.

    Returns the values (``K×3``, float32 [0, 1]) and which of the ``K`` region pixels were seen as background in
    at least ``min_seen`` frames.
    """
    ys, xs = np.nonzero(region)
    vals = np.stack([f[ys, xs] for f in samples]).astype(np.float32) / 255.0  # T×K×3
    hidden = moving[:, ys, xs]
    vals[hidden] = np.nan
    seen = (~hidden).sum(axis=0) >= min_seen
    out = np.zeros((len(ys), 3), np.float32)
    if seen.any():
        out[seen] = np.nanmedian(vals[:, seen], axis=0)
    return out, seen


def _seed_mask(shape: tuple[int, int], motion: Bool) -> U8:
    """GrabCut seeds: top/left/right border = background, the rest probable foreground (classic rectangle init).

    The bottom edge is left open because the performer's body is cut by it; pixels that move are never seeded as
    background.
    """
    h, w = shape
    mask = np.full((h, w), cv2.GC_PR_FGD, np.uint8)
    band = max(2, round(0.08 * min(h, w)))
    border = np.zeros((h, w), bool)
    border[:band, :] = True
    border[:, :band] = True
    border[:, -band:] = True
    mask[border & ~motion] = cv2.GC_BGD
    return mask


def _largest_components(fg: Bool, seed: Bool) -> Bool:
    """Keep the connected components of ``fg`` that touch ``seed`` (the performer), fill their holes."""
    _, labels = cv2.connectedComponents(fg.astype(np.uint8), connectivity=8)
    keep = np.unique(labels[seed & fg])
    keep = keep[keep != 0]
    out = np.isin(labels, keep) if len(keep) else fg
    # Fill holes: background not connected to the frame border.
    inv = (~out).astype(np.uint8)
    _, inv_labels = cv2.connectedComponents(inv, connectivity=4)
    border_labels = np.unique(np.concatenate([inv_labels[0], inv_labels[-1], inv_labels[:, 0], inv_labels[:, -1]]))
    holes = (inv > 0) & ~np.isin(inv_labels, border_labels)
    return out | holes


def estimate_plate(frames: Sequence[U8], *, max_samples: int = 24, work_width: int = 480) -> CleanPlate:
    """Estimate a clean plate from a locked-off take (see the module docstring for the method).

    Deterministic: the same frames give the same plate (OpenCV's RNG, which seeds GrabCut's GMMs, is reset).

    Args:
        frames: The take's frames, RGB uint8, all the same size.
        max_samples: At most this many evenly spaced frames are used.
        work_width: Width at which motion and segmentation are computed.

    Raises:
        PlateError: If the take is empty.
    """
    samples = _samples(frames, max_samples)
    h, w = samples[0].shape[:2]
    median = _median(samples)
    scale = min(1.0, work_width / w)
    moving_small = _motion_masks(samples, scale)
    motion: Bool = np.asarray(moving_small.any(axis=0))
    median_small = cv2.resize((median * 255).round().astype(np.uint8), motion.shape[::-1], interpolation=cv2.INTER_AREA)
    seeds = _seed_mask(motion.shape, motion)
    if not (seeds == cv2.GC_BGD).any():
        raise PlateError(
            "the take has no still background at its top and side borders (everything moves), so no clean plate "
            "can be estimated from it; supply a clean-plate shot of the same set-up"
        )
    cv2.setRNGSeed(0)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    gc = seeds.copy()
    bgr = cv2.cvtColor(median_small, cv2.COLOR_RGB2BGR)
    cv2.grabCut(bgr, gc, None, bgd, fgd, 8, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]
    performer_small: Bool = np.asarray((gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD))
    performer_small = _largest_components(performer_small, motion if motion.any() else performer_small)
    # Everywhere the performer ever was (static silhouette ∪ motion), with a safety margin, is not yet known.
    margin = max(2, round(0.02 * motion.shape[0]))
    ever_small = cv2.dilate((performer_small | motion).astype(np.uint8), np.ones((2 * margin + 1,) * 2, np.uint8))
    up = (w, h)
    ever = cv2.resize(ever_small, up, interpolation=cv2.INTER_NEAREST) > 0
    performer = cv2.resize(performer_small.astype(np.uint8), up, interpolation=cv2.INTER_NEAREST) > 0
    image = median.copy()
    known = ~ever
    # Where the performer moved off the static silhouette, the background was seen in some frames: take the
    # median of those frames (MOG2 says which).
    ring = ever & ~performer
    if ring.any():
        moving = np.stack(
            [cv2.resize(m.astype(np.uint8), up, interpolation=cv2.INTER_NEAREST) > 0 for m in moving_small]
        )
        vals, seen = _masked_median(samples, moving, ring, min_seen=max(3, len(samples) // 2))
        ys, xs = np.nonzero(ring)
        image[ys[seen], xs[seen]] = vals[seen]
        known[ys[seen], xs[seen]] = True
    # The rest was never seen: inpaint it (for display and keying near its edge; the matte does not trust it).
    fill_small = cv2.inpaint(median_small, ever_small, max(3, margin), cv2.INPAINT_TELEA)
    fill = cv2.resize(fill_small, up, interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    image = np.where(known[..., None], image, fill).astype(np.float32)
    return CleanPlate(
        image=image, known=known, performer=performer & ~known, noise=_noise(samples, median, ~ever), source="estimated"
    )
