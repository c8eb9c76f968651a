"""The EU "AI" icon (Code of Practice on transparency of AI-generated content, Section 2): artwork, colour variants,
legibility and detection.

What public sources say (read 2026-12-02; the Code's annex and the icon artwork files themselves were not available
to this project, so nothing below claims an annex number or the annex's exact dimensions):

- The Commission published, with the final Code (10 June 2026), three icons — a basic "AI" icon, "AI GENERATED"
  (fully AI-generated) and "AI MODIFIED" (pre-existing content partially altered with AI) — each in four variations:
  black, white, black at 50 % transparency and white at 50 % transparency (SVG/PNG).
  https://ppc.land/eu-publishes-free-ai-labelling-icons-ahead-of-august-2026-deadline/ ;
  https://www.europeanoutdoorgroup.com/members-knowledge-hub/final-voluntary-code-of-practice-on-the-marking-and-labelling-of-ai-generated-content
- User testing found icons with a text component outperform the bare icon; equivalent custom labels must keep the
  capitalised "AI" acronym as the primary element and the same design proportions; for images and video the label
  sits in an unobstructed position (top-right suggested) and, for video, appears at the start and again after any
  ad break. https://www.dignited.com/119683/eu-ai-act-now-requires-visible-labels-on-deepfakes-and-ai-generated-content/
- Labels use plain language, no abbreviation other than "AI"; visible at first exposure, embedded in the content.
  https://aimpactful.com/eu-icons-for-labelling-ai-generated-content/

Where the sources are silent (exact artwork, proportions, minimum size) this module chooses what a broadcaster's
delivery QC expects, and says so:

Artwork (``eu-ai/1``): a rounded square outlined in the icon colour holding bold geometric capitals "AI" (the primary
element, cap height 52 % of the square), followed on the same line by the text component "MODIFIED" or "GENERATED"
(cap height 42 % of the square, 81 % of the "AI" letters), the whole icon one colour on a transparent ground, with
a 10 % padding all round. Drawn 4× supersampled and area-downsampled, so edges are anti-aliased at every size.

Colour variants: ``black``, ``white`` (opaque strokes) and ``black_50``, ``white_50`` (strokes at 50 % opacity,
composited in sRGB code values, as an SVG at ``opacity: 0.5`` is by a video compositor).

Legibility: contrast is the WCAG 2 ratio of relative luminances, letters against the picture behind them, taken at
the worst 10 % of the background pixels under the icon (the 90th luma percentile for light letters, the 10th for
dark). ``auto`` keeps the icon at ``AUTO_MIN_CONTRAST`` = 4.5:1 (WCAG AA for body text, AAA for large text): it takes
a 50 % variant only when that variant reaches 4.5:1 there (in practice ``white_50`` over dark, calm pictures; a
50 % black can never reach it — at most 3.98:1, over pure white), else the solid colour with the higher contrast,
and over pictures too busy for either (fine high-contrast texture) it lays a scrim — a rounded plate of the opposite
tone — under the icon at the least opacity (¼ steps) that restores 4.5:1. An explicitly requested variant is kept
as asked down to ``EXPLICIT_MIN_CONTRAST`` = 3:1 (WCAG AA for large text: the icon's letters are large text at the
minimum size), with a scrim below that (an opaque scrim lifts every variant above 3:1).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache

import cv2
import numpy as np

from labeler.errors import DisclosureError

ARTWORK = "eu-ai/1"
AUTO_MIN_CONTRAST = 4.5
EXPLICIT_MIN_CONTRAST = 3.0
_SS = 4  # supersampling factor of the artwork
_FONT = cv2.FONT_HERSHEY_DUPLEX


class IconVariant(StrEnum):
    """Which of the EU icons: the text component says how much of the content AI made."""

    PARTIALLY_MODIFIED = "partially_modified"
    FULLY_GENERATED = "fully_generated"

    @property
    def text(self) -> str:
        return "MODIFIED" if self is IconVariant.PARTIALLY_MODIFIED else "GENERATED"


class IconColour(StrEnum):
    """The four colour variations of the EU icons."""

    BLACK = "black"
    WHITE = "white"
    BLACK_50 = "black_50"
    WHITE_50 = "white_50"

    @property
    def tone(self) -> int:
        """The sRGB code value (0–255) of the strokes."""
        return 255 if self in (IconColour.WHITE, IconColour.WHITE_50) else 0

    @property
    def opacity(self) -> float:
        return 0.5 if self in (IconColour.BLACK_50, IconColour.WHITE_50) else 1.0


@dataclass(frozen=True)
class Choice:
    """The colour variant drawn over one shown interval, the scrim under it (None: none) and the worst-case contrast
    of the letters against the picture (scrim included) at the time of drawing."""

    colour: IconColour
    scrim: Fraction | None
    contrast: float


# --------------------------------------------------------------------------------------------------- artwork


@lru_cache(maxsize=64)
def artwork(variant: IconVariant, height: int) -> np.ndarray:
    """The icon's coverage (float32, 0–1) for an icon ``height`` px tall; its width follows from the layout."""
    if height < 8:
        raise DisclosureError(f"an icon {height} px tall cannot be drawn legibly")
    hs = height * _SS
    pad = hs * 0.10
    box = hs - 2 * pad
    gap = box * 0.22
    cap = box * 0.42
    thick = max(_SS, round(cap * 0.15))
    base = cv2.getTextSize(variant.text, _FONT, 1.0, thick)
    scale = cap / base[0][1]
    (tw, th), _ = cv2.getTextSize(variant.text, _FONT, scale, thick)
    ws = int(np.ceil((pad + box + gap + tw + pad + thick) / _SS)) * _SS
    big = np.zeros((hs, ws), np.uint8)
    _rounded_outline(big, pad, pad, box, box, radius=box * 0.18, thickness=box * 0.07)
    _ai_letters(big, pad, pad, box)
    org = (round(pad + box + gap), round(hs / 2 + th / 2))
    cv2.putText(big, variant.text, org, _FONT, scale, 255, thick, cv2.LINE_8)
    small = cv2.resize(big, (ws // _SS, height), interpolation=cv2.INTER_AREA)
    out = small.astype(np.float32) / 255.0
    out.setflags(write=False)
    return out


def icon_size(variant: IconVariant, height: int) -> tuple[int, int]:
    """(width, height) in px of the icon ``height`` px tall."""
    a = artwork(variant, height)
    return a.shape[1], a.shape[0]


def _rounded_outline(img: np.ndarray, x: float, y: float, w: float, h: float, radius: float, thickness: float) -> None:
    outer = _rounded_rect_mask(img.shape, x, y, w, h, radius)
    t = thickness
    inner = _rounded_rect_mask(img.shape, x + t, y + t, w - 2 * t, h - 2 * t, max(1.0, radius - t))
    img[outer & ~inner] = 255


def _rounded_rect_mask(shape: tuple[int, ...], x: float, y: float, w: float, h: float, radius: float) -> np.ndarray:
    m = np.zeros(shape[:2], np.uint8)
    x0, y0, x1, y1, r = round(x), round(y), round(x + w) - 1, round(y + h) - 1, max(1, round(radius))
    cv2.rectangle(m, (x0 + r, y0), (x1 - r, y1), 255, -1)
    cv2.rectangle(m, (x0, y0 + r), (x1, y1 - r), 255, -1)
    for cx, cy in ((x0 + r, y0 + r), (x1 - r, y0 + r), (x0 + r, y1 - r), (x1 - r, y1 - r)):
        cv2.circle(m, (cx, cy), r, 255, -1)
    return m > 0


def _ai_letters(img: np.ndarray, bx: float, by: float, box: float) -> None:
    """Bold geometric capitals "A" and "I", centred in the square at (bx, by) of side ``box``."""
    cap = box * 0.52
    sw = cap * 0.21
    aw = cap * 1.0
    total = aw + sw * 0.8 + sw
    x0, yb = bx + (box - total) / 2, by + (box + cap) / 2
    yt, x1, xm = yb - cap, x0 + aw, x0 + aw / 2
    flat, leg = sw * 0.7, sw * 1.1
    slope = (yb - yt) / (xm - flat / 2 - x0)
    inner_apex = yb - (xm - x0 - leg) * slope
    hull = np.array([(x0, yb), (xm - flat / 2, yt), (xm + flat / 2, yt), (x1, yb)])
    outer = np.array([*hull[:3], hull[3], (x1 - leg, yb), (xm, inner_apex), (x0 + leg, yb)])
    cv2.fillPoly(img, [np.round(outer).astype(np.int32)], 255, cv2.LINE_8)
    bar = np.zeros_like(img)
    bar_top = yb - cap * 0.38
    cv2.rectangle(bar, (round(x0), round(bar_top)), (round(x1), round(bar_top + cap * 0.16)), 255, -1)
    hull_mask = np.zeros_like(img)
    cv2.fillPoly(hull_mask, [np.round(hull).astype(np.int32)], 255, cv2.LINE_8)
    img[(bar > 0) & (hull_mask > 0)] = 255
    xi = x1 + sw * 0.8
    cv2.rectangle(img, (round(xi), round(yt)), (round(xi + sw) - 1, round(yb) - 1), 255, -1)


# --------------------------------------------------------------------------------------------------- drawing


def draw_icon(
    frame: np.ndarray, x: int, y: int, variant: IconVariant, height: int, colour: IconColour, scrim: Fraction | None
) -> None:
    """Composite the icon onto a BGR (or gray) uint8 frame in place, top-left corner at (x, y)."""
    cover = artwork(variant, height)
    h, w = cover.shape
    roi = frame[y : y + h, x : x + w]
    out = roi.astype(np.float32)
    if scrim:
        plate = _scrim_plate(h, w) * float(scrim)
        plate = plate[..., None] if out.ndim == 3 else plate
        out = out * (1 - plate) + (255 - colour.tone) * plate
    a = cover * colour.opacity
    a = a[..., None] if out.ndim == 3 else a
    out = out * (1 - a) + colour.tone * a
    roi[:] = np.clip(np.rint(out), 0, 255).astype(np.uint8)


@lru_cache(maxsize=16)
def _scrim_plate(h: int, w: int) -> np.ndarray:
    big = _rounded_rect_mask((h * _SS, w * _SS), 0, 0, w * _SS, h * _SS, h * _SS * 0.2).astype(np.uint8) * 255
    plate = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    plate.setflags(write=False)
    return plate


# --------------------------------------------------------------------------------------------------- legibility


def relative_luminance(code: np.ndarray | float) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB code values 0–255."""
    v = np.asarray(code, np.float64) / 255.0
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def contrast_ratio(a: float, b: float) -> float:
    """WCAG 2 contrast ratio of two sRGB code values."""
    la, lb = float(relative_luminance(a)), float(relative_luminance(b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def worst_contrast(colour: IconColour, lo: float, hi: float, scrim: Fraction | None = None) -> float:
    """Contrast of ``colour``'s letters against the worst background: the picture's ``lo``/``hi`` luma percentiles
    (code values) after an optional scrim of the opposite tone."""
    v = hi if colour.tone == 255 else lo
    if scrim:
        v = v * (1 - float(scrim)) + (255 - colour.tone) * float(scrim)
    letters = colour.opacity * colour.tone + (1 - colour.opacity) * v
    return contrast_ratio(letters, v)


_SCRIMS = (None, Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1))


def choose(background: np.ndarray, requested: IconColour | None) -> Choice:
    """The variant (and scrim) to draw over ``background``: gray code values of the region behind the icon over the
    frames it will be shown on (any shape). ``requested`` None means ``auto``."""
    lo, hi = (float(p) for p in np.percentile(background, (10, 90)))
    if requested is not None:
        for scrim in _SCRIMS:  # an opaque scrim gives black 3.98:1 at 50 %, white 5.3:1 at 50 % and 21:1 solid
            c = worst_contrast(requested, lo, hi, scrim)
            if c >= EXPLICIT_MIN_CONTRAST:
                return Choice(requested, scrim, c)
        raise AssertionError("an opaque scrim lifts every variant above 3:1")  # pragma: no cover
    halves = [(worst_contrast(c, lo, hi), c) for c in (IconColour.WHITE_50, IconColour.BLACK_50)]
    best_half = max(halves, key=lambda t: t[0])
    if best_half[0] >= AUTO_MIN_CONTRAST:
        return Choice(best_half[1], None, best_half[0])
    for scrim in _SCRIMS:
        c, colour = max((worst_contrast(c, lo, hi, scrim), c) for c in (IconColour.WHITE, IconColour.BLACK))
        if c >= AUTO_MIN_CONTRAST:
            return Choice(colour, scrim, c)
    raise AssertionError("an opaque scrim reaches every floor")  # pragma: no cover


# --------------------------------------------------------------------------------------------------- detection


@dataclass(frozen=True)
class Seen:
    """What a frame shows where the icon should be: letter/background contrast, whether the letters are lighter than
    the ground, and their estimated opacity (1.0 solid, 0.5 a 50 % variant; meaningless when contrast is ~1)."""

    contrast: float
    light: bool
    opacity: float


@lru_cache(maxsize=32)
def _masks(variant: IconVariant, height: int) -> tuple[np.ndarray, np.ndarray]:
    cover = artwork(variant, height)
    strokes = (cover >= 0.9).astype(np.uint8)
    core = cv2.erode(strokes, np.ones((3, 3), np.uint8)) > 0
    if core.sum() < 0.25 * strokes.sum():
        core = strokes > 0
    near = cv2.dilate((cover > 0.02).astype(np.uint8), np.ones((3, 3), np.uint8), iterations=max(2, height // 20))
    ground = near == 0
    return core, ground


def observe(frame: np.ndarray, x: int, y: int, variant: IconVariant, height: int) -> Seen:
    """Measure the icon's letters against their ground in a BGR frame, at the icon's place."""
    core, ground = _masks(variant, height)
    h, w = core.shape
    roi = frame[y : y + h, x : x + w]
    if roi.shape[:2] != (h, w):
        return Seen(1.0, False, 0.0)
    gray = cv2.cvtColor(roi, cv2.COLOR_BGR2GRAY) if roi.ndim == 3 else roi
    fg, bg = float(np.median(gray[core])), float(np.median(gray[ground]))
    light = fg > bg
    span = (255.0 - bg) if light else bg
    opacity = abs(fg - bg) / span if span > 8 else 0.0
    return Seen(contrast_ratio(fg, bg), light, opacity)
