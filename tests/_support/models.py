"""A model registered in a project without training: a real manifest and registry row, a placeholder model file.
For tests of what reads the registry (references, defaults, listings), never of what loads the model's weights."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from cutproof.core.workspace import Workspace
from editor.manifest import TrainingInput, TrainingManifest
from editor.models import ModelRegistry, pack_model


def register_model(
    ws: Workspace,
    project: str,
    kind: str,
    clip_hash: str,
    *,
    performer: str | None = None,
    metrics: dict[str, Any] | None = None,
    **hyperparameters: Any,
) -> str:
    """Register a ``kind`` model of ``project`` said to be trained on frames 0–11 of ``clip_hash`` (for
    ``performer``); extra ``hyperparameters`` make its id differ. Returns its id."""
    hp: dict[str, Any] = {"steps": 1, **hyperparameters, **({"performer": performer} if performer else {})}
    m = TrainingManifest(
        model_kind=kind,
        inputs=(TrainingInput(clip_hash, 0, 12, Fraction(25)),),
        code_version="editor 0.1.0+src.0123456789abcdef",
        hyperparameters=hp,
        seeds={"torch": 1},
    )
    model_file = pack_model(m.model_id, kind, "test/1", b"w")
    ModelRegistry(ws.engine, ws.blobs).register(m, model_file, project=project, metrics=metrics)
    return m.model_id
