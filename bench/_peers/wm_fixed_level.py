"""Today's watermark level (main a0ff0ab): the pattern rescaled to a fixed nominal RMS of 2.0 code values on the
render grid, then upsampled and added with rounding and saturation, whatever the content does to the realised
change. Bench-only: the same ``cutproof-wm/2`` pattern and detector, so only the level differs."""

from __future__ import annotations

import cv2
import numpy as np

from labeler.watermark._embed import FrameEmbedder

FIXED_STRENGTH = 2.0


class FixedLevelEmbedder(FrameEmbedder):
    def __init__(self, key: int, strength: float = FIXED_STRENGTH, informed: bool = True) -> None:
        super().__init__(key, FIXED_STRENGTH, informed)

    def embed(self, luma: np.ndarray, max_value: int = 255) -> np.ndarray:
        if max_value == 255 and luma.dtype == np.uint8:
            return cv2.add(luma, self.pattern(luma), dtype=cv2.CV_8U)  # rounds, saturates
        scale = max_value / 255.0
        y = luma.astype(np.float32)
        out = np.rint(y + self.pattern(y / scale) * scale)
        return np.clip(out, 0, max_value).astype(luma.dtype)
