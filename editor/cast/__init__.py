"""Who is in the shot: the engine's one face path — detection, landmarks, tracking and open-set identity.

``detect_faces``/``scan_faces`` find faces (down to 40 px) with landmarks and identity vectors; ``track_faces``
follows them through a take; ``CastTags`` stores the production's tags (``editor_cast_tags``); ``train_cast``
learns the cast with calibrated thresholds (``TrainingManifest`` kind ``cast``); ``who`` reports the performers
and unidentified faces of a range; ``performer_track`` tells an edit which face is its performer's. The eyeline
and dialogue edits use these and nothing else to find faces, eyes and mouths.
"""

from editor.cast.detect import FaceBox, FaceScan, detect_faces, iou, scan_faces
from editor.cast.errors import CastError, CastModelError, FaceModelError, InseparableCastError, NoTagsError, TagError
from editor.cast.model import KIND, CastModel, Match, TrainedCast, train_cast
from editor.cast.tags import CastTag, CastTags
from editor.cast.tracking import Track, track_faces, track_frames
from editor.cast.who import METHOD, CastReport, PerformerPresence, performer_track, who

__all__ = [
    "KIND",
    "METHOD",
    "CastError",
    "CastModel",
    "CastModelError",
    "CastReport",
    "CastTag",
    "CastTags",
    "FaceBox",
    "FaceModelError",
    "FaceScan",
    "InseparableCastError",
    "Match",
    "NoTagsError",
    "PerformerPresence",
    "TagError",
    "Track",
    "TrainedCast",
    "detect_faces",
    "iou",
    "performer_track",
    "scan_faces",
    "track_faces",
    "track_frames",
    "train_cast",
    "who",
]
