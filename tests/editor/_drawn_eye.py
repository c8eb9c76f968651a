"""A drawn eye patch for the eyeline tests: skin, the white of the eye, and an iris disc at a sub-pixel place."""

from __future__ import annotations

import cv2
import numpy as np

from editor.eyeline._eyes import PATCH_H, PATCH_W
from editor.eyeline.iris import IRIS_RADIUS

LOOKS = {  # skin, the white of the eye, the iris (RGB, 0-1)
    "dark iris": ((0.8, 0.6, 0.5), (0.95, 0.95, 0.95), (0.15, 0.1, 0.08)),
    "blue iris, fair skin": ((0.92, 0.78, 0.72), (0.96, 0.96, 0.96), (0.35, 0.5, 0.65)),
    "grey iris, fair skin": ((0.92, 0.8, 0.75), (0.97, 0.97, 0.97), (0.55, 0.58, 0.6)),
    "brown iris, dark skin": ((0.35, 0.22, 0.16), (0.85, 0.85, 0.85), (0.12, 0.07, 0.05)),
}


def drawn_eye(
    x: float = (PATCH_W - 1) / 2,
    look: str = "dark iris",
    radius: float = IRIS_RADIUS,
    lights: tuple[tuple[float, float], ...] = (),
) -> np.ndarray:
    """Skin, the white of the eye between the corners, and an iris disc centred at ``x`` (``radius`` of the patch
    width), coloured as ``look``; ``lights``: catchlights, white dots 3 px across at these offsets (px) from the
    iris's centre."""
    skin, white, iris = LOOKS[look]
    patch = np.full((PATCH_H, PATCH_W, 3), skin, np.float32)
    cv2.ellipse(patch, (PATCH_W // 2, PATCH_H // 2), (int(0.35 * PATCH_W), 7), 0, 0, 360, white, -1)
    big = np.zeros((PATCH_H * 8, PATCH_W * 8), np.uint8)  # the disc drawn 8× and shrunk: a sub-pixel centre
    cv2.circle(big, (round(x * 8 + 3.5), PATCH_H * 4), round(radius * PATCH_W * 8), 255, -1)
    disc = cv2.resize(big, (PATCH_W, PATCH_H), interpolation=cv2.INTER_AREA).astype(np.float32)[..., None] / 255
    out = patch * (1 - disc) + disc * np.float32(iris)
    for dx, dy in lights:
        cv2.circle(out, (round(x + dx), round(PATCH_H / 2 - 0.5 + dy)), 1, (1.0, 1.0, 1.0), -1)
    return out
