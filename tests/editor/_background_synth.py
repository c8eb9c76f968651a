"""Synthetic shots with a known alpha: a textured 'performer' with soft, hair-like edges over a textured plate."""

from __future__ import annotations

import numpy as np


def plate(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A smooth but textured background (RGB float32)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([0.2 + 0.3 * xx / w, 0.55 + 0.1 * np.sin(yy / 9.0), 0.35 + 0.2 * yy / h], axis=-1)
    return np.clip(base + rng.normal(0, 0.01, (h, w, 3)), 0, 1).astype(np.float32)


def alpha(h: int, w: int, cx: float, cy: float, seed: int = 1) -> np.ndarray:
    """Head-and-shoulders alpha with a soft rim and wispy strands (values strictly between 0 and 1 at edges)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = 0.22 * min(h, w)
    head = np.sqrt(((xx - cx) / r) ** 2 + ((yy - cy) / (1.25 * r)) ** 2)
    angle = np.arctan2(yy - cy, xx - cx)
    wisps = 0.06 * np.sin(23 * angle + seed) * (yy < cy)  # hair-like ripples on the top half
    a_head = np.clip((1.08 + wisps - head) / 0.16, 0, 1)
    shoulders = np.clip((yy - (cy + 1.1 * r)) / 6.0, 0, 1) * (np.abs(xx - cx) < 2.2 * r)
    return np.maximum(a_head, shoulders).astype(np.float32)


def foreground(h: int, w: int, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([0.75 + 0.05 * np.sin(xx / 5), 0.45 + 0.05 * np.cos(yy / 7), 0.35 * np.ones_like(xx)], axis=-1)
    return np.clip(base + rng.normal(0, 0.01, (h, w, 3)), 0, 1).astype(np.float32)


def shot(n: int, h: int = 120, w: int = 160, *, drift: float = 1.0, noise: float = 0.004, seed: int = 0):
    """``n`` frames (uint8 RGB), their true alphas and the clean plate; the performer drifts sideways."""
    rng = np.random.default_rng(seed)
    bg, fg = plate(h, w, seed), foreground(h, w, seed + 2)
    frames, alphas = [], []
    for t in range(n):
        a = alpha(h, w, w / 2 + drift * t, 0.45 * h, seed + 1)
        img = a[..., None] * fg + (1 - a[..., None]) * bg + rng.normal(0, noise, (h, w, 3))
        frames.append((np.clip(img, 0, 1) * 255).round().astype(np.uint8))
        alphas.append(a)
    return frames, alphas, (bg * 255).round().astype(np.uint8)


def hair_rim_frame(
    h: int = 240, w: int = 320, *, soft: float = 2.0, rim: float = 6.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One frame (uint8 RGB), its true alpha and the clean plate (uint8): a head and shoulders whose edge is a
    linear ramp ``soft`` pixels wide (the only fractional alpha), the head ringed by a ``rim``-pixel band of dark
    hair around a light face, a blue shirt; over :func:`plate`. Everything inside the ramp is opaque."""
    bg = plate(h, w, seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy, r = w / 2, 0.42 * h, 0.2 * min(h, w)
    head = (np.sqrt(((xx - cx) / r) ** 2 + ((yy - cy) / (1.25 * r)) ** 2) - 1) * r  # ≈ signed distance, px
    body = np.maximum(np.abs(xx - cx) - 2.0 * r, cy + 1.1 * r - yy)
    a = np.clip(0.5 - np.minimum(head, body) / soft, 0, 1).astype(np.float32)
    rng = np.random.default_rng(seed + 1)
    fg = np.empty((h, w, 3), np.float32)
    fg[:] = (0.85, 0.65, 0.55)
    fg[(head > -rim) & (yy < cy + 0.3 * r)] = (0.12, 0.1, 0.08)
    fg[yy > cy + 1.1 * r] = (0.25, 0.3, 0.7)
    fg = np.clip(fg + rng.normal(0, 0.01, fg.shape), 0, 1).astype(np.float32)
    img = a[..., None] * fg + (1 - a[..., None]) * bg + rng.normal(0, 0.004, bg.shape)
    return (np.clip(img, 0, 1) * 255).round().astype(np.uint8), a, (bg * 255).round().astype(np.uint8)
