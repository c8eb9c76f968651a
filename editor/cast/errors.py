"""Errors of "who is in the shot" (all are ``EditorError``; see ``editor/errors.py`` for the whole tree).

EditorError
└── CastError                   the cast cannot be tagged, learnt or matched
    ├── TagError                a tag is invalid (frame outside the clip, box outside the frame, empty label)
    ├── NoTagsError             training was asked for without enough tagged performers
    └── CastModelError          a cast model file is malformed or of another kind
"""

from __future__ import annotations

from editor.errors import EditorError


class CastError(EditorError):
    """The cast cannot be tagged, learnt or matched."""


class TagError(CastError):
    """A tag is invalid."""


class NoTagsError(CastError):
    """There are not enough tags to train a cast model."""


class CastModelError(CastError):
    """A cast model file is malformed or of another kind."""
