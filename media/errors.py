"""Errors raised by the media layer.

    MediaError
    ├── UnreadableMediaError    not a media file PyAV can open, or no video stream (text renamed .mov, ...)
    │   └── NoAudioError        the file has no audio stream (callers may treat that as "not applicable")
    ├── CorruptMediaError       the file opens but its packets/frames do not decode (corrupt or truncated)
    ├── UnsupportedMediaError   a codec/container/pixel format this layer cannot handle
    ├── AbsurdMediaError        frame size, frame rate or frame count outside sane limits (16k×16k, 0 frames)
    ├── MediaRangeError         a frame index, frame range or audio span outside the clip (or empty)
    ├── RegionError             a pixel rectangle that is not one (negative origin, empty, unparsable)
    └── EncodeError             writing an output file failed (nothing is left at the output path)
        └── SegmentError        a segment of a parallel render failed, or the segments do not join

Messages say what was wrong and what to do about it.
"""

from __future__ import annotations


class MediaError(Exception):
    """Base class of every error raised by the media layer."""


class UnreadableMediaError(MediaError):
    """Not a media file that can be opened, or it has no video stream."""


class CorruptMediaError(MediaError):
    """The file opens but does not decode (corrupt or truncated)."""


class UnsupportedMediaError(MediaError):
    """A codec, container or pixel format this layer cannot handle."""


class AbsurdMediaError(MediaError):
    """Frame size, frame rate or frame count outside sane limits."""


class NoAudioError(UnreadableMediaError):
    """The file has no audio stream."""


class MediaRangeError(MediaError):
    """A frame index, frame range or audio span outside the clip, or empty."""


class RegionError(MediaError, ValueError):
    """A pixel rectangle that is not one: negative origin, zero or negative size, or not four integers."""


class EncodeError(MediaError):
    """Writing an output file failed; nothing was left at the output path."""


class SegmentError(EncodeError):
    """A segment of a parallel render failed or its segments do not join; nothing was left at the output path and
    the segment files were removed."""
