"""Probing and validating a media file with PyAV: what it is, and whether it is sane enough to be a clip.

The functions that open a file import PyAV themselves: the value types (``MediaInfo`` and its parts) are read from the
catalogue by commands that never open a file (``cutproof audit``, ``dailies list``), which then start without it.
Those value types and the limits (``MediaLimits``) are defined in :mod:`media._info` and re-exported here; this module
holds the probe (``probe``) and re-exports the file-opening helpers the readers and writers share (``open_input``,
``video_stream``, from :mod:`media._open`; ``frame_rate_of`` is here). The decode check — and why its verdict does
not depend on threads — is :mod:`media._decode_check`.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from media._bmff import check_structure, declared_video_sizes
from media._decode_check import KeyFrame, verify_decode
from media._info import DEFAULT_LIMITS, LOSSLESS_AUDIO, AudioTrack, CodecFamily, ColourTags, MediaInfo, MediaLimits
from media._open import _reason, open_input, video_stream
from media.errors import AbsurdMediaError, CorruptMediaError, MediaError, UnsupportedMediaError

__all__ = [
    "DEFAULT_LIMITS",
    "LOSSLESS_AUDIO",
    "AudioTrack",
    "CodecFamily",
    "ColourTags",
    "MediaInfo",
    "MediaLimits",
    "frame_rate_of",
    "open_input",
    "probe",
    "video_stream",
]


def frame_rate_of(stream: Any) -> Fraction | None:
    """The exact rational frame rate FFmpeg reports for the stream (its guess, else the average)."""
    for rate in (stream.guessed_rate, stream.average_rate, stream.base_rate):
        if rate:
            return Fraction(rate.numerator, rate.denominator)
    return None


def _timecode(container: Any, stream: Any) -> str | None:
    candidates = [stream.metadata, *(s.metadata for s in container.streams if s.type == "data"), container.metadata]
    for meta in candidates:
        tc = meta.get("timecode")
        if tc:
            return str(tc)
    return None


def _colour(cc: Any) -> ColourTags:
    return ColourTags(int(cc.color_primaries), int(cc.color_trc), int(cc.colorspace), int(cc.color_range))


def _audio_tracks(container: Any) -> tuple[AudioTrack, ...]:
    tracks = []
    for s in container.streams.audio:
        cc = s.codec_context
        if cc is None:
            continue
        tracks.append(
            AudioTrack(
                s.index,
                cc.codec.canonical_name,
                int(cc.sample_rate or 0),
                int(cc.channels),
                cc.layout.name,
                cc.format.name if cc.format is not None else "",
                int(cc.bit_rate or 0),
            )
        )
    return tuple(tracks)


def probe(path: Path, *, limits: MediaLimits = DEFAULT_LIMITS, verify: Literal["quick", "full"] = "quick") -> MediaInfo:
    """Describe a clip and check that it is usable.

    ``quick`` verification demuxes every video packet (catching truncation and broken indexes), decodes the first
    frame and the last group of pictures; ``full`` decodes every frame. Either verdict depends on the file's bytes
    only, not on the machine's cores or thread timing (the rule is in :mod:`media._decode_check`).

    Raises:
        MediaError: the file does not exist.
        UnreadableMediaError: not media, or no video stream.
        UnsupportedMediaError: no decoder for the video codec.
        AbsurdMediaError: size, rate, frame count or duration outside ``limits``.
        CorruptMediaError: packets or frames fail to decode, or fewer packets than the index promises.
    """
    info, keyframes = describe(path, limits=limits)
    verify_decode(info, keyframes, full=verify == "full")
    return info


def describe(path: Path, *, limits: MediaLimits = DEFAULT_LIMITS) -> tuple[MediaInfo, list[KeyFrame]]:
    """``probe`` without its decode check: the clip's description, and its video key frames in decode order.

    Raises:
        the errors of ``probe`` but a frame's ``CorruptMediaError`` (packets are demuxed, not decoded).
    """
    import av

    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path}: no such file; check the path")
    check_structure(path)  # from the bytes: truncated, trailing bytes, no index (MP4/MOV)
    declared_sizes = declared_video_sizes(path)
    with open_input(path) as container:
        stream = video_stream(container, path)
        cc = stream.codec_context
        name = cc.codec.canonical_name if cc.codec else None
        if not name:
            raise UnsupportedMediaError(f"{path.name}: no decoder for its video codec; transcode it to ProRes first")
        width, height = int(cc.width), int(cc.height)
        _check_size(path.name, width, height, limits)
        rate = frame_rate_of(stream)
        if rate is None or not (limits.min_rate <= rate <= limits.max_rate):
            shown = "unknown" if rate is None else f"{rate} ({float(rate):.3f} fps)"
            raise AbsurdMediaError(
                f"{path.name}: frame rate {shown} is outside {limits.min_rate}–{limits.max_rate} fps; "
                "the header is damaged or this is not camera footage"
            )
        pix_fmt = cc.pix_fmt
        if not pix_fmt:
            raise CorruptMediaError(f"{path.name}: the video stream has no pixel format; the header is damaged")
        bit_depth = max(c.bits for c in av.VideoFormat(pix_fmt).components)
        if declared_sizes and declared_sizes[0] != (width, height):
            raise CorruptMediaError(
                f"{path.name}: its header declares {declared_sizes[0][0]}×{declared_sizes[0][1]} but the picture "
                f"decodes at {width}×{height}; the header is damaged"
            )
        declared = int(stream.frames or 0)
        by_duration = _frames_by_header_duration(container, stream, rate)
        counted, keyframes = _count_packets(container, stream, path)
        if counted == 0:
            raise AbsurdMediaError(f"{path.name}: the video stream has zero frames; nothing to catalogue")
        if declared and counted < declared:
            raise CorruptMediaError(
                f"{path.name}: truncated — the index promises {declared} frames but only {counted} are present; "
                "re-copy it from the camera card"
            )
        if by_duration and counted < by_duration:
            raise CorruptMediaError(
                f"{path.name}: truncated — its header declares {by_duration} frames "
                f"({float(by_duration / rate):.3f} s) but only {counted} are present; re-copy it from the camera card"
            )
        if Fraction(counted) / rate > limits.max_duration_s:
            raise AbsurdMediaError(f"{path.name}: {counted} frames is longer than {limits.max_duration_s} s")
        info = MediaInfo(
            path=path,
            container=container.format.name,
            codec=name,
            profile=cc.profile or None,
            width=width,
            height=height,
            pix_fmt=pix_fmt,
            bit_depth=int(bit_depth),
            frame_rate=rate,
            frame_count=counted,
            timecode=_timecode(container, stream),
            colour=_colour(cc),
            audio=_audio_tracks(container),
            tags={str(k): str(v) for k, v in container.metadata.items()},
        )
    return info, keyframes


# Containers whose header records the video's duration exactly but no frame count (FFmpeg's nb_frames is 0): the
# duration is the count. MXF (SMPTE 377M) writes it in the track's and the material package's Duration when it is
# closed, so a file cut after that keeps the whole duration (issue 18: a DNxHR MXF cut in half was catalogued as 36
# of its 72 frames). Not for program streams, FLV or raw streams, where FFmpeg estimates the duration from the bit
# rate (the shared MPEG-1 takes: 74.5 estimated, 75 present).
_DURATION_IN_HEADER = {"mxf"}


def _frames_by_header_duration(container: Any, stream: Any, rate: Fraction) -> int:
    """The frame count a ``_DURATION_IN_HEADER`` container's header declares (0: none declared, or not such a
    container)."""
    if container.format.name not in _DURATION_IN_HEADER or not stream.duration or stream.time_base is None:
        return 0
    frames = Fraction(stream.duration) * stream.time_base * rate
    return max(0, round(frames))


def _check_size(name: str, width: int, height: int, limits: MediaLimits) -> None:
    if (
        width < limits.min_dimension
        or height < limits.min_dimension
        or width > limits.max_dimension
        or height > limits.max_dimension
        or width * height > limits.max_pixels
    ):
        raise AbsurdMediaError(
            f"{name}: frame size {width}×{height} is outside the supported range "
            f"({limits.min_dimension}–{limits.max_dimension} px a side, at most {limits.max_pixels} pixels); "
            "the header is damaged or this is not camera footage"
        )


def _count_packets(container: Any, stream: Any, path: Path) -> tuple[int, list[KeyFrame]]:
    """The number of video packets of ``stream`` and its key frames, demuxed with the audio tracks' (one pass): every
    audio track must hold the sound its index promises too (a truncated file may lose only sound).

    Raises:
        CorruptMediaError: demuxing fails, or an audio track holds less sound than its index promises.
    """
    import av

    audio = [s for s in container.streams.audio if s.codec_context is not None]
    counts = {s.index: 0 for s in (stream, *audio)}
    heard = {s.index: [0, 0] for s in audio}  # per audio track: total and longest packet duration (time base)
    keyframes: list[KeyFrame] = []
    try:
        for packet in container.demux(stream, *audio):
            i = packet.stream.index
            if packet.size and i in counts:
                if i == stream.index and packet.is_keyframe:
                    pos = -1 if packet.pos is None else int(packet.pos)
                    keyframes.append(KeyFrame(counts[i], packet.pts, packet.dts, pos))
                counts[i] += 1
                if i in heard and packet.duration:
                    heard[i][0] += int(packet.duration)
                    heard[i][1] = max(heard[i][1], int(packet.duration))
    except av.FFmpegError as exc:
        raise CorruptMediaError(
            f"{path.name}: cannot be read to the end after {counts[stream.index]} frames ({_reason(exc)}); it is "
            "corrupt or truncated — re-copy it from the camera card"
        ) from None
    for s in audio:
        promised, (total, longest) = int(s.duration or 0), heard[s.index]
        if promised and longest and total + longest < promised:  # more than a packet's worth of sound is missing
            lost = (promised - total) // longest
            raise CorruptMediaError(
                f"{path.name}: truncated — audio track {s.index} lost about {lost} packets "
                f"({float((promised - total) * s.time_base):.3f} s of sound); re-copy it from the camera card"
            )
    return counts[stream.index], keyframes
