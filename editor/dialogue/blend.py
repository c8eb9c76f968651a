"""Placing a bank mouth on the target face so that it looks like the take: aligned, colour-, detail- and
grain-matched, and blended in two frequency bands.

A bank crop is the mouth box of its own face at the bank's size: the takes' mouth box width rounded to 16 px, at
least ``BANK_W × BANK_H`` (128×80) and at most 256×160 (``editor.dialogue.model.bank_size``). The mouth is fitted
and blended at that size, so a large face keeps its lip texture and teeth.

A ``MouthPlan`` (``editor.dialogue.plan``, measured once per dub over the whole range) says how large the mouth
is in the box, how much softer the take's lips are than the bank's, and how the lips' colour differs between the
takes beyond the skin's. For each output frame:

1. **Align**: the bank crop is registered onto the target's mouth box by ECC (rotation + shift), on the *ring* of
   skin around the lips only (``ring_mask``) — the lips differ by design, the skin around them says where the face
   is. The registration is kept when it turns the crop by at most 8° and moves the crop's *centre* by at most
   ``MAX_SHIFT`` (6 %) of the box across and down; otherwise the crop is placed as the tracker framed it. Measured
   at the centre, the test is the same for a shot and its mirror image (issue 18: measured on ECC's raw
   translation, a turn about the crop's top-left corner, it kept a clockwise turn that an anticlockwise one of the
   same size was refused, so a flopped GRID take was placed differently from the take as shot). Registrations that
   move the centre further were wrong on the bench's takes: on GRID the ring's jaw pulled the mouth 6–8 % of the
   box down; refusing them raised GRID's mouth PSNR by 0.13–0.43 dB on the take and its re-framed and re-encoded
   versions, and by 2.5 dB on it flopped; no CREMA-D registration moved that far (the same scores on all four
   versions; ``docs/benchmarks.md``, Dialogue, "The registration measured at the crop's centre").
2. **Colour**: the Lab difference between the target and the bank crop on the skin of the ring, as a plane over
   the crop (``skin_field``: a constant plus a slope across and a slope down, least squares), is added to the bank
   crop, and the mouth area gets the plan's extra lips offset. A plane, not a mean shift: a bank take lit from
   another side differs from the target by a gradient across the face (issue 18, Obama: with the mean moved, the
   placed mouth box was 20–28 L lighter on one side and 21–25 L darker on the other; the sides of the mouth were
   another light's). A slope is fitted only along an axis where the shared skin lies on both sides of the mouth
   (``SLOPE_SPREAD``); otherwise it would be extrapolated across the mouth from one side. Only pixels that are skin
   in *both* crops count (``skin_mask``: within 3 robust deviations of the ring's median colour): a mouth box that
   takes in the jaw line, the collar or the backdrop on one take but not the other must not move the skin's colour.
   No contrast gain: the ring's spread is mostly
   shading and whatever else the box takes in (issue 18, GRID: the held-out take's box reaches the blue backdrop
   and the jaw shadow, its ring's L and b spread 1.6× the bank take's; the old std gain, clipped at 1.4, made the
   lips darker and redder and the mouth 1.17–1.35× as sharp as the face, mouth PSNR 24.6–24.9 dB). No stage
   compresses the highlights: on the CREMA-D rebuild the 99th percentile of L inside the mouth moved by at most 4
   levels from the bank crop to the placed mouth; a grey tooth row is a bank mouth of another shape (teeth in the
   shade of a wider opening), not the placement.
3. **Detail**: blurred by the plan's ``soften`` (the bank's lips are crisper than the take's, e.g. after a careless
   re-encode) or sharpened by its ``sharpen`` (the bank's takes were recorded softer than this one), then seeded
   Gaussian grain where the target's skin is grainier.
4. **Blend** in frame coordinates (bicubic warp): the fine band (image − its Gaussian blur) is taken from the
   patch inside the plan's mouth ellipse with a narrow feather — the take's own sharpness, teeth included, and no
   oval of foreign skin; the coarse band (shading, colour) crosses over with a wide feather, so there is no seam.
   Pixels outside the mouth box are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from editor.dialogue.track import box_transform, crop

BANK_W, BANK_H = 128, 80
INNER = (0.80, 0.74)  # the largest mouth ellipse, fractions of the mouth box (width, height)
BAND = 0.04  # the coarse/fine split: Gaussian sigma as a fraction of the mouth box width
SKIN_DEVIATIONS = 3.0  # a ring pixel is skin when each Lab channel is within this many robust deviations
SHARPEN_SIGMA = 1.0  # the unsharp mask's Gaussian sigma at BANK_W, in pixels
SLOPE_SPREAD = 0.2  # a colour slope needs the shared skin's coordinates this spread (std, fraction of the crop)
MAX_SHIFT = 0.06  # the registration may move the crop's centre this far (fraction of its width, and of its height)
MAX_TURN = 8.0  # … and turn it this much (degrees)


@dataclass(frozen=True)
class MouthPlan:
    """How a dub's bank mouths are fitted to its take (``editor.dialogue.plan.plan_mouths`` measures it).

    ``axes``: the mouth ellipse (width, height) as fractions of the mouth box. ``soften``: Gaussian sigma in
    pixels of the crops the dub works at (``work_size``) that brings the bank mouths' lip detail down to the
    take's (0: the take is as crisp).
    ``lips_offset``: Lab offset (8-bit OpenCV scale) of the take's mouth area over the bank's, beyond the skin's
    plane (``skin_field``) there.
    ``sharpen``: unsharp-mask amount (``unsharp``) that brings the bank mouths' lip detail up to the take's (0: the
    bank is as crisp; never together with ``soften``).
    """

    axes: tuple[float, float] = INNER
    soften: float = 0.0
    lips_offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sharpen: float = 0.0


DEFAULT_PLAN = MouthPlan()


@cache
def inner_mask(
    w: int = BANK_W, h: int = BANK_H, feather: float = 0.08, axes: tuple[float, float] = INNER
) -> np.ndarray:
    """The mouth ellipse (``axes`` of the crop) in crop coordinates: 1 inside, falling to 0 over ``feather``
    (fraction of the radius)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    nx = (xx + 0.5 - w / 2) / (axes[0] * w / 2)
    ny = (yy + 0.5 - h / 2) / (axes[1] * h / 2)
    r = np.sqrt(nx**2 + ny**2)
    return np.clip((1.0 - r) / feather + 0.5, 0.0, 1.0).astype(np.float32)


@cache
def ring_mask(w: int = BANK_W, h: int = BANK_H) -> np.ndarray:
    """The skin around the lips (mouth box minus the largest mouth ellipse, 3 px in from the border), uint8 0/255."""
    ring = (inner_mask(w, h, 0.02) < 0.01).astype(np.uint8)
    ring[:3], ring[-3:], ring[:, :3], ring[:, -3:] = 0, 0, 0, 0
    return ring * 255


def lab(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB → float32 Lab (OpenCV's 8-bit scale)."""
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)


def _skin(lab_img: np.ndarray, ring: np.ndarray) -> np.ndarray:
    v = lab_img[ring]
    med = np.median(v, axis=0)
    dev = 1.4826 * np.median(np.abs(v - med), axis=0) + 1.0
    return ring & (np.abs((lab_img - med) / dev).max(-1) < SKIN_DEVIATIONS)


def skin_mask(a: np.ndarray, b: np.ndarray, ring: np.ndarray | None = None) -> np.ndarray:
    """Ring pixels (bool) that are skin in both Lab crops ``a`` and ``b``: each channel within ``SKIN_DEVIATIONS``
    robust deviations (1.4826·MAD + 1) of that crop's ring median. Falls back to the whole ring when fewer than a
    quarter of its pixels qualify (a crop that is not mostly skin around the mouth)."""
    ring = (ring_mask(a.shape[1], a.shape[0]) > 0) if ring is None else ring
    return shared_skin(_skin(a, ring), _skin(b, ring), ring)


def skin_pixels(lab_img: np.ndarray) -> np.ndarray:
    """One Lab crop's own skin pixels on its ring (``skin_mask``'s test for one crop), to pair with others."""
    return _skin(lab_img, ring_mask(lab_img.shape[1], lab_img.shape[0]) > 0)


def shared_skin(a: np.ndarray, b: np.ndarray, ring: np.ndarray | None = None) -> np.ndarray:
    """``skin_mask`` from two crops' ``skin_pixels``."""
    ring = (ring_mask(a.shape[1], a.shape[0]) > 0) if ring is None else ring
    both = a & b
    return both if both.sum() >= 0.25 * ring.sum() else ring


def _grey(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0


def plausible(warp: np.ndarray, w: int, h: int) -> bool:
    """Whether an ECC warp (2×3, rotation + shift, ``w × h`` crop) moves the crop's centre by at most ``MAX_SHIFT``
    of the crop each way and turns it by at most ``MAX_TURN`` (step 1 of the module docstring). The same answer for
    the mirror-image crops: the centre is where a mirror leaves the crop."""
    centre = np.array([(w - 1) / 2, (h - 1) / 2, 1.0])
    dx, dy = np.asarray(warp, np.float64) @ centre - centre[:2]
    turn = abs(np.degrees(np.arctan2(warp[1, 0], warp[0, 0])))
    return abs(dx) <= MAX_SHIFT * w and abs(dy) <= MAX_SHIFT * h and turn <= MAX_TURN


def align(patch: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``patch`` (a bank crop) warped so that its skin ring lies on ``target``'s (both crop-sized RGB uint8); as it
    is where the registration is not ``plausible``."""
    h, w = target.shape[:2]
    warp = np.eye(2, 3, dtype=np.float32)
    crit = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 40, 1e-4)
    try:
        _, warp = cv2.findTransformECC(
            _grey(target), _grey(patch), warp, cv2.MOTION_EUCLIDEAN, crit, ring_mask(w, h), 5
        )
    except cv2.error:
        return patch
    if not plausible(warp, w, h):
        return patch
    flags = cv2.INTER_CUBIC | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(patch, warp, (w, h), flags=flags, borderMode=cv2.BORDER_REFLECT)


@cache
def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    grid_y, grid_x = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = (grid_x + 0.5) / w - 0.5, (grid_y + 0.5) / h - 0.5
    gx.flags.writeable = gy.flags.writeable = False  # shared between calls
    return gx, gy


def skin_field(src: np.ndarray, ref: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """The Lab difference ``ref − src`` (two Lab crops of one size) on the skin both share (``skin_mask``), as a
    plane over the crop: ``(h, w, 3)`` float32.

    Per Lab channel, least squares of ``c + gx·x + gy·y`` (``x``, ``y`` from the crop's centre, in crop widths and
    heights) over the shared skin. A slope is fitted only along an axis where the skin's coordinates spread at
    least ``SLOPE_SPREAD`` (the whole ring: 0.34; the ring's one half: 0.12–0.13), so the skin lies on both sides
    of the mouth; otherwise that axis gets the skin's mean, as a mean shift would. ``mask``: the shared skin
    (``shared_skin``) where the caller already has it.
    """
    m = skin_mask(src, ref) if mask is None else mask
    h, w = m.shape
    gx, gy = _grid(h, w)
    slopes = [g for g in (gx, gy) if g[m].std() >= SLOPE_SPREAD]  # the axes the skin spans
    terms = [np.ones(int(m.sum()))] + [g[m].astype(np.float64) for g in slopes]
    coef, *_ = np.linalg.lstsq(np.stack(terms, 1), ref[m] - src[m], rcond=None)
    field = np.broadcast_to(coef[0].astype(np.float32), (h, w, 3)).copy()
    for g, c in zip(slopes, coef[1:], strict=True):
        field += g[..., None] * c.astype(np.float32)
    return field


def colour_match(src: np.ndarray, ref: np.ndarray, plan: MouthPlan = DEFAULT_PLAN) -> np.ndarray:
    """``src`` (uint8 RGB crop) with the Lab difference to ``ref`` on the skin both share added as a plane
    (``skin_field``), plus ``plan.lips_offset`` over the mouth ellipse (wide feather). No gain: the detail keeps
    its own contrast, and the ring's spread (shading, jaw line, backdrop) says nothing about the mouth's."""
    s, r = lab(src), lab(ref)
    out = s + skin_field(s, r)
    if any(plan.lips_offset):
        wide = inner_mask(src.shape[1], src.shape[0], 0.45, plan.axes)
        out += wide[..., None] * np.asarray(plan.lips_offset, np.float32)
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


def prepare(mouth: np.ndarray, target: np.ndarray, seed: int = 0, plan: MouthPlan = DEFAULT_PLAN) -> np.ndarray:
    """A bank mouth made ready for the target crop: resized to it, aligned, colour-, detail- and grain-matched."""
    h, w = target.shape[:2]
    if mouth.shape[:2] != (h, w):
        mouth = cv2.resize(mouth, (w, h), interpolation=cv2.INTER_AREA if mouth.shape[1] > w else cv2.INTER_CUBIC)
    matched = colour_match(align(mouth, target), target, plan)
    if plan.soften > 0:
        matched = cv2.GaussianBlur(matched, (0, 0), plan.soften)
    elif plan.sharpen > 0:
        matched = unsharp(matched, plan.sharpen)
    return match_grain(matched, target, seed)


def unsharp(rgb: np.ndarray, amount: float) -> np.ndarray:
    """``rgb`` (uint8) sharpened by an unsharp mask: ``x + amount·(x − G_σ * x)``, σ ``SHARPEN_SIGMA`` px at the
    bank's smallest width, in proportion at a larger one."""
    f = rgb.astype(np.float32)
    sigma = SHARPEN_SIGMA * rgb.shape[1] / BANK_W
    return np.clip(np.rint(f + amount * (f - cv2.GaussianBlur(f, (0, 0), sigma))), 0, 255).astype(np.uint8)


def work_size(mouth: np.ndarray) -> tuple[int, int]:
    """The crop size ``(w, h)`` a bank mouth is fitted and blended at: its own, at least 128×80 (an old 64×40 bank
    is fitted at 128×80). The take's crops for the dub's plan are cut at the same size."""
    return max(BANK_W, mouth.shape[1]), max(BANK_H, mouth.shape[0])


def place_mouth(
    frame: np.ndarray, mouth: np.ndarray, box: np.ndarray, *, seed: int = 0, plan: MouthPlan = DEFAULT_PLAN
) -> tuple[np.ndarray, np.ndarray]:
    """Blend ``mouth`` (a bank crop) into ``frame`` (uint8 RGB) at mouth box ``box``, fitted as ``plan`` says.

    Returns:
        The edited frame (uint8) and the boolean support of pixels whose value changed.
    """
    h, w = frame.shape[:2]
    cw, ch = work_size(mouth)
    target = crop(frame, box, (cw, ch))
    patch = prepare(mouth, target, seed, plan)
    inv = cv2.invertAffineTransform(box_transform(box, (cw, ch)))
    x, y, bw, bh = box
    x0, y0 = max(0, int(np.floor(x)) - 1), max(0, int(np.floor(y)) - 1)
    x1, y1 = min(w, int(np.ceil(x + bw)) + 2), min(h, int(np.ceil(y + bh)) + 2)
    m = inv + np.array([[0, 0, -x0], [0, 0, -y0]], np.float64)
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpAffine(patch, m, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    narrow = cv2.warpAffine(inner_mask(cw, ch, 0.08, plan.axes), m, size, flags=cv2.INTER_LINEAR, borderValue=0)
    wide = cv2.warpAffine(inner_mask(cw, ch, 0.45, plan.axes), m, size, flags=cv2.INTER_LINEAR, borderValue=0)
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
