"""The sampled frames of a take, as the clean-plate estimate reads them: which frames, their temporal median and the
set's noise, and masks brought from the estimate's work size to the frame's."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from editor.background._people import F32, U8, Bool
from editor.background.errors import PlateError


def _samples(frames: Sequence[U8], max_samples: int) -> list[U8]:
    if len(frames) == 0:
        raise PlateError("cannot build a clean plate from an empty clip; supply a clip with at least one frame")
    idx = np.unique(np.linspace(0, len(frames) - 1, min(max_samples, len(frames))).round().astype(int))
    return [frames[i] for i in idx]


def _to(mask: Bool, size: tuple[int, int]) -> Bool:
    """A mask brought to ``size`` (width, height), nearest pixel."""
    return cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0


def _median(samples: Sequence[U8]) -> F32:
    """Per-pixel temporal median (the upper median for an even count), RGB float32 in [0, 1]."""
    stack = np.stack(samples)
    k = len(samples) // 2
    return (np.partition(stack, k, axis=0)[k].astype(np.float32) / 255.0).astype(np.float32)


def _noise(samples: Sequence[U8], median: F32, mask: Bool, step: int = 3) -> float:
    """Robust temporal noise (1.4826·MAD of the RGB distance to the median) over ``mask``, on a pixel grid."""
    sub = mask[::step, ::step]
    if not sub.any():
        sub = np.ones_like(sub)
    med = median[::step, ::step][sub]
    dist = [np.sqrt(((f[::step, ::step][sub].astype(np.float32) / 255.0 - med) ** 2).sum(axis=-1)) for f in samples]
    return float(1.4826 * np.median(np.concatenate(dist)))
