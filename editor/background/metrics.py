"""Matte and temporal-consistency metrics.

Matte metrics follow Robust Video Matting's evaluation (Lin et al. 2021): with α the estimate and α* the
reference, both in [0, 1], over N pixels of a frame and averaged over frames,

* MAD   = mean |α − α*| × 1e3
* MSE   = mean (α − α*)² × 1e3
* dtSSD = sqrt(Σ ((α_t − α_{t−1}) − (α*_t − α*_{t−1}))² / N) × 1e2, averaged over t ≥ 1.

Warping error (Lai et al., ECCV 2018): for consecutive frames, the mean squared difference between frame t and
frame t+1 warped back to t with optical flow, over non-occluded pixels (forward–backward check), averaged over t.
``source_flows`` computes the flows of a video; pass a video's own flows, or the source's flows to apply the
source's motion to a result (Lai et al.'s protocol, which assumes both show the same scene).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from editor.background._flow import dis_flow, grey, non_occluded, warp

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
Bool = np.ndarray  # bool
U8 = np.ndarray  # uint8


def _check(est: Sequence[F32], ref: Sequence[F32]) -> None:
    if len(est) != len(ref) or len(est) == 0:
        raise ValueError(f"need equally many estimated and reference mattes, got {len(est)} and {len(ref)}")


def mad(est: Sequence[F32], ref: Sequence[F32]) -> float:
    """Mean absolute difference × 1e3."""
    _check(est, ref)
    return float(np.mean([np.abs(a - b).mean() for a, b in zip(est, ref, strict=True)]) * 1e3)


def mse(est: Sequence[F32], ref: Sequence[F32]) -> float:
    """Mean squared error × 1e3."""
    _check(est, ref)
    return float(np.mean([((a - b) ** 2).mean() for a, b in zip(est, ref, strict=True)]) * 1e3)


def dtssd(est: Sequence[F32], ref: Sequence[F32]) -> float:
    """Temporal coherence error × 1e2 (0 for a single frame)."""
    _check(est, ref)
    if len(est) < 2:
        return 0.0
    vals = [np.sqrt((((est[t] - est[t - 1]) - (ref[t] - ref[t - 1])) ** 2).mean()) for t in range(1, len(est))]
    return float(np.mean(vals) * 1e2)


def source_flows(frames: Sequence[U8]) -> list[tuple[F32, Bool]]:
    """For each consecutive pair of source frames: flow t → t+1 and its non-occlusion mask."""
    greys = [grey(f.astype(np.float32) / 255.0) for f in frames]
    out = []
    for t in range(len(greys) - 1):
        fwd = dis_flow(greys[t], greys[t + 1], preset=2)
        bwd = dis_flow(greys[t + 1], greys[t], preset=2)
        out.append((fwd, non_occluded(fwd, bwd)))
    return out


def warping_error(
    frames: Sequence[U8],
    flows: Sequence[tuple[F32, Bool]],
    region: Sequence[Bool] | None = None,
) -> float:
    """Lai et al. warping error of ``frames`` (RGB uint8) under precomputed ``flows`` (×1e3, [0,1] units).

    ``region`` (one mask per pair) restricts the mean further, e.g. to the matte's edge band.
    """
    if len(flows) != len(frames) - 1:
        raise ValueError(f"need {len(frames) - 1} flows for {len(frames)} frames, got {len(flows)}")
    errs = []
    for t, (flow, visible) in enumerate(flows):
        cur = frames[t].astype(np.float32) / 255.0
        nxt = warp(frames[t + 1].astype(np.float32) / 255.0, flow)
        sq = ((cur - nxt) ** 2).mean(axis=-1)
        mask = visible if region is None else visible & region[t]
        if mask.any():
            errs.append(float(sq[mask].mean()))
    return float(np.mean(errs) * 1e3) if errs else 0.0
