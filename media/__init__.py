"""The PyAV adapter: the one place where Cutproof reads and writes media with ``av`` (the demo's generator of
synthetic camera footage aside); PyAV's errors become ``MediaError``s.

- ``probe(path)`` → ``MediaInfo`` (codec, size, exact rational frame rate, counted frames, timecode, colour tags,
  audio tracks with sample format), rejecting unreadable, corrupt, truncated and absurd files.
- ``iter_frames(info, start=, end=, fmt=)`` / ``read_frame`` → numpy RGB (uint8/uint16/float) or YUV planes;
  ``iter_luma(path, seconds=)`` → the luma planes of the start of any file (no whole-file checks).
- ``plan_encode(info, container)`` → ``EncodePlan``: the one encode policy (codec family and profile, pixel
  format and bit depth, CRF, colour tags, timecode, frame rate, and per audio track codec, sample format and depth).
- ``render(info, out, edit, …)`` → writes the clip under that plan through an RGB edit, an in-place plane edit,
  audio filters, an audio override and appended frames, atomically (see ``media._write``).
- ``render_parallel(info, out, …, workers=N | executor=…)`` → the same output with the video encoded in segments on
  several workers (a process pool, or any ``concurrent.futures``-like executor such as the Ray engine's) and joined
  without re-encoding; ``plan_segments`` says where a source may be cut (see ``media._parallel``). Both take an
  optional ``progress`` callback (``Progress``: fraction of frames written, called in this process only);
  ``Stages`` splits one such callback over the steps of a longer piece of work (preparation, then the render).
- ``read_audio(path)`` → ``AudioClip`` (float32 samples, rate); ``resample`` (polyphase).
- ``transcode`` → a deliberately careless distribution re-encode (for robustness tests of the marks).
- ``Region``: a pixel rectangle, the one definition shared by the editor, the labeler and the application.

Only the errors are imported eagerly; ``Region`` loads on first use (a dataclass) and everything else loads PyAV,
NumPy and SciPy on first use, so a command that names a region or catches a ``MediaError`` does not pay for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from media.errors import MediaError

if TYPE_CHECKING:
    from media._audio import AudioClip, AudioOverride, read_audio, resample
    from media._bmff import BmffFlavour, sniff_container
    from media._mux_audio import AudioFilter
    from media._parallel import InlineExecutor, SegmentExecutor, render_parallel
    from media._policy import (
        AudioPlan,
        EncodePlan,
        container_of,
        lossless_audio_plan,
        plan_audio,
        plan_encode,
        reproducible_options,
    )
    from media._probe import DEFAULT_LIMITS, AudioTrack, CodecFamily, ColourTags, MediaInfo, MediaLimits, probe
    from media._progress import Progress, Stages
    from media._read import (
        Luma,
        PixelFormat,
        iter_frames,
        iter_luma,
        read_frame,
        sample_indices,
        sample_keyframes,
    )
    from media._segment_task import SegmentTask, run_segment
    from media._segments import Segment, SegmentPlan, SegmentReport, plan_segments
    from media._transcode import transcode
    from media._write import FrameEdit, Picture, PlaneEdit, RenderReport, render
    from media.geometry import Region

_LAZY = {
    "media.geometry": ("Region",),
    "media._audio": ("AudioClip", "AudioOverride", "read_audio", "resample"),
    "media._bmff": ("BmffFlavour", "sniff_container"),
    "media._mux_audio": ("AudioFilter",),
    "media._policy": (
        "AudioPlan",
        "EncodePlan",
        "container_of",
        "lossless_audio_plan",
        "plan_audio",
        "plan_encode",
        "reproducible_options",
    ),
    "media._probe": ("DEFAULT_LIMITS", "AudioTrack", "CodecFamily", "ColourTags", "MediaInfo", "MediaLimits", "probe"),
    "media._progress": ("Progress", "Stages"),
    "media._read": (
        "Luma",
        "PixelFormat",
        "iter_frames",
        "iter_luma",
        "read_frame",
        "sample_indices",
        "sample_keyframes",
    ),
    "media._parallel": ("InlineExecutor", "SegmentExecutor", "render_parallel"),
    "media._segment_task": ("SegmentTask", "run_segment"),
    "media._segments": ("Segment", "SegmentPlan", "SegmentReport", "plan_segments"),
    "media._transcode": ("transcode",),
    "media._write": ("FrameEdit", "Picture", "PlaneEdit", "RenderReport", "render"),
}
_HOME = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "DEFAULT_LIMITS",
    "AudioClip",
    "AudioFilter",
    "AudioOverride",
    "AudioPlan",
    "AudioTrack",
    "BmffFlavour",
    "CodecFamily",
    "ColourTags",
    "EncodePlan",
    "FrameEdit",
    "InlineExecutor",
    "Luma",
    "MediaError",
    "MediaInfo",
    "MediaLimits",
    "Picture",
    "PixelFormat",
    "PlaneEdit",
    "Progress",
    "Region",
    "RenderReport",
    "Segment",
    "SegmentExecutor",
    "SegmentPlan",
    "SegmentReport",
    "SegmentTask",
    "Stages",
    "container_of",
    "iter_frames",
    "iter_luma",
    "lossless_audio_plan",
    "plan_audio",
    "plan_encode",
    "plan_segments",
    "probe",
    "read_audio",
    "read_frame",
    "render",
    "render_parallel",
    "reproducible_options",
    "resample",
    "run_segment",
    "sample_indices",
    "sample_keyframes",
    "sniff_container",
    "transcode",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'media' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
