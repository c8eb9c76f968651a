"""Flow-based temporal stabilisation of the matte, and of the frame the matte is solved on.

Each frame's raw alpha is blended with the previous *stabilised* alpha warped into the current frame by DIS
optical flow (current → previous). The blend weight is ``strength`` where the warp is photometrically
consistent (the warped previous frame matches the current one) and falls to zero where it is not (occlusions,
flow failures), so the matte does not lag behind real motion. Fast, causal, deterministic.

The same warp and weight also denoise the frame the matte is solved on (:meth:`Stabiliser.motion`): the previous
*denoised* frame, warped, is blended in with that weight. The per-pixel matting (the foreground colour chosen
among candidates, the compositing equation's answer) otherwise follows every grain of sensor and codec noise from
frame to frame at a still edge; where the pixel moves or changes, the weight falls and the frame is used as it is.

**Still pixels.** DIS flow between two frames of a still picture is not zero: it jitters by a few tenths of a
pixel with the grain, and warping the previous alpha along it smears a still edge a little differently every
frame. Where the previous frame *unwarped* matches the current one as well as the warped one does (squared RGB
error, window means over ``STILL_WINDOW`` pixels, up to ``STILL_MARGIN`` times the warped error: a bilinear warp
averages away part of the grain), the pixel is taken as not moved: its flow is zero for every state carried.

**Longer carry where the matte is the equation's answer and nothing moved.** Where the alpha is the compositing
equation's per-pixel answer (the plate seen there: the ``posed`` band passed to :meth:`Stabiliser.step`, and the
pixels around it that enter or leave it) and the pixel did not move, the previous alpha is carried with the larger
weight ``carry``: there the answer depends only on the pixel's difference from the plate, which has not changed,
so every change of the raw answer is noise (the candidate blend tipped by the grain, pixels entering and leaving
the band). Elsewhere ``strength`` stays: at a moving edge, or where the alpha comes from the key and the guided
filter (the plate unseen), a longer memory only makes the edge lag.

Each state keeps at most ``max(strength, carry)`` of its previous value per frame (a contraction: the
segment-parallel render's warm-up rebuilds them in :meth:`Stabiliser.warm_up_frames` frames, ``editor.segmented``).

**Times, not frames.** The weights are set as shares kept per frame at ``RATE`` (25 fps: the benchmark's composites
of the GRID takes, on which they were chosen); a shot at another rate keeps :func:`per_frame` of them, the share that
makes its memory last as long in seconds (0.6 at 25 fps is 0.775 at 50 and 0.587 at 23.976; 0.85 is 0.922 at 50).
Counted in frames, a 50 fps shot's matte forgot its grain-averaged past in half the time, so its frame-to-frame
noise was that of a 25 fps shot twice a second as often; ``bench/background_rates.py`` measures both on a shot
composited at 25 and at 50 fps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from editor.background._flow import dis_flow, grey, warp
from editor.background.errors import BackgroundError

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
U8 = np.ndarray  # uint8
Bool = np.ndarray  # bool

RATE = 25.0  # frames per second at which the weights are the shares kept per frame
STILL_WINDOW = 5  # px: window over which "not moved" is tested against the flow's warp
# A bilinear warp averages up to four pixels, which lowers the warped frame's grain to as little as 1/4 of its
# variance: on pure grain the warped error can be (1 + 1/4)/2 of the unwarped one, so "not moved" must win up to
# 1/0.625 = 1.6× the warped error.
STILL_MARGIN = 1.6


def per_frame(weight: float, frame_rate: float) -> float:
    """The share to keep per frame at ``frame_rate`` (fps, positive) for a memory as long in seconds as ``weight``
    kept per frame at ``RATE``."""
    if not frame_rate > 0:
        raise BackgroundError(f"a frame rate must be positive, not {frame_rate}")
    return float(weight ** (RATE / frame_rate)) if weight > 0 else 0.0


def _sq_dist(a: F32, b: F32) -> F32:
    """Per-pixel squared RGB distance."""
    d = a - b
    return cv2.transform(d * d, np.ones((1, 3), np.float32))


@dataclass(frozen=True)
class Motion:
    """How the next frame relates to the previous one: its grey image, the flow to the previous frame and the
    per-pixel weight of the warped previous state (both ``None`` on the first frame or when off), and the frame
    denoised with that weight (``clean``: the frame itself where the weight is 0)."""

    grey: U8
    flow: F32 | None
    weight: F32 | None
    clean: F32
    still: Bool | None = None


@dataclass
class Stabiliser:
    """Causal matte stabiliser; feed frames in order with :meth:`step` (optionally :meth:`motion` first).

    Attributes:
        strength: Weight of the warped previous alpha (and denoised frame) where the warp is reliable, in [0, 1).
        tolerance: Photometric error (grey, [0,1]) at which the weight has fallen to ``strength·e^-1``.
        carry: Weight of the warped previous alpha where the warp is reliable and the alpha is the compositing
            equation's answer (the ``posed`` mask given to :meth:`step`), in [0, 1); 0 when ``strength`` is 0.
    """

    strength: float = 0.6
    tolerance: float = 0.04
    carry: float = 0.6
    _prev_grey: U8 | None = None
    _prev_alpha: F32 | None = None
    _prev_frame: F32 | None = None
    _prev_clean: F32 | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.strength < 1:
            raise BackgroundError(f"stabilisation strength must be in [0, 1), got {self.strength}")
        if not self.tolerance > 0:
            raise BackgroundError(f"stabilisation tolerance must be > 0, got {self.tolerance}")
        if not 0 <= self.carry < 1:
            raise BackgroundError(f"stabilisation carry must be in [0, 1), got {self.carry}")

    def warm_up_frames(self, residue: float = 1e-9) -> int:
        """Frames after which a difference in the carried state has shrunk below ``residue`` of itself (each
        frame keeps at most ``max(strength, carry)`` of it): what a segment's warm-up must run."""
        keep = max(self.strength, self.carry) if self.strength > 0 else 0.0
        return 1 if keep == 0 else max(1, math.ceil(math.log(residue) / math.log(keep)))

    def motion(self, frame: F32) -> Motion:
        """The flow and blend weight from ``frame`` (RGB float32, the next frame) to the previous one, and
        ``frame`` denoised by the warped previous denoised frame (the frame the matte is best solved on)."""
        g = grey(frame)
        if self._prev_grey is None or self._prev_frame is None or self._prev_clean is None or self.strength == 0:
            return Motion(g, None, None, frame)
        flow = dis_flow(g, self._prev_grey)  # current(x) ≈ previous(x + flow(x))
        moved = warp(self._prev_frame, flow)
        # Where the unmoved previous frame matches as well as the warped one (window means: the grain averages out),
        # the pixel did not move: DIS's sub-pixel jitter on a still frame would smear the carried alpha every frame.
        window = (STILL_WINDOW, STILL_WINDOW)
        still = cv2.blur(_sq_dist(self._prev_frame, frame), window) <= STILL_MARGIN * cv2.blur(
            _sq_dist(moved, frame), window
        )
        flow = np.where(still[..., None], np.float32(0.0), flow).astype(np.float32)
        moved = np.where(still[..., None], self._prev_frame, moved)
        err = np.abs(moved - frame).mean(axis=-1)
        weight = (self.strength * np.exp(-((err / self.tolerance) ** 2))).astype(np.float32)
        w3 = weight[..., None]
        clean = (w3 * warp(self._prev_clean, flow) + (1.0 - w3) * frame).astype(np.float32)
        return Motion(g, flow, weight, clean, still)

    def step(self, frame: F32, alpha: F32, motion: Motion | None = None, posed: Bool | None = None) -> F32:
        """Return the stabilised alpha of ``frame`` (RGB float32) given its raw ``alpha``; ``motion`` is
        :meth:`motion`'s answer for this frame when already computed; ``posed``: where the alpha is the
        compositing equation's answer (carried with ``carry`` instead of ``strength``)."""
        m = self.motion(frame) if motion is None else motion
        if m.flow is None or m.weight is None or self._prev_alpha is None:
            out = alpha
        else:
            weight = m.weight
            if posed is not None and m.still is not None and self.carry != self.strength:
                # m.weight = strength·e^-(err/tol)²: the same photometric test, with the still band's own weight.
                weight = np.where(posed & m.still, m.weight * np.float32(self.carry / self.strength), m.weight)
            out = (weight * warp(self._prev_alpha, m.flow) + (1.0 - weight) * alpha).astype(np.float32)
        self._prev_grey, self._prev_alpha, self._prev_frame, self._prev_clean = m.grey, out, frame, m.clean
        return out

    def state(self) -> list[np.ndarray | None]:
        """What is carried to the next frame: the previous grey image, stabilised alpha, frame and denoised frame."""
        return [self._prev_grey, self._prev_alpha, self._prev_frame, self._prev_clean]
