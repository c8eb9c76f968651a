"""The eyeline edit's timing in seconds, turned into frames at the shot's own rate.

Why (issue 18): the edit eased the shift in and out over 3 frames, smoothed its flow and lightness fields by half
per frame and the face box over a Gaussian of 2 frames, whatever the shot's rate. Those were set on 25–30 fps
takes; on a 59.94 fps insert the eyes moved to their new look in half the time and the smoothing lasted half as
long, on a 23.976 one a quarter longer.

1. **Ease** (``RAMP_S``): the requested shift rises over the first ``ramp`` frames of the range and falls over
   its last ``ramp``; ``ramp`` is ``RAMP_S`` at the shot's rate, rounded up (3 frames at 23.976–30 fps as before,
   5 at 50, 6 at 59.94).
2. **Field smoothing** (``HALF_LIFE_S``): each frame keeps ``alpha`` of the previous frame's smoothed field, so
   that the field forgets half of it in ``HALF_LIFE_S`` (``alpha`` 0.5 at 30 fps as before; 0.71 at 60, 0.44 at
   25, 0.42 at 23.976). A segment of a parallel render runs its state over ``warm_up`` frames before its first,
   ``FORGET`` half-lives (0.5^48 ≈ 4e-15 of the start left).
3. **Face box smoothing** (``BOX_SIGMA_S``): a Gaussian of ``box_sigma`` frames (2 at 30 fps as before).
4. **Settled** (``settled``): the frames the look is held on, where the edit's metrics are read (stop 52): the
   eyes moving to their new look over the ease are the edit's own motion, not flicker.

The constants are the values the edit had at 30 fps: nothing changes there, and at another rate the edit takes
the same time. ``bench/eyeline.py --rates`` measures the ease on the held-out take at twice its rate and at
23.976, with the frame-counted timing (the code before) in the same run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

RAMP_S = 0.1  # the shift eases in and out over this long
HALF_LIFE_S = 1 / 30  # the fields' smoothing forgets half its state in this long
BOX_SIGMA_S = 1 / 15  # the face box's Gaussian smoothing, σ in seconds
FORGET = 48  # half-lives a segment's warm-up runs


@dataclass(frozen=True)
class Timing:
    """Steps 1–3 in frames of one shot."""

    ramp: int  # frames the shift eases in (and out) over
    alpha: float  # share of the previous frame's smoothed field each frame keeps
    box_sigma: float  # the face box's smoothing, σ in frames
    warm_up: int  # frames a segment runs its state over before its first

    @classmethod
    def at(cls, fps: Fraction | float) -> Timing:
        """The timing at ``fps`` frames per second (positive)."""
        rate = float(fps)
        if not rate > 0:
            raise ValueError(f"a frame rate must be positive, not {fps}")
        frames_per_half_life = HALF_LIFE_S * rate
        return cls(
            ramp=max(1, math.ceil(RAMP_S * rate - 1e-6)),
            alpha=0.5 ** (1.0 / frames_per_half_life),
            box_sigma=BOX_SIGMA_S * rate,
            warm_up=math.ceil(FORGET * frames_per_half_life),
        )

    def ease(self, k: int, n: int) -> float:
        """The share of the shift on the range's frame ``k`` of ``n`` (step 1)."""
        return min(1.0, (k + 1) / self.ramp, (n - k) / self.ramp)

    def settled(self, n: int) -> range:
        """The frames of a range of ``n`` (0-based) on which the look is held: the whole shift (step 1), from two of
        the smoothing's half-lives (step 2) after the ease in reaches it, to the last frame before the ease out."""
        lag = math.ceil(2.0 * math.log(0.5) / math.log(self.alpha)) if 0.0 < self.alpha < 1.0 else 0
        return range(self.ramp - 1 + lag, n - self.ramp + 1)

    def as_parameters(self) -> dict[str, float]:
        """What the signed result records."""
        return {
            "ramp_frames": self.ramp,
            "temporal_alpha": round(self.alpha, 4),
            "box_sigma_frames": round(self.box_sigma, 3),
        }
