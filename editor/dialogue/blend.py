"""Placing a bank mouth on the target face so that it looks like the take: aligned, colour- and grain-matched,
and blended in two frequency bands.

A bank crop is the mouth box of its own face at ``BANK_W × BANK_H`` (128×80: fine enough to keep teeth and lip
texture at 720p and below). For each output frame:

1. **Align**: the bank crop is registered onto the target's mouth box by ECC (rotation + shift, at most 12 % of the
   box and 8°), on the *ring* of skin around the lips only (``ring_mask``) — the lips differ by design, the skin
   around them says where the face is.
2. **Colour**: its CIE Lab mean and standard deviation on that ring are moved to the target's (gain 0.7–1.4, on the
   coarse band only: the fine detail keeps its own contrast), so the skin it brings matches the skin it lands on,
   whatever the mouth does inside.
3. **Grain**: where the target's high-frequency noise on the ring exceeds the patch's (a resampled take is a little
   smoother), seeded Gaussian grain makes up the difference.
4. **Blend** in frame coordinates (bicubic warp): the fine band (image − its Gaussian blur) is taken from the
   patch inside a tight ellipse around the lips with a narrow feather — the take's own sharpness, teeth included,
   and no soft oval of foreign skin; the coarse band (shading, colour) crosses over with a wide feather, so there
   is no seam. Pixels outside the mouth box are never touched.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

from editor.dialogue.track import box_transform, crop

BANK_W, BANK_H = 128, 80
INNER = (0.80, 0.74)  # the lips' ellipse as fractions of the mouth box (width, height)
BAND = 0.04  # the coarse/fine split: Gaussian sigma as a fraction of the mouth box width


@cache
def inner_mask(w: int = BANK_W, h: int = BANK_H, feather: float = 0.08) -> np.ndarray:
    """The lips' ellipse in crop coordinates: 1 inside, falling to 0 over ``feather`` (fraction of the radius)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    nx = (xx + 0.5 - w / 2) / (INNER[0] * w / 2)
    ny = (yy + 0.5 - h / 2) / (INNER[1] * h / 2)
    r = np.sqrt(nx**2 + ny**2)
    return np.clip((1.0 - r) / feather + 0.5, 0.0, 1.0).astype(np.float32)


@cache
def ring_mask(w: int = BANK_W, h: int = BANK_H) -> np.ndarray:
    """The skin around the lips (mouth box minus the lips' ellipse, 3 px in from the border), uint8 0/255."""
    ring = (inner_mask(w, h, 0.02) < 0.01).astype(np.uint8)
    ring[:3], ring[-3:], ring[:, :3], ring[:, -3:] = 0, 0, 0, 0
    return ring * 255


def _grey(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0


def align(patch: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``patch`` (a bank crop) warped so that its skin ring lies on ``target``'s (both crop-sized RGB uint8)."""
    h, w = target.shape[:2]
    warp = np.eye(2, 3, dtype=np.float32)
    crit = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 40, 1e-4)
    try:
        _, warp = cv2.findTransformECC(
            _grey(target), _grey(patch), warp, cv2.MOTION_EUCLIDEAN, crit, ring_mask(w, h), 5
        )
    except cv2.error:
        return patch
    angle = abs(np.degrees(np.arctan2(warp[1, 0], warp[0, 0])))
    if abs(warp[0, 2]) > 0.12 * w or abs(warp[1, 2]) > 0.12 * h or angle > 8.0:
        return patch
    flags = cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(patch, warp, (w, h), flags=flags, borderMode=cv2.BORDER_REFLECT)


def colour_match(src: np.ndarray, ref: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``src`` (uint8 RGB crop) with its Lab mean/std over ``mask`` (> 0) moved to ``ref``'s over the same pixels.

    The std gain applies to the coarse band only (shading and colour, a Gaussian of ``BAND`` × the crop width); the
    fine band — the take's own lip and teeth detail — keeps its amplitude. The ring's std is mostly shading and
    whatever of the lips the box lets into it, so it says little about texture contrast, and scaling the detail by
    it made the mouth's sharpness depend on where the face path puts the box (on the CREMA-D bank: gain 0.95 with
    the landmark box, 0.98 with the detector box, the rebuilt mouth's detail 0.88 vs 0.91 of the take's).
    """
    s = cv2.cvtColor(src, cv2.COLOR_RGB2LAB).astype(np.float32)
    r = cv2.cvtColor(ref, cv2.COLOR_RGB2LAB).astype(np.float32)
    m = mask > 0
    sm, rm = s[m].mean(0), r[m].mean(0)
    gain = np.clip((r[m].std(0) + 1e-3) / (s[m].std(0) + 1e-3), 0.7, 1.4)
    low = cv2.GaussianBlur(s, (0, 0), BAND * src.shape[1])
    out = (low - sm) * gain + rm + (s - low)
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def grain(rgb: np.ndarray, mask: np.ndarray) -> float:
    """Robust std (1.4826·MAD) of the fine band (image − 1 px Gaussian blur) over ``mask``, in 8-bit units."""
    g = _grey(rgb) * 255.0
    fine = g - cv2.GaussianBlur(g, (0, 0), 1.0)
    v = fine[mask > 0]
    return float(1.4826 * np.median(np.abs(v - np.median(v)))) if v.size else 0.0


def match_grain(patch: np.ndarray, target: np.ndarray, seed: int) -> np.ndarray:
    """``patch`` with seeded Gaussian grain added where the target is grainier (on the skin ring)."""
    ring = ring_mask(patch.shape[1], patch.shape[0])
    extra = grain(target, ring) ** 2 - grain(patch, ring) ** 2
    if extra <= 0.25:
        return patch
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(extra), patch.shape[:2]).astype(np.float32)
    return np.clip(patch.astype(np.float32) + noise[..., None], 0, 255).astype(np.uint8)


def prepare(mouth: np.ndarray, target: np.ndarray, seed: int = 0) -> np.ndarray:
    """A bank mouth made ready for the target crop: resized to it, aligned, colour- and grain-matched."""
    h, w = target.shape[:2]
    if mouth.shape[:2] != (h, w):
        mouth = cv2.resize(mouth, (w, h), interpolation=cv2.INTER_AREA if mouth.shape[1] > w else cv2.INTER_CUBIC)
    aligned = align(mouth, target)
    matched = colour_match(aligned, target, ring_mask(w, h))
    return match_grain(matched, target, seed)


def place_mouth(
    frame: np.ndarray, mouth: np.ndarray, box: np.ndarray, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Blend ``mouth`` (a bank crop) into ``frame`` (uint8 RGB) at mouth box ``box``.

    Returns:
        The edited frame (uint8) and the boolean support of pixels whose value changed.
    """
    h, w = frame.shape[:2]
    target = crop(frame, box, (BANK_W, BANK_H))
    patch = prepare(mouth, target, seed)
    inv = cv2.invertAffineTransform(box_transform(box, (BANK_W, BANK_H)))
    x, y, bw, bh = box
    x0, y0 = max(0, int(np.floor(x)) - 1), max(0, int(np.floor(y)) - 1)
    x1, y1 = min(w, int(np.ceil(x + bw)) + 2), min(h, int(np.ceil(y + bh)) + 2)
    m = inv + np.array([[0, 0, -x0], [0, 0, -y0]], np.float64)
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpAffine(patch, m, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    narrow = cv2.warpAffine(inner_mask(), m, size, flags=cv2.INTER_LINEAR, borderValue=0)
    wide = cv2.warpAffine(inner_mask(feather=0.45), m, size, flags=cv2.INTER_LINEAR, borderValue=0)
    base = frame[y0:y1, x0:x1].astype(np.float32)
    sigma = max(1.0, BAND * bw)
    lo_p, lo_f = cv2.GaussianBlur(warped, (0, 0), sigma), cv2.GaussianBlur(base, (0, 0), sigma)
    out_patch = (
        lo_f + wide[..., None] * (lo_p - lo_f) + (base - lo_f) + narrow[..., None] * ((warped - lo_p) - (base - lo_f))
    )
    inside = np.maximum(narrow, wide) > 0
    blended = np.where(inside[..., None], out_patch, base)
    out = frame.copy()
    out[y0:y1, x0:x1] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    support = np.zeros((h, w), bool)
    support[y0:y1, x0:x1] = (out[y0:y1, x0:x1] != frame[y0:y1, x0:x1]).any(-1)
    return out, support
