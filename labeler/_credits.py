"""The end-credit disclosure card: black frames listing the AI-altered shots, drawn with OpenCV."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import cv2
import numpy as np

from labeler.sidecar import STATEMENT, AlteredShot, timecode

_FONT = cv2.FONT_HERSHEY_DUPLEX
_TITLE = "AI DISCLOSURE"


def lines_per_card(height: int) -> int:
    """How many shot lines fit one card at the card's line height (1/22 of the frame)."""
    return max(3, int((height * 0.62) // (height / 22)))


def card_pages(shots: Sequence[AlteredShot], height: int) -> list[list[AlteredShot]]:
    ordered = sorted(shots, key=lambda s: (s.start, s.end))
    n = lines_per_card(height)
    return [ordered[i : i + n] for i in range(0, len(ordered), n)] or [[]]


def render_card(
    width: int, height: int, shots: Sequence[AlteredShot], fps: Fraction, page: int, pages: int
) -> np.ndarray:
    """A BGR frame: title, the Art. 50 statement, one line per altered shot (timecode range, shot, operation)."""
    img = np.zeros((height, width, 3), np.uint8)
    unit = height / 1080
    thick = max(1, round(2 * unit))
    y = round(height * 0.14)
    _centred(img, _TITLE if pages == 1 else f"{_TITLE} ({page}/{pages})", y, 1.6 * unit, max(2, round(3 * unit)))
    y += round(height * 0.08)
    for part in _wrap(STATEMENT, width * 0.84, 0.9 * unit, thick):
        _centred(img, part, y, 0.9 * unit, thick)
        y += round(height / 22)
    y += round(height / 44)
    left = round(width * 0.08)
    for s in shots:
        text = f"{timecode(s.start, fps)} - {timecode(s.end, fps)}   {s.shot}: {s.operation}"
        text = _fit(text, width - 2 * left, 0.8 * unit, thick)
        cv2.putText(img, text, (left, y), _FONT, 0.8 * unit, (235, 235, 235), thick, cv2.LINE_AA)
        y += round(height / 22)
    return img


def _centred(img: np.ndarray, text: str, y: int, scale: float, thick: int) -> None:
    (tw, _), _ = cv2.getTextSize(text, _FONT, scale, thick)
    cv2.putText(img, text, ((img.shape[1] - tw) // 2, y), _FONT, scale, (255, 255, 255), thick, cv2.LINE_AA)


def _wrap(text: str, max_w: float, scale: float, thick: int) -> list[str]:
    out: list[str] = []
    line = ""
    for word in text.split():
        cand = f"{line} {word}".strip()
        if cv2.getTextSize(cand, _FONT, scale, thick)[0][0] <= max_w or not line:
            line = cand
        else:
            out.append(line)
            line = word
    return [*out, line] if line else out


def _fit(text: str, max_w: float, scale: float, thick: int) -> str:
    while len(text) > 4 and cv2.getTextSize(text, _FONT, scale, thick)[0][0] > max_w:
        text = text[:-4] + "..."
    return text
