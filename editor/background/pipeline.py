"""The matting pipeline for one shot: parameters, per-frame matte → refiner → temporal stabilisation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from editor.background._guided import fast_guided_filter
from editor.background._unmix import bounded, unmixable
from editor.background.despill import despill
from editor.background.errors import BackgroundError
from editor.background.foreground import estimate_foreground
from editor.background.matte import MatteParams, matte_frame
from editor.background.plate import CleanPlate
from editor.background.refiner import RefinerNet, refine
from editor.background.temporal import RATE, Stabiliser, per_frame

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
FOREGROUND_METHODS = ("multilevel", "frame")


@dataclass(frozen=True)
class BackgroundParams:
    """Every setting of a background replacement (recorded verbatim, resolved, in the edit result).

    Attributes:
        matte: Keying, trimap and guided-filter settings.
        stabilise: Weight of the flow-warped previous matte where the warp is reliable (0 = off), per frame at 25
            fps: a shot at another rate keeps the share that makes the memory as long in seconds
            (``temporal.per_frame``; 0.6 is 0.775 at 50 fps).
        stabilise_tolerance: Photometric error at which that weight has decayed by e.
        stabilise_posed: The same weight where the matte is the compositing equation's per-pixel answer (the plate
            seen there; within a trimap band of it) and the pixel did not move: there its frame-to-frame changes are
            noise (:mod:`editor.background.temporal`); a segment's warm-up grows with it (0.85: 128 frames at 25
            fps, 256 at 50).
        regrade: How far (0–1) the performer's colour moves towards the new plate's.
        regrade_method: ``"lab"`` (mean/std transfer in CIE Lab) or ``"cdl"`` (the lighting model's ASC CDL match,
            exportable for a colourist).
        plate_samples: Frames sampled to build or estimate the clean plate.
        work_width: Frames wider than this are matted at this width and the matte is brought back to full
            resolution by guided upsampling steered by the full frame (0 = always full resolution).
        foreground: The performer's colour composited where the matte is fractional: ``"multilevel"`` (recovered
            from the frame, the matte and the clean plate: :mod:`editor.background.foreground`, so no colour of the
            old set is carried onto the new one) or ``"frame"`` (the frame's own pixel, old set and all).
        despill: Take the old set's colour, smeared into the performer's edge by the codec's lower-resolution
            chroma (and the backdrop's light on the hair), out of the colour composited there
            (:mod:`editor.background.despill`). Off by default: on sets near the performer's colours it changes the
            edge's own colour more than it removes (``docs/benchmarks.md``, "The plate next to a plain set, and
            edge despill"); for a coloured backdrop (a blue or green booth) it takes away the rim of its colour.
    """

    matte: MatteParams = field(default_factory=MatteParams)
    stabilise: float = 0.6
    stabilise_tolerance: float = 0.04
    stabilise_posed: float = 0.85
    regrade: float = 0.3
    regrade_method: str = "lab"
    plate_samples: int = 24
    work_width: int = 1280
    foreground: str = "multilevel"
    despill: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.stabilise < 1:
            raise BackgroundError(f"stabilise must be in [0, 1), got {self.stabilise}")
        if not 0 <= self.stabilise_posed < 1:
            raise BackgroundError(f"stabilise_posed must be in [0, 1), got {self.stabilise_posed}")
        if not self.stabilise_tolerance > 0:
            raise BackgroundError(f"stabilise_tolerance must be > 0, got {self.stabilise_tolerance}")
        if self.regrade_method not in ("lab", "cdl"):
            raise BackgroundError(f"regrade_method must be 'lab' or 'cdl', got {self.regrade_method!r}")
        if not 0 <= self.regrade <= 1:
            raise BackgroundError(f"regrade must be in [0, 1], got {self.regrade}")
        if self.work_width != 0 and not 320 <= self.work_width <= 8192:
            raise BackgroundError(f"work_width must be 0 (off) or 320–8192, got {self.work_width}")
        if self.foreground not in FOREGROUND_METHODS:
            raise BackgroundError(f"foreground must be one of {', '.join(FOREGROUND_METHODS)}, got {self.foreground!r}")
        if not 3 <= self.plate_samples <= 200:
            raise BackgroundError(f"plate_samples must be 3–200, got {self.plate_samples}")

    def resolved(self, plate: CleanPlate) -> BackgroundParams:
        return replace(self, matte=self.matte.resolved(plate))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def pseudo_label_matte(self) -> MatteParams:
        """The heavier matte settings whose output the refiner learns: exact guided filter, no sub-sampling."""
        return replace(self.matte, subsample=1)


def _scaled_plate(plate: CleanPlate, size: tuple[int, int]) -> CleanPlate:
    """The clean plate at ``(width, height)``."""
    near = cv2.INTER_NEAREST
    return CleanPlate(
        image=cv2.resize(plate.image, size, interpolation=cv2.INTER_AREA).astype(np.float32),
        known=cv2.resize(plate.known.astype(np.uint8), size, interpolation=near) > 0,
        performer=cv2.resize(plate.performer.astype(np.uint8), size, interpolation=near) > 0,
        noise=plate.noise,
        source=plate.source,
        set_recovered=plate.set_recovered,
        faces=plate.faces,
        presences=plate.presences,
        plain_set=plate.plain_set,
        interior=None
        if plate.interior is None
        else cv2.resize(plate.interior.astype(np.uint8), size, interpolation=near) > 0,
        extended=None
        if plate.extended is None
        else cv2.resize(plate.extended.astype(np.uint8), size, interpolation=near) > 0,
        uncoverable=None
        if plate.uncoverable is None
        else cv2.resize(plate.uncoverable.astype(np.uint8), size, interpolation=near) > 0,
    )


def stabiliser(params: BackgroundParams, frame_rate: float = RATE) -> Stabiliser:
    """The matte stabiliser for ``params`` on a shot at ``frame_rate`` fps (its :meth:`Stabiliser.warm_up_frames`
    sizes a segment's warm-up)."""
    return Stabiliser(
        per_frame(params.stabilise, frame_rate),
        params.stabilise_tolerance,
        per_frame(params.stabilise_posed, frame_rate),
    )


def _unmixable(plate: CleanPlate, size: tuple[int, int]) -> np.ndarray | None:
    """Where the soft edge is bounded by its colour (:func:`editor.background._unmix.unmixable`), found on ``plate``
    at the matte's work size and brought to ``(width, height)``: the search's cost is the work size's at any
    resolution (on the full plate it took 4.2 s at 4K, in every matter: ``bench/background_unmix_scale.py``)."""
    where = unmixable(plate)
    if where is None or where.shape[::-1] == size:
        return where
    return cv2.resize(where.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0


class ShotMatter:
    """Mattes the frames of one shot in order: key → trimap → guided filter (→ refiner) → stabilisation.

    Frames wider than ``params.work_width`` are matted (and stabilised) at that width; the matte then returns to
    full resolution through the fast guided filter with the full frame as guide, so its edges follow the
    full-resolution image. ``frame_rate``: the shot's, which the stabiliser's weights are brought to (frames taken
    at 25 fps where none is given: stills, synthetic frames).
    """

    def __init__(
        self,
        plate: CleanPlate,
        params: BackgroundParams,
        refiner: RefinerNet | None = None,
        *,
        frame_rate: float = RATE,
    ) -> None:
        if params.matte.key_low is None or params.matte.key_high is None:
            params = params.resolved(plate)
        self.params = params
        self.refiner = refiner
        h, w = plate.image.shape[:2]
        self._scale = params.work_width / w if 0 < params.work_width < w else 1.0
        self._size = (w, h)
        self._work = (round(w * self._scale), round(h * self._scale))
        self.full_plate = plate
        self.plate = plate if self._scale == 1.0 else _scaled_plate(plate, self._work)
        self._stabiliser = stabiliser(params, frame_rate)
        self._unmixable = _unmixable(self.plate, self._size)  # where the soft edge is bounded by its colour
        r = max(1, round(params.matte.band * min(self._work)))  # the trimap band's half-width (matte._px)
        self._near = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))

    def _down(self, frame: F32) -> F32:
        return frame if self._scale == 1.0 else cv2.resize(frame, self._work, interpolation=cv2.INTER_AREA)

    def _up(self, frame: F32, alpha: F32) -> F32:
        if self._scale == 1.0:
            return alpha
        coarse = cv2.resize(alpha, self._size, interpolation=cv2.INTER_LINEAR)
        k = max(2, round(1 / self._scale))
        r = max(2, round(self.params.matte.radius * min(self._size) / 2))
        q = np.clip(fast_guided_filter(frame, coarse, r, self.params.matte.eps, k), 0.0, 1.0)
        solid = (coarse >= 1.0) | (coarse <= 0.0)  # definite regions stay exactly 0 / 1
        return np.where(solid, coarse, q).astype(np.float32)

    def _matte_work(self, small: F32, clean: F32 | None = None) -> tuple[F32, np.ndarray]:
        """The single-frame matte at working size and where it is the compositing equation's answer."""
        m = matte_frame(small, self.plate, self.params.matte, clean)
        if self.refiner is not None:
            return refine(self.refiner, small, m.p, m.unknown), m.posed
        return m.alpha, m.posed

    def _raw_work(self, small: F32, clean: F32 | None = None) -> F32:
        return self._matte_work(small, clean)[0]

    def _bound(self, frame: F32, alpha: F32) -> F32:
        """The full-resolution matte's soft edge bounded by its colour where the set was never seen but is plain."""
        if self._unmixable is None:
            return alpha
        return bounded(frame, alpha, self.full_plate.image, self._unmixable, float(self.params.matte.key_high))

    def raw(self, frame: F32) -> F32:
        """The single-frame matte (no temporal state)."""
        return self._bound(frame, self._up(frame, self._raw_work(self._down(frame))))

    def _stable_work(self, small: F32) -> F32:
        # The matte is solved on the frame denoised along the flow (a still edge's colour does not flicker with the
        # grain), then stabilised with the same flow and weight — the longer memory ``stabilise_posed`` where it is
        # the compositing equation's answer and within a band of it (the pixels entering or leaving the band).
        motion = self._stabiliser.motion(small)
        alpha, posed = self._matte_work(small, motion.clean)
        near = cv2.dilate(posed.astype(np.uint8), self._near) > 0
        return self._stabiliser.step(small, alpha, motion, near)

    def step(self, frame: F32) -> F32:
        """The stabilised matte of the next frame of the shot."""
        return self._bound(frame, self._up(frame, self._stable_work(self._down(frame))))

    def advance(self, frame: F32) -> None:
        """Run the stabiliser over the next frame of the shot without producing its matte (a segment's warm-up)."""
        self._stable_work(self._down(frame))

    def foreground(self, frame: F32, alpha: F32) -> F32:
        """The colour to composite for ``frame`` under its full-resolution matte ``alpha``: the performer's colour
        recovered against the clean plate (``params.foreground == "multilevel"``), or the frame itself; then, with
        ``params.despill``, the old set's colour taken out of its edge (a wider edge where the set was never
        seen)."""
        plate = self.full_plate
        colour = (
            frame
            if self.params.foreground == "frame"
            else estimate_foreground(frame, alpha, plate.image, plate.keyable)
        )
        return despill(colour, alpha, plate.image, ~plate.keyable) if self.params.despill else colour

    def state(self) -> list[F32 | None]:
        """The temporal state: what the stabiliser carries to the next frame (alpha, frame, denoised frame)."""
        return self._stabiliser.state()
