"""Errors of the audio watermark (under ``labeler.errors.WatermarkError``).

WatermarkError
├── UnreadableAudioError  the input is missing, not a media file, or its audio cannot be decoded
└── AudioWriteError       the marked audio could not be encoded into the output (nothing is left behind)
"""

from __future__ import annotations

from labeler.errors import WatermarkError


class UnreadableAudioError(WatermarkError):
    """The input is missing, not a media file, or its audio track cannot be decoded; check the file."""


class AudioWriteError(WatermarkError):
    """The marked audio could not be encoded into the output; no output file was left behind."""
