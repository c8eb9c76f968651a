"""Errors of the eyeline edit (all are ``EditorError``; see ``editor/errors.py`` for the whole tree).

EditorError
└── EyelineError                 gaze redirection cannot run
    ├── NoFaceError              no face (or no eyes) could be found where the edit needs one
    ├── PerformerNotInShotError  the performer is not identified in the shot's range
    ├── ShiftOutOfRangeError     the requested gaze shift is outside what the model learnt (or zero)
    └── EyelineModelError        an eyeline model cannot be trained or loaded
"""

from __future__ import annotations

from editor.errors import EditorError


class EyelineError(EditorError):
    """Gaze redirection cannot run."""


class NoFaceError(EyelineError):
    """No face, or no eyes, where the edit needs one."""


class PerformerNotInShotError(EyelineError):
    """The performer is not identified in the shot's range."""


class ShiftOutOfRangeError(EyelineError):
    """The requested gaze shift is outside what the model learnt."""


class EyelineModelError(EyelineError):
    """An eyeline model cannot be trained or loaded."""
