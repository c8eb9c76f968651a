"""Who is in the shot: face tracks matched to a per-project identity model trained on the production's tags.

``CastTags`` stores the tags (``editor_cast_tags``); ``train_cast`` grows each tag into a face track and learns
the cast (``TrainingManifest`` kind ``cast``); ``who`` reports the performers and unidentified faces of a range.
"""

from editor.cast.errors import CastError, CastModelError, NoTagsError, TagError
from editor.cast.model import KIND, CastModel, TrainedCast, train_cast
from editor.cast.tags import CastTag, CastTags
from editor.cast.tracking import Track, track_faces
from editor.cast.who import METHOD, CastReport, PerformerPresence, who

__all__ = [
    "KIND",
    "METHOD",
    "CastError",
    "CastModel",
    "CastModelError",
    "CastReport",
    "CastTag",
    "CastTags",
    "NoTagsError",
    "PerformerPresence",
    "TagError",
    "Track",
    "TrainedCast",
    "track_faces",
    "train_cast",
    "who",
]
