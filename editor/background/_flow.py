"""Optical flow helpers: OpenCV DIS flow at a bounded working width, backward warping, occlusion masks."""

from __future__ import annotations

import cv2
import numpy as np

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
U8 = np.ndarray  # uint8
Bool = np.ndarray  # bool


def grey(frame: F32) -> U8:
    """RGB float32 [0, 1] → 8-bit grey, the input DIS expects."""
    return cv2.cvtColor((np.clip(frame, 0, 1) * 255).round().astype(np.uint8), cv2.COLOR_RGB2GRAY)


def dis_flow(src: U8, dst: U8, *, work_width: int = 640, preset: int = 1) -> F32:
    """Dense flow ``F`` with ``src(x) ≈ dst(x + F(x))`` (DIS, computed at ≤ ``work_width`` and rescaled).

    ``preset``: 0 ultrafast, 1 fast, 2 medium (``cv2.DISOPTICAL_FLOW_PRESET_*``). Single-threaded so results are
    reproducible bit for bit.
    """
    h, w = src.shape[:2]
    scale = min(1.0, work_width / w)
    if scale < 1.0:
        size = (round(w * scale), round(h * scale))
        src = cv2.resize(src, size, interpolation=cv2.INTER_AREA)
        dst = cv2.resize(dst, size, interpolation=cv2.INTER_AREA)
    dis = cv2.DISOpticalFlow_create(preset)  # type: ignore[attr-defined]
    flow = dis.calc(src, dst, None)
    if scale < 1.0:
        flow = cv2.resize(flow, (w, h), interpolation=cv2.INTER_LINEAR) / scale
    return flow.astype(np.float32)


def warp(image: F32, flow: F32) -> F32:
    """Backward warp: ``out(x) = image(x + flow(x))`` (bilinear, border replicated)."""
    h, w = flow.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(image, gx + flow[..., 0], gy + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def non_occluded(forward: F32, backward: F32) -> Bool:
    """Forward–backward consistency (Sundaram et al. 2010, as used by Lai et al. 2018): ``True`` = visible.

    ``forward`` maps t → t+1, ``backward`` t+1 → t; a pixel is occluded where the round trip does not return.
    """
    back_at = warp(backward, forward)
    round_trip = forward + back_at
    lhs = (round_trip**2).sum(axis=-1)
    rhs = 0.01 * ((forward**2).sum(axis=-1) + (back_at**2).sum(axis=-1)) + 0.5
    h, w = forward.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    inside = (
        (gx + forward[..., 0] >= 0)
        & (gx + forward[..., 0] <= w - 1)
        & (gy + forward[..., 1] >= 0)
        & (gy + forward[..., 1] <= h - 1)
    )
    return (lhs <= rhs) & inside
