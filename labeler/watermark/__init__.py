"""Robust invisible video watermark ``cutproof-wm/2`` (reads ``/1`` marks too): a 64-bit key in luma that points
to a ledger entry.

Public API: ``embed_video`` / ``detect_video`` for files (through ``media``, under its one encode policy),
``embed_frame`` / ``detect_frames`` for luma planes, ``parse_key`` for the 16-hex-digit key form, and the errors in
``labeler.watermark.errors``.
"""

from labeler.watermark._detect import FrameDetection, detect_frames
from labeler.watermark._embed import DEFAULT_STRENGTH, embed_frame
from labeler.watermark._pattern import ALGORITHM_ID
from labeler.watermark._video import DEFAULT_MAX_SECONDS, Detection, EmbedReport, detect_video, embed_video, parse_key
from labeler.watermark.errors import InvalidKeyError, UnreadableVideoError, VideoWriteError, WatermarkError

__all__ = [
    "ALGORITHM_ID",
    "DEFAULT_MAX_SECONDS",
    "DEFAULT_STRENGTH",
    "Detection",
    "EmbedReport",
    "FrameDetection",
    "InvalidKeyError",
    "UnreadableVideoError",
    "VideoWriteError",
    "WatermarkError",
    "detect_frames",
    "detect_video",
    "embed_frame",
    "embed_video",
    "parse_key",
]
