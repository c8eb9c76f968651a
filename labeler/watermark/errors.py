"""Errors of the watermark tools.

LabelerError
└── WatermarkError            base of every watermark error
    ├── UnreadableVideoError  the input is missing, not a video, truncated or cannot be decoded
    ├── VideoWriteError       the marked output could not be encoded or written (nothing is left behind)
    └── InvalidKeyError       a key is not 16 hex digits / an integer in [0, 2^64)
"""

from __future__ import annotations

from labeler.errors import LabelerError


class WatermarkError(LabelerError):
    """Base class of the watermark errors."""


class UnreadableVideoError(WatermarkError):
    """The input is missing, not a video, truncated or cannot be decoded; check the file and try again."""


class VideoWriteError(WatermarkError):
    """The marked output could not be encoded or written; no output file was left behind."""


class InvalidKeyError(WatermarkError, ValueError):
    """A watermark key is not 16 hexadecimal digits (64 bits)."""
