"""Errors of "who is in the shot" (all are ``EditorError``; see ``editor/errors.py`` for the whole tree).

EditorError
└── CastError                   the cast cannot be tagged, learnt or matched
    ├── TagError                a tag is invalid (frame outside the clip, box outside the frame, empty label)
    ├── NoTagsError             training was asked for without enough tagged performers
    ├── InseparableCastError    the tags cannot tell two performers apart (training refuses)
    ├── CastModelError          a cast model file is malformed or of another kind
    └── FaceModelError          the face detector/landmark/identity models are not installed
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


class InseparableCastError(CastError):
    """The tagged faces of two performers cannot be told apart, so no model could keep them from being confused."""


class FaceModelError(CastError):
    """The face models (dlib and face-recognition-models, OpenCV's cascades) are not installed."""
