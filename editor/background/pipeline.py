"""The matting pipeline for one shot: parameters, per-frame matte → refiner → temporal stabilisation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from editor.background.errors import BackgroundError
from editor.background.matte import MatteParams, matte_frame
from editor.background.plate import CleanPlate
from editor.background.refiner import RefinerNet, refine
from editor.background.temporal import Stabiliser

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays


@dataclass(frozen=True)
class BackgroundParams:
    """Every setting of a background replacement (recorded verbatim, resolved, in the edit result).

    Attributes:
        matte: Keying, trimap and guided-filter settings.
        stabilise: Weight of the flow-warped previous matte where the warp is reliable (0 = off).
        stabilise_tolerance: Photometric error at which that weight has decayed by e.
        regrade: How far (0–1) the performer's Lab statistics move towards the new plate's.
        plate_samples: Frames sampled to build or estimate the clean plate.
    """

    matte: MatteParams = field(default_factory=MatteParams)
    stabilise: float = 0.6
    stabilise_tolerance: float = 0.04
    regrade: float = 0.3
    plate_samples: int = 24

    def __post_init__(self) -> None:
        if not 0 <= self.stabilise < 1:
            raise BackgroundError(f"stabilise must be in [0, 1), got {self.stabilise}")
        if not self.stabilise_tolerance > 0:
            raise BackgroundError(f"stabilise_tolerance must be > 0, got {self.stabilise_tolerance}")
        if not 0 <= self.regrade <= 1:
            raise BackgroundError(f"regrade must be in [0, 1], got {self.regrade}")
        if not 3 <= self.plate_samples <= 200:
            raise BackgroundError(f"plate_samples must be 3–200, got {self.plate_samples}")

    def resolved(self, plate: CleanPlate) -> BackgroundParams:
        return replace(self, matte=self.matte.resolved(plate))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def pseudo_label_matte(self) -> MatteParams:
        """The heavier matte settings whose output the refiner learns: exact guided filter, no sub-sampling."""
        return replace(self.matte, subsample=1)


class ShotMatter:
    """Mattes the frames of one shot in order: key → trimap → guided filter (→ refiner) → stabilisation."""

    def __init__(self, plate: CleanPlate, params: BackgroundParams, refiner: RefinerNet | None = None) -> None:
        if params.matte.key_low is None or params.matte.key_high is None:
            params = params.resolved(plate)
        self.plate = plate
        self.params = params
        self.refiner = refiner
        self._stabiliser = Stabiliser(params.stabilise, params.stabilise_tolerance)

    def raw(self, frame: F32) -> F32:
        """The single-frame matte (no temporal state)."""
        m = matte_frame(frame, self.plate, self.params.matte)
        if self.refiner is not None:
            return refine(self.refiner, frame, m.p, m.unknown)
        return m.alpha

    def step(self, frame: F32) -> F32:
        """The stabilised matte of the next frame of the shot."""
        return self._stabiliser.step(frame, self.raw(frame))
