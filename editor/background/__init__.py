"""Background replacement: clean plate, difference key, trimap, guided-filter matting, optional per-shot refiner,
flow-based temporal stabilisation, re-grade and composite onto a new plate.

Public API: :func:`replace_background` (the edit, returning an ``EditResult``), :func:`load_plate`,
:func:`train_background` / :func:`load_background_model` (the per-shot refiner), their parameter objects, and the
errors in :mod:`editor.background.errors`; :func:`estimate_foreground` (the performer's colour in soft edges, the old
set's colour taken out, which the edit composites).
"""

from editor.background.edit import Plate, load_plate, replace_background
from editor.background.errors import BackgroundError, EmptyClipError, PlateError
from editor.background.foreground import estimate_foreground
from editor.background.matte import MatteParams
from editor.background.pipeline import BackgroundParams, ShotMatter
from editor.background.plate import CleanPlate, estimate_plate, plate_from_shot
from editor.background.refiner import RefinerConfig
from editor.background.train import TrainingClip, load_background_model, train_background

__all__ = [
    "BackgroundError",
    "BackgroundParams",
    "CleanPlate",
    "EmptyClipError",
    "MatteParams",
    "Plate",
    "PlateError",
    "RefinerConfig",
    "ShotMatter",
    "TrainingClip",
    "estimate_foreground",
    "estimate_plate",
    "load_background_model",
    "load_plate",
    "plate_from_shot",
    "replace_background",
    "train_background",
]
