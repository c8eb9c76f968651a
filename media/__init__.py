"""The PyAV adapter: the only place in the engine that touches ``av``; its errors become ``MediaError``s.

- ``probe(path)`` → ``MediaInfo`` (codec, size, exact rational frame rate, counted frames, timecode, colour tags,
  audio tracks), rejecting unreadable, corrupt, truncated and absurd files.
- ``iter_frames(info, start=, end=, fmt=)`` / ``read_frame`` → numpy RGB (uint8/uint16/float) or YUV planes.
- ``render(info, out, edit, frames=)`` → writes the clip through an edit in the source's codec family with audio,
  timecode and colour tags, atomically; ``audio_override=AudioOverride(...)`` lays new samples into a time span of
  every audio track (written losslessly), the rest of the soundtrack untouched.
- ``read_audio(path)`` → ``AudioClip`` (float32 samples, rate); ``resample`` (polyphase).
"""

from media._audio import AudioClip, AudioOverride, read_audio, resample
from media._probe import (
    DEFAULT_LIMITS,
    AudioTrack,
    CodecFamily,
    ColourTags,
    MediaInfo,
    MediaLimits,
    probe,
)
from media._read import PixelFormat, iter_frames, read_frame, sample_indices, sample_keyframes
from media._transcode import transcode
from media._write import EncodePlan, FrameEdit, RenderReport, plan_encode, render

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
