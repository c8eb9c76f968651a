"""Errors of background replacement (all are ``EditorError``; see ``editor/errors.py`` for the whole tree).

EditorError
└── BackgroundError         background replacement cannot run
    ├── PlateError          the replacement plate or clean plate is unusable (wrong type, empty, wrong size)
    └── EmptyClipError      the shot has no frames to matte
"""

from __future__ import annotations

from editor.errors import EditorError


class BackgroundError(EditorError):
    """Background replacement cannot run."""


class PlateError(BackgroundError):
    """The replacement plate or the clean plate is unusable."""


class EmptyClipError(BackgroundError):
    """The shot has no frames to matte."""
