"""The on-screen badge as Cutproof drew it before the EU icon (``label.applied/1`` records without ``icon``): a
rounded dark plate (≥ 85 % opaque) with white "AI" letters and a bar, 1.5:1, sized as a fraction of the frame height
and inset by a fraction of the frame height.

Kept so that QC still checks deliverables labelled with it (their records carry only corner, height, margin and one
``from``/``to``), and so tests can make such deliverables. New labels draw the EU icon (``labeler._icon``).
"""

from __future__ import annotations

from fractions import Fraction

import cv2
import numpy as np

from labeler._icon import IconVariant, relative_luminance
from labeler.errors import DisclosureError

_FONT = cv2.FONT_HERSHEY_DUPLEX
MIN_BADGE_PX = 36


def legacy_rect(corner: str, height_frac: Fraction, margin: Fraction, width: int, height: int) -> tuple[int, ...]:
    """(x, y, w, h) of the legacy plate in a frame of the given size."""
    bh = max(MIN_BADGE_PX, round(height * height_frac))
    bw = round(bh * 1.5)
    m = round(height * margin)
    if bw + 2 * m > width or bh + 2 * m > height:
        raise DisclosureError(f"a {bw}x{bh} badge does not fit a {width}x{height} frame; reduce its height")
    x = m if corner in ("top_left", "bottom_left") else width - m - bw
    y = m if corner in ("top_left", "top_right") else height - m - bh
    return x, y, bw, bh


def glyph_mask(bw: int, bh: int) -> tuple[np.ndarray, float, int]:
    """A mask (bw x bh, uint8 0/255) of the white "AI" strokes. Also returns font scale and thickness."""
    mask = np.zeros((bh, bw), np.uint8)
    thickness = max(2, round(bh / 14))
    (tw, th), _ = cv2.getTextSize("AI", _FONT, 1.0, thickness)
    scale = bh * 0.48 / th
    (tw, th), _ = cv2.getTextSize("AI", _FONT, scale, thickness)
    org = ((bw - tw) // 2, round(bh * 0.12) + th)
    cv2.putText(mask, "AI", org, _FONT, scale, 255, thickness, cv2.LINE_AA)
    return mask, scale, thickness


def draw_legacy_badge(frame: np.ndarray, rect: tuple[int, ...], variant: IconVariant, opacity: float = 0.9) -> None:
    """Draw the legacy plate badge onto a BGR uint8 frame in place."""
    x, y, bw, bh = rect
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
    alpha = (plate.astype(np.float32) / 255.0 * opacity)[..., None]
    roi[:] = (roi.astype(np.float32) * (1 - alpha) + 16.0 * alpha).astype(np.uint8)
    mask, _, thickness = glyph_mask(bw, bh)
    bar_y = round(bh * 0.76)
    bar_w = bw - 2 * radius if variant is IconVariant.FULLY_GENERATED else (bw - 2 * radius) // 2
    cv2.rectangle(mask, (radius, bar_y), (radius + bar_w, bar_y + max(2, thickness // 2 + 1)), 255, -1)
    outline = np.zeros_like(plate)
    contours, _ = cv2.findContours(plate, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(outline, contours, -1, 255, max(1, bh // 30), cv2.LINE_AA)
    strokes = np.maximum(mask, outline).astype(np.float32)[..., None] / 255.0
    roi[:] = (roi.astype(np.float32) * (1 - strokes) + 255.0 * strokes).astype(np.uint8)


def legacy_contrast(frame: np.ndarray, rect: tuple[int, ...]) -> float:
    """Luma contrast (WCAG ratio) between the white letters and the dark plate (1.0 when the plate is not there)."""
    x, y, bw, bh = rect
    roi = cv2.cvtColor(frame[y : y + bh, x : x + bw], cv2.COLOR_BGR2GRAY)
    mask, _, thickness = glyph_mask(bw, bh)
    core = cv2.erode(mask, np.ones((3, 3), np.uint8), iterations=max(1, thickness // 4)) > 127
    ring = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=max(2, thickness)) > 0
    inset = np.zeros_like(mask, bool)
    inset[bh // 8 : bh - bh // 8, bw // 8 : bw - bw // 8] = True
    background = inset & ~ring
    if core.sum() == 0 or background.sum() == 0:
        return 1.0
    fg = float(np.median(relative_luminance(roi[core])))
    bg = float(np.median(relative_luminance(roi[background])))
    return (fg + 0.05) / (bg + 0.05) if fg > bg else 1.0
