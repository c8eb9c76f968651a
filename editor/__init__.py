"""Per-project editing engine: dailies, training manifests, models and edits on video.

Knows nothing of law or ledger: every operation returns a typed result (``Clip``, ``ModelRecord``,
``EditResult``) that the application records. ``media`` is the only module that touches PyAV.
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from editor.catalogue import Catalogue
    from editor.clips import Clip, ClipReader
    from editor.dailies import FileOutcome, IngestReport, content_hash, ingest_folder
    from editor.manifest import ModelId, TrainingInput, TrainingManifest, code_version
    from editor.models import ModelRecord, ModelRegistry
    from editor.results import EditResult, FrameRange, OutputMedia
    from editor.slate import Slate, parse_name

# The public names load on first use, so that importing one module of the package (``editor.errors``) does
# not load PyAV, NumPy and SciPy through the catalogue.
_LAZY = {
    "editor.catalogue": ("Catalogue",),
    "editor.clips": ("Clip", "ClipReader"),
    "editor.dailies": ("FileOutcome", "IngestReport", "content_hash", "ingest_folder"),
    "editor.manifest": ("ModelId", "TrainingInput", "TrainingManifest", "code_version"),
    "editor.models": ("ModelRecord", "ModelRegistry"),
    "editor.results": ("EditResult", "FrameRange", "OutputMedia"),
    "editor.slate": ("Slate", "parse_name"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "Catalogue",
    "Clip",
    "ClipReader",
    "EditResult",
    "FileOutcome",
    "FrameRange",
    "IngestReport",
    "ModelId",
    "ModelRecord",
    "ModelRegistry",
    "OutputMedia",
    "Slate",
    "TrainingInput",
    "TrainingManifest",
    "__version__",
    "code_version",
    "content_hash",
    "create_schema",
    "ingest_folder",
    "parse_name",
]


def create_schema(engine: Engine) -> None:
    """Create the engine's tables (``editor_clips``, ``editor_models``, ``editor_cast_tags``,
    ``editor_layout_prints``) (idempotent)."""
    from editor.cast.tags import metadata as cast_metadata
    from editor.catalogue import metadata as clips_metadata
    from editor.layout_prints import metadata as prints_metadata
    from editor.models import metadata as models_metadata

    clips_metadata.create_all(engine)
    models_metadata.create_all(engine)
    cast_metadata.create_all(engine)
    prints_metadata.create_all(engine)


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
