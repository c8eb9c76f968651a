"""Flow-based temporal stabilisation of the matte.

Each frame's raw alpha is blended with the previous *stabilised* alpha warped into the current frame by DIS
optical flow (current → previous). The blend weight is ``strength`` where the warp is photometrically
consistent (the warped previous frame matches the current one) and falls to zero where it is not (occlusions,
flow failures), so the matte does not lag behind real motion. Fast, causal, deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editor.background._flow import dis_flow, grey, warp
from editor.background.errors import BackgroundError

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
U8 = np.ndarray  # uint8


@dataclass
class Stabiliser:
    """Causal matte stabiliser; feed frames in order with :meth:`step`.

    Attributes:
        strength: Weight of the warped previous alpha where the warp is reliable, in [0, 1).
        tolerance: Photometric error (grey, [0,1]) at which the weight has fallen to ``strength·e^-1``.
    """

    strength: float = 0.6
    tolerance: float = 0.04
    _prev_grey: U8 | None = None
    _prev_alpha: F32 | None = None
    _prev_frame: F32 | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.strength < 1:
            raise BackgroundError(f"stabilisation strength must be in [0, 1), got {self.strength}")
        if not self.tolerance > 0:
            raise BackgroundError(f"stabilisation tolerance must be > 0, got {self.tolerance}")

    def step(self, frame: F32, alpha: F32) -> F32:
        """Return the stabilised alpha of ``frame`` (RGB float32) given its raw ``alpha``."""
        g = grey(frame)
        if self._prev_grey is None or self._prev_alpha is None or self._prev_frame is None or self.strength == 0:
            out = alpha
        else:
            flow = dis_flow(g, self._prev_grey)  # current(x) ≈ previous(x + flow(x))
            warped_alpha = warp(self._prev_alpha, flow)
            warped_frame = warp(self._prev_frame, flow)
            err = np.abs(warped_frame - frame).mean(axis=-1)
            weight = (self.strength * np.exp(-((err / self.tolerance) ** 2))).astype(np.float32)
            out = (weight * warped_alpha + (1.0 - weight) * alpha).astype(np.float32)
        self._prev_grey, self._prev_alpha, self._prev_frame = g, out, frame
        return out

    def state(self) -> list[np.ndarray | None]:
        """What is carried to the next frame: the previous grey image, stabilised alpha and frame."""
        return [self._prev_grey, self._prev_alpha, self._prev_frame]
