"""Colour-difference metrics: CIE76 ΔE (mean per pixel, in CIELAB from sRGB/Rec.709 primaries, D65) and PSNR."""

from __future__ import annotations

import cv2
import numpy as np


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """Float RGB in [0, 1] (…, 3) → CIELAB (L in 0–100)."""
    x = np.ascontiguousarray(np.clip(rgb, 0, 1).astype(np.float32).reshape(-1, 1, 3))
    return cv2.cvtColor(x, cv2.COLOR_RGB2Lab).reshape(np.shape(rgb))


def delta_e76(a: np.ndarray, b: np.ndarray) -> float:
    """Mean per-pixel CIE76 ΔE between two float RGB images."""
    return float(np.mean(np.linalg.norm(to_lab(a) - to_lab(b), axis=-1)))


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB of float images in [0, 1]."""
    mse = float(np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)
