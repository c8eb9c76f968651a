"""Dialogue matching (ADR re-sync): a per-performer mouth bank + sync scorer, the ``dub`` and ``retime`` edits."""

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
from editor.dialogue.retime import retime
from editor.dialogue.sync import SyncScore, SyncTake, score
from editor.notes import fit_note

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
