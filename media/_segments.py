"""Where a render may be cut into segments that are encoded independently (``media._parallel``).

A segment is a half-open run of frames ``[start, end)`` in presentation order. It can be decoded on its own when it
starts on a frame the decoder can start from:

- **intra-only sources** (ProRes, DNxHR/DNxHD, FFV1 or H.264 in all-intra mode, …): every packet is a key frame and
  packets come in presentation order, so a segment may start on any frame;
- **long-GOP sources** (H.264, H.265, MPEG-2 with P and B frames): a segment starts on a key frame (a sync sample of
  the container's index). Its task seeks to that key frame, decodes forward and keeps the frames from ``start`` on;
  leading pictures of an open GOP (shown before the key frame, decoded after it) belong to the previous segment,
  which decodes on past the key frame until it has shown its last frame, so they are decoded with their references.

The index is read from the container (one demux of the video packets, no decoding): every packet's ``pts`` (sorted,
this is frame ``n``'s timestamp: the same numbering as ``media.render``, which counts decoded frames) and its
key-frame flag. A source whose packets lack timestamps, repeat one, or whose container is not seekable by index
(anything but MOV/MP4/Matroska) is not cut: it is rendered in one piece.

``split(n, allowed, parts, min_frames)`` is the pure rule (property-tested): cuts near ``k·n/parts`` moved to the
nearest allowed boundary, no segment shorter than ``min_frames``; the segments cover ``[0, n)`` exactly, in order.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from media._probe import MediaInfo, _reason, open_input, video_stream
from media.errors import CorruptMediaError

SEEKABLE = ("mov", "mp4", "matroska")  # demuxers (by the first name FFmpeg gives) that seek by their index
MIN_SEGMENT_FRAMES = 12  # a segment costs a seek, an encoder start and (long-GOP) a key frame: not for fewer


@dataclass(frozen=True)
class Segment:
    """Frames ``[start, end)`` of the source. ``first_pts`` is frame ``start``'s timestamp and ``end_pts`` frame
    ``end``'s (``None`` for the last segment), both in the video stream's time base; ``seek_pts`` is the timestamp
    the task seeks to — the segment's first frame, a key frame (``None``: decode from the file's start). MOV, MP4 and
    Matroska seek by presentation time, so a backward seek to a key frame's own timestamp lands on it."""

    index: int
    start: int
    end: int
    first_pts: int
    end_pts: int | None
    seek_pts: int | None

    @property
    def frames(self) -> int:
        return self.end - self.start

    @property
    def file_name(self) -> str:
        """The segment's file in the render's work folder (the same on every run: a retried task replaces it)."""
        return f"segment-{self.index:05d}.cpseg"


@dataclass(frozen=True)
class SegmentPlan:
    """How one source is cut: ``intra_only`` (any frame may start a segment) and the segments, in order."""

    frame_count: int
    intra_only: bool
    keyframes: tuple[int, ...]  # frame indices of the key frames
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class SegmentReport:
    """What one segment task did: frames written, frames edited, frames decoded only to reach ``start`` (after
    the seek), wall and CPU seconds in the task, the task's copy of the plane edit after it ran (edits that
    keep statistics, such as the watermark's PSNR, are summed from these) and what the task's copy of the frame
    edit measured: ``edit.segment_result()`` for an edit that defines it (the editor's edits return the changed
    pixels and their metric samples this way), else ``None``."""

    index: int
    start: int
    end: int
    edited: int
    skipped: int
    seconds: float
    cpu_seconds: float
    plane_edit: Any = None
    edit_result: Any = None


def split(frame_count: int, allowed: Sequence[int] | None, parts: int, min_frames: int = 1) -> list[int]:
    """The start frames of up to ``parts`` segments of ``[0, frame_count)``: 0 first, then cuts near
    ``k · frame_count / parts`` moved to the nearest frame in ``allowed`` (sorted; ``None``: any frame), keeping every
    segment at least ``min_frames`` long (the last one too). Returns ``[0]`` when no cut is possible.

    Raises:
        ValueError: ``frame_count`` < 1, ``parts`` < 1 or ``min_frames`` < 1.
    """
    if frame_count < 1 or parts < 1 or min_frames < 1:
        raise ValueError(f"cannot split {frame_count} frames into {parts} parts of at least {min_frames} frames")
    inner = None if allowed is None else sorted({a for a in allowed if 0 < a < frame_count})
    starts = [0]
    for k in range(1, parts):
        ideal = round(k * frame_count / parts)
        cut = ideal if inner is None else _nearest(inner, ideal)
        if cut is None:
            break
        if cut - starts[-1] >= min_frames and frame_count - cut >= min_frames:
            starts.append(cut)
    return starts


def _nearest(sorted_values: list[int], target: int) -> int | None:
    if not sorted_values:
        return None
    i = bisect.bisect_left(sorted_values, target)
    near = sorted_values[max(i - 1, 0) : i + 1]
    return min(near, key=lambda v: (abs(v - target), v))


def plan_segments(info: MediaInfo, parts: int, *, min_frames: int = MIN_SEGMENT_FRAMES) -> SegmentPlan:
    """Cut ``info``'s clip into up to ``parts`` segments on boundaries its codec allows (see the module docstring).

    Raises:
        CorruptMediaError: the packets cannot be read, or fewer are present than ``probe`` counted.
        ValueError: ``parts`` < 1.
    """
    index = _index(info)
    if index is None or parts == 1 or info.frame_count < 2 * min_frames:
        only = Segment(0, 0, info.frame_count, index.pts[0] if index else 0, None, None)
        return SegmentPlan(info.frame_count, bool(index and index.intra_only), index.keys if index else (0,), (only,))
    allowed = None if index.intra_only else index.keys
    starts = split(info.frame_count, allowed, parts, min_frames)
    ends = [*starts[1:], info.frame_count]
    segments = tuple(
        Segment(
            i,
            s,
            e,
            index.pts[s],
            index.pts[e] if e < info.frame_count else None,
            None if s == 0 else index.pts[s],
        )
        for i, (s, e) in enumerate(zip(starts, ends, strict=True))
    )
    return SegmentPlan(info.frame_count, index.intra_only, index.keys, segments)


@dataclass(frozen=True)
class _Index:
    pts: tuple[int, ...]  # frame n's timestamp (sorted packet pts)
    keys: tuple[int, ...]  # frame indices of key frames
    intra_only: bool


def _index(info: MediaInfo) -> _Index | None:
    """The video packets' timestamps and key frames, or ``None`` when the clip cannot be cut (see the docstring)."""
    packets: list[tuple[int, bool]] = []
    with open_input(info.path) as container:
        if container.format.name.split(",")[0] not in SEEKABLE:
            return None
        stream = video_stream(container, info.path)
        try:
            for p in container.demux(stream):
                if not p.size:
                    continue
                if p.pts is None:
                    return None
                packets.append((int(p.pts), bool(p.is_keyframe)))
        except av.FFmpegError as exc:
            raise CorruptMediaError(f"{Path(info.path).name}: cannot be read to the end ({_reason(exc)})") from None
    if len(packets) != info.frame_count:
        raise CorruptMediaError(
            f"{Path(info.path).name}: {len(packets)} video packets, but {info.frame_count} were counted when it was "
            "probed; the file changed or is damaged — probe it again"
        )
    ordered = sorted(p[0] for p in packets)
    if len(set(ordered)) != len(ordered):
        return None
    frame_of = {pts: n for n, pts in enumerate(ordered)}
    in_order = [p[0] for p in packets] == ordered
    keys = sorted(frame_of[pts] for pts, key in packets if key)
    intra = in_order and len(keys) == len(packets)
    if not keys or keys[0] != 0:
        return None  # the first frame is not a key frame: nothing is known about where decoding may start
    return _Index(tuple(ordered), tuple(keys), intra)
