"""What the detector sees of a luma plane: the frame on the detector grid, high-passed and clipped.

Shared by the detector and by the embedder's informed step (which predicts what the detector will measure).
"""

from __future__ import annotations

import cv2
import numpy as np

from labeler.watermark._pattern import CHIP_ROWS, DET_PX
from labeler.watermark._types import Array

DET_ROWS = CHIP_ROWS * DET_PX
HP_SIGMA = 2.0  # detector-grid pixels: Gaussian prediction of the host
NORM_SIGMA = 1.0  # detector-grid pixels: neighbourhood of the local-energy normalisation
NORM_FLOOR = 0.2  # 8-bit code values: floor of the local RMS (flat areas are not amplified beyond this)
CLIP = 3.0


def det_size(width: int, height: int, rows: int = DET_ROWS) -> tuple[int, int]:
    """(width, height) of a ``rows``-high detector grid for a ``width``×``height`` frame (aspect kept)."""
    return max(1, round(width * rows / height)), rows


def high_pass(img: Array) -> Array:
    """Remove the host's low frequencies (subtract a Gaussian prediction)."""
    return img - cv2.GaussianBlur(img, (0, 0), HP_SIGMA)


def local_rms(hp: Array) -> Array:
    """Local RMS of a high-passed image (floored), by which the detector divides to whiten textured areas."""
    return np.sqrt(cv2.GaussianBlur(hp * hp, (0, 0), NORM_SIGMA)) + NORM_FLOOR


def whiten(img: Array) -> Array:
    """High-pass, divide by the local RMS (texture no longer drowns the pattern) and clip."""
    hp = high_pass(img)
    return np.clip(hp / local_rms(hp), -CLIP, CLIP)


def detector_view(luma: Array, scale_to_8bit: float = 1.0) -> Array:
    """High-passed detector-grid image of a luma plane (any size; 16-bit planes scaled by ``scale_to_8bit``)."""
    h, w = luma.shape
    small: Array = cv2.resize(luma.astype(np.float32, copy=False), det_size(w, h), interpolation=cv2.INTER_AREA)
    if scale_to_8bit != 1.0:
        small *= scale_to_8bit
    return whiten(small)


def to_chips(det: Array, rows: int, cols: int) -> Array:
    """Mean of each ``DET_PX``×``DET_PX`` block of a detector image, as a ``rows``×``cols`` chip grid (0-padded)."""
    out = np.zeros((rows * DET_PX, cols * DET_PX), np.float32)
    h, w = min(det.shape[0], out.shape[0]), min(det.shape[1], out.shape[1])
    out[:h, :w] = det[:h, :w]
    return out.reshape(rows, DET_PX, cols, DET_PX).mean(axis=(1, 3))
