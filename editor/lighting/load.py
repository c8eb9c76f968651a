"""Loading a project's lighting model from the registry, its file checked against its manifest."""

from __future__ import annotations

from editor.errors import ModelMismatchError
from editor.lighting.model import deserialise
from editor.lighting.relight import LoadedModel
from editor.lighting.training import MODEL_FORMAT
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
