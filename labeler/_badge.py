"""The on-screen "AI" badge (Art. 50(4) / EU Code of Practice icon built around the letters "AI").

Drawn with OpenCV onto BGR frames: a rounded dark plate with a white border and bold white "AI" letters, sized as a
fraction of the frame height (so it is the same apparent size at 1080p and 4K), with a bar under the letters that is
full for ``fully_generated`` content and half for ``partially_modified``. The letters are white on a plate that is
at least 85 % opaque black, so the contrast stays above WCAG AAA (7:1) whatever the picture behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import cv2
import numpy as np

from labeler.errors import DisclosureError

_FONT = cv2.FONT_HERSHEY_DUPLEX
MIN_BADGE_PX = 36


class Corner(StrEnum):
    TOP_LEFT = "top_left"
    TOP_RIGHT = "top_right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM_RIGHT = "bottom_right"


class IconVariant(StrEnum):
    PARTIALLY_MODIFIED = "partially_modified"
    FULLY_GENERATED = "fully_generated"


@dataclass(frozen=True)
class BadgeSpec:
    """Where, how big and how long the badge is shown.

    Attributes:
        corner: frame corner.
        height: badge height as a fraction of the frame height (default 1/12: 90 px at 1080p, 180 px at 4K).
        margin: distance from the frame edges as a fraction of the frame height (title-safe area).
        start: first second of display (from the start of the output).
        duration: seconds of display; None shows it for the whole programme (end card excluded).
        variant: partially modified (default, our edits) or fully generated.
        opacity: plate opacity, 0.85–1.0.
    """

    corner: Corner = Corner.TOP_RIGHT
    height: Fraction = Fraction(1, 12)
    margin: Fraction = Fraction(1, 20)
    start: Fraction = Fraction(0)
    duration: Fraction | None = Fraction(5)
    variant: IconVariant = IconVariant.PARTIALLY_MODIFIED
    opacity: Fraction = Fraction(9, 10)

    def __post_init__(self) -> None:
        if not Fraction(1, 40) <= self.height <= Fraction(1, 4):
            raise DisclosureError("badge height must be between 1/40 and 1/4 of the frame height")
        if not 0 <= self.margin <= Fraction(1, 5):
            raise DisclosureError("badge margin must be between 0 and 1/5 of the frame height")
        if self.start < 0 or (self.duration is not None and self.duration <= 0):
            raise DisclosureError("badge start must be >= 0 and its duration positive (or None for always)")
        if not Fraction(85, 100) <= self.opacity <= 1:
            raise DisclosureError("badge opacity must be between 0.85 and 1 so the letters stay legible")

    def shown_at(self, t: Fraction) -> bool:
        return t >= self.start and (self.duration is None or t < self.start + self.duration)

    def rect(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the badge plate in a frame of the given size."""
        bh = max(MIN_BADGE_PX, round(height * self.height))
        bw = round(bh * 1.5)
        m = round(height * self.margin)
        if bw + 2 * m > width or bh + 2 * m > height:
            raise DisclosureError(f"a {bw}x{bh} badge does not fit a {width}x{height} frame; reduce its height")
        x = m if self.corner in (Corner.TOP_LEFT, Corner.BOTTOM_LEFT) else width - m - bw
        y = m if self.corner in (Corner.TOP_LEFT, Corner.TOP_RIGHT) else height - m - bh
        return x, y, bw, bh


def glyph_mask(bw: int, bh: int) -> tuple[np.ndarray, float, int]:
    """A mask (bw x bh, uint8 0/255) of the white strokes: "AI" letters. Also returns font scale and thickness."""
    mask = np.zeros((bh, bw), np.uint8)
    thickness = max(2, round(bh / 14))
    target_h = bh * 0.48
    (tw, th), _ = cv2.getTextSize("AI", _FONT, 1.0, thickness)
    scale = target_h / th
    (tw, th), _ = cv2.getTextSize("AI", _FONT, scale, thickness)
    org = ((bw - tw) // 2, round(bh * 0.12) + th)
    cv2.putText(mask, "AI", org, _FONT, scale, 255, thickness, cv2.LINE_AA)
    return mask, scale, thickness


def draw_badge(frame: np.ndarray, spec: BadgeSpec) -> tuple[int, int, int, int]:
    """Draw the badge onto a BGR uint8 frame in place; returns the plate rectangle (x, y, w, h)."""
    h, w = frame.shape[:2]
    x, y, bw, bh = spec.rect(w, h)
    roi = frame[y : y + bh, x : x + bw]
    plate = np.zeros((bh, bw), np.uint8)
    radius = max(3, bh // 6)
    cv2.rectangle(plate, (radius, 0), (bw - 1 - radius, bh - 1), 255, -1)
    cv2.rectangle(plate, (0, radius), (bw - 1, bh - 1 - radius), 255, -1)
    for cx, cy in (
        (radius, radius),
        (bw - 1 - radius, radius),
        (radius, bh - 1 - radius),
        (bw - 1 - radius, bh - 1 - radius),
    ):
        cv2.circle(plate, (cx, cy), radius, 255, -1, cv2.LINE_AA)
    alpha = (plate.astype(np.float32) / 255.0 * float(spec.opacity))[..., None]
    dark = np.full_like(roi, 16)
    roi[:] = (roi.astype(np.float32) * (1 - alpha) + dark.astype(np.float32) * alpha).astype(np.uint8)
    mask, _, thickness = glyph_mask(bw, bh)
    bar_y = round(bh * 0.76)
    bar_w = bw - 2 * radius if spec.variant is IconVariant.FULLY_GENERATED else (bw - 2 * radius) // 2
    cv2.rectangle(mask, (radius, bar_y), (radius + bar_w, bar_y + max(2, thickness // 2 + 1)), 255, -1)
    border = max(1, bh // 30)
    outline = np.zeros_like(plate)
    contours, _ = cv2.findContours(plate, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(outline, contours, -1, 255, border, cv2.LINE_AA)
    strokes = np.maximum(mask, outline).astype(np.float32)[..., None] / 255.0
    roi[:] = (roi.astype(np.float32) * (1 - strokes) + 255.0 * strokes).astype(np.uint8)
    return x, y, bw, bh


def badge_contrast(frame: np.ndarray, spec: BadgeSpec) -> float:
    """Luma contrast (WCAG ratio) between the letters and the plate in a frame carrying the badge.

    Used by QC to tell whether the badge is present: a frame without it has no consistent bright "AI" strokes on a
    dark plate at that spot (ratio near 1), a frame with it scores well above 3 even after lossy coding.
    """
    h, w = frame.shape[:2]
    x, y, bw, bh = spec.rect(w, h)
    roi = cv2.cvtColor(frame[y : y + bh, x : x + bw], cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    mask, _, thickness = glyph_mask(bw, bh)
    core = cv2.erode(mask, np.ones((3, 3), np.uint8), iterations=max(1, thickness // 4)) > 127
    ring = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=max(2, thickness)) > 0
    inset = np.zeros_like(mask, bool)
    inset[bh // 8 : bh - bh // 8, bw // 8 : bw - bw // 8] = True
    background = inset & ~ring
    if core.sum() == 0 or background.sum() == 0:
        return 1.0
    fg = float(np.median(_relative_luminance(roi[core])))
    bg = float(np.median(_relative_luminance(roi[background])))
    return (max(fg, bg) + 0.05) / (min(fg, bg) + 0.05) if fg > bg else 1.0


def _relative_luminance(v: np.ndarray) -> np.ndarray:
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
