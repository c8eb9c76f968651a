"""Peer for bench/background.py: main's matte stabiliser after branch matte6 (00c6cc6), kept verbatim so the peers'
shot pipelines stabilise as they did before issue 18's temporal-consistency fix (branch matte7: the longer carry
where the matte is the compositing equation's answer, and the still-pixel test against the flow's jitter).

Flow-based temporal stabilisation of the matte, and of the frame the matte is solved on.

Each frame's raw alpha is blended with the previous *stabilised* alpha warped into the current frame by DIS
optical flow (current → previous). The blend weight is ``strength`` where the warp is photometrically
consistent (the warped previous frame matches the current one) and falls to zero where it is not (occlusions,
flow failures), so the matte does not lag behind real motion. Fast, causal, deterministic.

The same warp and weight also denoise the frame the matte is solved on (:meth:`Stabiliser.motion`): the previous
*denoised* frame, warped, is blended in with that weight. The per-pixel matting (the foreground colour chosen
among candidates, the compositing equation's answer) otherwise follows every grain of sensor and codec noise from
frame to frame at a still edge; where the pixel moves or changes, the weight falls and the frame is used as it is.
Both states keep at most ``strength`` of their previous value per frame (a contraction: the segment-parallel
render's warm-up rebuilds them, ``editor.segmented``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editor.background._flow import dis_flow, grey, warp
from editor.background.errors import BackgroundError

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
U8 = np.ndarray  # uint8


@dataclass(frozen=True)
class Motion:
    """How the next frame relates to the previous one: its grey image, the flow to the previous frame and the
    per-pixel weight of the warped previous state (both ``None`` on the first frame or when off), and the frame
    denoised with that weight (``clean``: the frame itself where the weight is 0)."""

    grey: U8
    flow: F32 | None
    weight: F32 | None
    clean: F32


@dataclass
class Stabiliser:
    """Causal matte stabiliser; feed frames in order with :meth:`step` (optionally :meth:`motion` first).

    Attributes:
        strength: Weight of the warped previous alpha (and denoised frame) where the warp is reliable, in [0, 1).
        tolerance: Photometric error (grey, [0,1]) at which the weight has fallen to ``strength·e^-1``.
    """

    strength: float = 0.6
    tolerance: float = 0.04
    _prev_grey: U8 | None = None
    _prev_alpha: F32 | None = None
    _prev_frame: F32 | None = None
    _prev_clean: F32 | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.strength < 1:
            raise BackgroundError(f"stabilisation strength must be in [0, 1), got {self.strength}")
        if not self.tolerance > 0:
            raise BackgroundError(f"stabilisation tolerance must be > 0, got {self.tolerance}")

    def motion(self, frame: F32) -> Motion:
        """The flow and blend weight from ``frame`` (RGB float32, the next frame) to the previous one, and
        ``frame`` denoised by the warped previous denoised frame (the frame the matte is best solved on)."""
        g = grey(frame)
        if self._prev_grey is None or self._prev_frame is None or self._prev_clean is None or self.strength == 0:
            return Motion(g, None, None, frame)
        flow = dis_flow(g, self._prev_grey)  # current(x) ≈ previous(x + flow(x))
        err = np.abs(warp(self._prev_frame, flow) - frame).mean(axis=-1)
        weight = (self.strength * np.exp(-((err / self.tolerance) ** 2))).astype(np.float32)
        w3 = weight[..., None]
        clean = (w3 * warp(self._prev_clean, flow) + (1.0 - w3) * frame).astype(np.float32)
        return Motion(g, flow, weight, clean)

    def step(self, frame: F32, alpha: F32, motion: Motion | None = None) -> F32:
        """Return the stabilised alpha of ``frame`` (RGB float32) given its raw ``alpha``; ``motion`` is
        :meth:`motion`'s answer for this frame when already computed."""
        m = self.motion(frame) if motion is None else motion
        if m.flow is None or m.weight is None or self._prev_alpha is None:
            out = alpha
        else:
            out = (m.weight * warp(self._prev_alpha, m.flow) + (1.0 - m.weight) * alpha).astype(np.float32)
        self._prev_grey, self._prev_alpha, self._prev_frame, self._prev_clean = m.grey, out, frame, m.clean
        return out

    def state(self) -> list[np.ndarray | None]:
        """What is carried to the next frame: the previous grey image, stabilised alpha, frame and denoised frame."""
        return [self._prev_grey, self._prev_alpha, self._prev_frame, self._prev_clean]
