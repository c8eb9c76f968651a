"""Errors of the video watermark (``WatermarkError`` itself is in ``labeler.errors``, shared with the audio mark).

LabelerError
└── WatermarkError            base of every watermark error
    ├── UnreadableVideoError  the input is missing, not a video, truncated or cannot be decoded
    ├── VideoWriteError       the marked output could not be encoded or written (nothing is left behind)
    └── InvalidKeyError       a key is not 16 hex digits / an integer in [0, 2^64)
"""

from __future__ import annotations

from labeler.errors import WatermarkError

__all__ = ["InvalidKeyError", "UnreadableVideoError", "VideoWriteError", "WatermarkError"]


class UnreadableVideoError(WatermarkError):
    """The input is missing, not a video, truncated or cannot be decoded; check the file and try again."""


class VideoWriteError(WatermarkError):
    """The marked output could not be encoded or written; no output file was left behind."""


class InvalidKeyError(WatermarkError, ValueError):
    """A watermark key is not 16 hexadecimal digits (64 bits)."""
