"""Lighting match and grade adjustment: the smooth grade (curves + matrix), its fits, the project model that
predicts it, ASC CDL and 3D-LUT export, training, the edit."""

from __future__ import annotations

from editor.errors import ModelMismatchError
from editor.lighting.cdl import Cdl, fit_match, fit_pairs
from editor.lighting.exemplars import Exemplars
from editor.lighting.grades import Adjustments, Look, random_look
from editor.lighting.lut import Lut3D, ShotLut
from editor.lighting.metrics import delta_e76, psnr
from editor.lighting.model import GradeNet, deserialise
from editor.lighting.relight import Grade, LoadedModel, RelightPlan, Shot, match_grade, plan_relight, relight
from editor.lighting.smooth import SmoothGrade
from editor.lighting.training import MODEL_FORMAT, LightingConfig, TrainedModel, TrainingClip, train_lighting
from editor.manifest import TrainingManifest
from editor.models import ModelRegistry


def load_model(registry: ModelRegistry, ref: str, *, manifest: TrainingManifest | None = None) -> LoadedModel:
    """Load a lighting model from the registry (file checked against its manifest).

    Raises:
        ModelNotFoundError: no such model.
        ModelMismatchError: not a lighting model, or the file/manifest links do not hold.
    """
    record, mf = registry.load(ref, manifest=manifest)
    if record.kind != "lighting":
        raise ModelMismatchError(f"model {record.model_id[:12]} is a {record.kind} model ({mf.format}), not lighting")
    if mf.format != MODEL_FORMAT:
        raise ModelMismatchError(
            f"lighting model {record.model_id[:12]} is of the retired format {mf.format}, whose free-form LUTs could "
            f"invent colour; retrain it with `cutproof model train lighting` (this release reads {MODEL_FORMAT})"
        )
    try:
        net, exemplars = deserialise(mf.payload)
    except (ValueError, KeyError, RuntimeError) as exc:
        raise ModelMismatchError(f"lighting model {record.model_id[:12]} cannot be read ({exc}); retrain it") from None
    return LoadedModel(net, record.model_id, record.model_file_hash, exemplars)


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
    "load_model",
    "match_grade",
    "plan_relight",
    "psnr",
    "random_look",
    "relight",
    "train_lighting",
]
