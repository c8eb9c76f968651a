"""Errors of the dialogue-matching (ADR re-sync) edit.

EditorError
└── DialogueError                 the dialogue edit cannot run
    ├── LineError                 the new line (WAV) is unusable
    │   ├── UnreadableLineError   not an audio file, or no audio stream
    │   ├── LineRateError         sample rate outside 16–192 kHz
    │   ├── LineLengthError       the line does not fit the frame range (and re-timing was not asked for)
    │   └── SilentLineError       the line is silent (or nearly)
    ├── NoFaceError               no face found in the shot's range
    ├── PerformerNotInShotError   a face is there, but it is not the performer the model was trained on
    └── DialogueModelError        the model is not a dialogue model, or is for another performer
"""

from __future__ import annotations

from editor.errors import EditorError


class DialogueError(EditorError):
    """The dialogue edit cannot run."""


class LineError(DialogueError):
    """The new line's audio is unusable."""


class UnreadableLineError(LineError):
    """Not a readable audio file."""


class LineRateError(LineError):
    """The line's sample rate is not supported."""


class LineLengthError(LineError):
    """The line does not fit the frame range."""


class SilentLineError(LineError):
    """The line is silent."""


class NoFaceError(DialogueError):
    """No face was found in the range."""


class PerformerNotInShotError(DialogueError):
    """The face in the range is not the model's performer."""


class DialogueModelError(DialogueError):
    """The model is unusable for this edit."""
