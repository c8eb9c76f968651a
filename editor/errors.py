"""Errors raised by the editing engine.

    EditorError
    ├── RenderError                 writing an output clip failed (nothing is left at the output path)
    ├── CatalogueError              the dailies catalogue refused an operation
    │   └── ClipNotFoundError       no clip matches the reference (hash prefix, file name or scene/shot/take)
    ├── ManifestError               a training manifest is malformed or inconsistent
    ├── ModelError                  a model cannot be stored, found or loaded
    │   ├── ModelNotFoundError      no model with that id
    │   └── ModelMismatchError      the model file does not match its manifest (or the manifest its id)
    ├── TrainingError               training cannot start or continue (bad clips, bad frame ranges, checkpoint)
    │   └── TrainingInterrupted     training stopped on request; a checkpoint was saved and can be resumed
    └── EditParameterError          an edit's parameters are invalid (region outside the frame, bad range, ...)

Reading and writing media raises ``media.errors.MediaError`` (the media layer's own tree). Messages say what was
wrong and what to do about it.
"""

from __future__ import annotations


class EditorError(Exception):
    """Base class of every error raised by the editing engine."""


class RenderError(EditorError):
    """Writing an output clip failed; nothing was left at the output path."""


class CatalogueError(EditorError):
    """The dailies catalogue refused an operation."""


class ClipNotFoundError(CatalogueError):
    """No clip matches the reference."""


class ManifestError(EditorError):
    """A training manifest is malformed or inconsistent."""


class ModelError(EditorError):
    """A model cannot be stored, found or loaded."""


class ModelNotFoundError(ModelError):
    """No model with that id."""


class ModelMismatchError(ModelError):
    """The model file does not match its training manifest."""


class TrainingError(EditorError):
    """Training cannot start or continue."""


class TrainingInterrupted(TrainingError):
    """Training stopped on request; a checkpoint was saved and training can be resumed."""


class EditParameterError(EditorError):
    """An edit's parameters are invalid."""
