"""Eyeline: move a performer's gaze by (dx°, dy°), the iris moved by a stated eye model at the performer's eye geometry
learnt from the dailies."""

from editor.eyeline._eyes import EYEBALL_MM, FISSURE_MM, EyeGeometry, gaze_of, iris_centre
from editor.eyeline.edit import check_shift, redirect_gaze
from editor.eyeline.errors import (
    EyelineError,
    EyelineModelError,
    NoFaceError,
    PerformerNotInShotError,
    ShiftOutOfRangeError,
)
from editor.eyeline.model import KIND, EyelineConfig, EyelineModel, TrainedEyeline, train_eyeline

__all__ = [
    "EYEBALL_MM",
    "FISSURE_MM",
    "KIND",
    "EyeGeometry",
    "EyelineConfig",
    "EyelineError",
    "EyelineModel",
    "EyelineModelError",
    "NoFaceError",
    "PerformerNotInShotError",
    "ShiftOutOfRangeError",
    "TrainedEyeline",
    "check_shift",
    "gaze_of",
    "iris_centre",
    "redirect_gaze",
    "train_eyeline",
]
