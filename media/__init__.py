"""The PyAV adapter: the only place in the engine that touches ``av``; its errors become ``MediaError``s.

- ``probe(path)`` → ``MediaInfo`` (codec, size, exact rational frame rate, counted frames, timecode, colour tags,
  audio tracks), rejecting unreadable, corrupt, truncated and absurd files.
- ``iter_frames(info, start=, end=, fmt=)`` / ``read_frame`` → numpy RGB (uint8/uint16/float) or YUV planes.
- ``render(info, out, edit, frames=)`` → writes the clip through an edit in the source's codec family with audio,
  timecode and colour tags, atomically; ``audio_override=AudioOverride(...)`` lays new samples into a time span of
  every audio track (written losslessly), the rest of the soundtrack untouched.
- ``read_audio(path)`` → ``AudioClip`` (float32 samples, rate); ``resample`` (polyphase).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from media._audio import AudioClip, AudioOverride, read_audio, resample
    from media._probe import DEFAULT_LIMITS, AudioTrack, CodecFamily, ColourTags, MediaInfo, MediaLimits, probe
    from media._read import PixelFormat, iter_frames, read_frame, sample_indices, sample_keyframes
    from media._transcode import transcode
    from media._write import EncodePlan, FrameEdit, RenderReport, plan_encode, render

# The public names load on first use, so that importing ``media.errors`` does not load PyAV and SciPy.
_LAZY = {
    "media._audio": ("AudioClip", "AudioOverride", "read_audio", "resample"),
    "media._probe": ("DEFAULT_LIMITS", "AudioTrack", "CodecFamily", "ColourTags", "MediaInfo", "MediaLimits", "probe"),
    "media._read": ("PixelFormat", "iter_frames", "read_frame", "sample_indices", "sample_keyframes"),
    "media._transcode": ("transcode",),
    "media._write": ("EncodePlan", "FrameEdit", "RenderReport", "plan_encode", "render"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "DEFAULT_LIMITS",
    "AudioClip",
    "AudioOverride",
    "AudioTrack",
    "CodecFamily",
    "ColourTags",
    "EncodePlan",
    "FrameEdit",
    "MediaInfo",
    "MediaLimits",
    "PixelFormat",
    "RenderReport",
    "iter_frames",
    "plan_encode",
    "probe",
    "read_audio",
    "read_frame",
    "render",
    "resample",
    "sample_indices",
    "sample_keyframes",
    "transcode",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
