"""Lighting match and grade adjustment: the smooth grade (curves + matrix), its fits, the project model that
predicts it, ASC CDL and 3D-LUT export, training, the edit."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from editor.lighting.cdl import Cdl, fit_match, fit_pairs
    from editor.lighting.exemplars import Exemplars
    from editor.lighting.grades import Adjustments, Look, random_look
    from editor.lighting.load import load_model
    from editor.lighting.lut import Lut3D, ShotLut
    from editor.lighting.metrics import delta_e76, psnr
    from editor.lighting.model import GradeNet
    from editor.lighting.notes import grade_note
    from editor.lighting.relight import Grade, LoadedModel, RelightPlan, Shot, match_grade, plan_relight, relight
    from editor.lighting.smooth import SmoothGrade
    from editor.lighting.training import MODEL_FORMAT, LightingConfig, TrainedModel, TrainingClip, train_lighting

# The public names load on first use, so that importing one light module of the package (``editor.lighting.notes``,
# which the console reads) does not load the engine: NumPy, OpenCV and torch.
_LAZY = {
    "editor.lighting.cdl": ("Cdl", "fit_match", "fit_pairs"),
    "editor.lighting.exemplars": ("Exemplars",),
    "editor.lighting.grades": ("Adjustments", "Look", "random_look"),
    "editor.lighting.load": ("load_model",),
    "editor.lighting.lut": ("Lut3D", "ShotLut"),
    "editor.lighting.metrics": ("delta_e76", "psnr"),
    "editor.lighting.model": ("GradeNet",),
    "editor.lighting.notes": ("grade_note",),
    "editor.lighting.relight": (
        "Grade",
        "LoadedModel",
        "RelightPlan",
        "Shot",
        "match_grade",
        "plan_relight",
        "relight",
    ),
    "editor.lighting.smooth": ("SmoothGrade",),
    "editor.lighting.training": ("MODEL_FORMAT", "LightingConfig", "TrainedModel", "TrainingClip", "train_lighting"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "MODEL_FORMAT",
    "Adjustments",
    "Cdl",
    "Exemplars",
    "Grade",
    "GradeNet",
    "LightingConfig",
    "LoadedModel",
    "Look",
    "Lut3D",
    "RelightPlan",
    "Shot",
    "ShotLut",
    "SmoothGrade",
    "TrainedModel",
    "TrainingClip",
    "delta_e76",
    "fit_match",
    "fit_pairs",
    "grade_note",
    "load_model",
    "match_grade",
    "plan_relight",
    "psnr",
    "random_look",
    "relight",
    "train_lighting",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
