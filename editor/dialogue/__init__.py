"""Dialogue matching (ADR re-sync): a per-performer mouth bank + sync scorer, the ``dub`` and ``retime`` edits."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from editor.dialogue.edit import dub
    from editor.dialogue.errors import (
        DialogueError,
        DialogueModelError,
        LineError,
        LineLengthError,
        LineRateError,
        NoFaceError,
        PerformerNotInShotError,
        SilentLineError,
        UnreadableLineError,
    )
    from editor.dialogue.line import Line, load_line
    from editor.dialogue.model import KIND, DialogueModel, analyse_take, load_dialogue, train_dialogue
    from editor.dialogue.notes import fit_note
    from editor.dialogue.retime import retime
    from editor.dialogue.sync import SyncScore, SyncTake, score

# The public names load on first use, so that importing one light module of the package (``editor.dialogue.notes``,
# which the console reads) does not load the engine: NumPy, OpenCV and torch.
_LAZY = {
    "editor.dialogue.edit": ("dub",),
    "editor.dialogue.errors": (
        "DialogueError",
        "DialogueModelError",
        "LineError",
        "LineLengthError",
        "LineRateError",
        "NoFaceError",
        "PerformerNotInShotError",
        "SilentLineError",
        "UnreadableLineError",
    ),
    "editor.dialogue.line": ("Line", "load_line"),
    "editor.dialogue.model": ("KIND", "DialogueModel", "analyse_take", "load_dialogue", "train_dialogue"),
    "editor.dialogue.notes": ("fit_note",),
    "editor.dialogue.retime": ("retime",),
    "editor.dialogue.sync": ("SyncScore", "SyncTake", "score"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "KIND",
    "DialogueError",
    "DialogueModel",
    "DialogueModelError",
    "Line",
    "LineError",
    "LineLengthError",
    "LineRateError",
    "NoFaceError",
    "PerformerNotInShotError",
    "SilentLineError",
    "SyncScore",
    "SyncTake",
    "UnreadableLineError",
    "analyse_take",
    "dub",
    "fit_note",
    "load_dialogue",
    "load_line",
    "retime",
    "score",
    "train_dialogue",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
