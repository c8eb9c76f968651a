"""One segment of a parallel render, run anywhere: decode frames ``[start, end)``, edit, encode, write the packets.

``run_segment(task)`` is the function a ``media._parallel`` executor runs (in this process, a process pool or a Ray
worker). It opens the source at ``task.info.path``, seeks to the segment's key frame (``media._segments``), decodes
forward, drops the frames before ``start``, passes each frame through the render's edits exactly as
``media.render`` does (same frame numbers, same working pixel format), encodes it with an encoder set up exactly as
``media.render`` sets up its own (same codec, options, pixel format, colour tags, time base; a fresh encoder, so for
long-GOP codecs the segment starts with an IDR frame) and stamps frame ``n`` ``first + n · step`` on the output's
clock, as ``media.render`` would. Should the seek land after ``start`` (a container index that misleads), the task
decodes from the file's start instead.

The segment file (``<work>/segment-NNNNN.cpseg``) holds the encoded packets (``media._packets``' records) and, at
the end, a footer::

    packet*  := pts:i64 dts:i64 duration:i64 flags:u8 size:u32 (little endian) data[size]
    footer   := JSON {"version": 1, "segment", "start", "end", "packets", "edited", "extradata": hex,
                      "time_base": [num, den], "codec"}
    trailer  := footer_size:u32 b"CPSEG1\\n"

It is written to a temporary name in the same folder and renamed into place when complete (``os.replace``), so a
task re-run — a retry after a killed worker, or a second attempt running at the same time — leaves one complete
file with the same content; a file without the trailer is never read as a segment.

**Frames done.** A task with ``tally`` set also keeps the count of its frames encoded so far in
``<work>/segment-NNNNN.tally`` — 16 bytes ``done:i64 ~done:i64`` (little endian) rewritten in place every 1 % of
the segment and at its end — which the joining process reads while the task runs (``frames_done``) to report
progress by frame (``media._parallel``) without sending its callback anywhere: the work folder is shared by every
worker already, so this works alike for a local pool and a Ray cluster. The count is written twice (the second
inverted) so that a read that overlaps a write is recognised and ignored; a re-run task starts its count again
from zero (the reader keeps only increases).
"""

from __future__ import annotations

import io
import json
import os
import secrets
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from media._packets import Record, TruncatedRecordError, read_records, write_packets
from media._policy import EncodePlan
from media._probe import MediaInfo, _reason, open_input, video_stream
from media._segments import Segment, SegmentReport
from media._write import FrameEdit, PlaneEdit, _Job, _video_start, _video_stream, encode_frame
from media.errors import CorruptMediaError, EncodeError, SegmentError

_TALLY = struct.Struct("<qq")
_TRAILER = b"CPSEG1\n"


@dataclass(frozen=True)
class SegmentTask:
    """Everything a worker needs for one segment (picklable: the edits must be top-level functions or instances of
    top-level classes). ``folder`` is the render's work folder, shared by the workers and the joining process."""

    info: MediaInfo
    plan: EncodePlan
    segment: Segment
    folder: Path
    span: range
    edit: FrameEdit | None = None
    plane_edit: PlaneEdit | None = None
    tally: bool = False  # keep the count of frames encoded in ``tally_path`` (see the module docstring)

    @property
    def path(self) -> Path:
        return self.folder / self.segment.file_name

    @property
    def tally_path(self) -> Path:
        return self.path.with_suffix(".tally")


@dataclass(frozen=True)
class SegmentFile:
    """A written segment's footer: what it holds and the encoder's global header (``extradata``)."""

    path: Path
    start: int
    end: int
    packets: int
    edited: int
    extradata: bytes
    time_base: Fraction
    codec: str


def run_segment(task: SegmentTask) -> SegmentReport:
    """Render ``task.segment`` into ``task.path`` (atomically; see the module docstring).

    Raises:
        CorruptMediaError: a frame does not decode, or fewer frames decode than the segment holds.
        EncodeError: encoding or writing the segment file failed.
        Exception: whatever an edit raised.
    """
    t0, c0 = time.perf_counter(), time.process_time()
    seg, info = task.segment, task.info
    tmp = task.folder / f".{seg.file_name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    job = _Job(info, task.plan, task.edit, task.plane_edit, task.span)
    tally: _Tally | None = None
    try:
        tally = _Tally(task.tally_path, seg.frames) if task.tally else None
        with open_input(info.path) as src:
            holder = av.open(io.BytesIO(), mode="w", format=task.plan.container)  # the encoder's home; never written
            try:
                vout = _video_stream(holder, task.plan, src, info)
                tick = vout.codec_context.time_base
                first = round(_video_start(video_stream(src, info.path)) / tick)
                step = int(1 / (task.plan.frame_rate * tick))
                with open(tmp, "wb") as fh:
                    count = skipped = 0
                    for n, frame, dropped in _decoded(info, seg):
                        skipped = dropped
                        count += write_packets(fh, encode_frame(vout, job.treat(frame, n), first + n * step))
                        if tally is not None:
                            tally.update(n + 1 - seg.start)
                    count += write_packets(fh, vout.encode(None))
                    footer = {
                        "version": 1, "segment": seg.index, "start": seg.start, "end": seg.end, "packets": count,
                        "edited": job.edited, "extradata": bytes(vout.codec_context.extradata or b"").hex(),
                        "time_base": [tick.numerator, tick.denominator], "codec": task.plan.codec,
                    }  # fmt: skip
                    blob = json.dumps(footer).encode()
                    fh.write(blob + struct.pack("<I", len(blob)) + _TRAILER)
                    fh.flush()
                    os.fsync(fh.fileno())
            finally:
                holder.close()
        os.replace(tmp, task.path)
    except av.FFmpegError as exc:
        raise EncodeError(f"segment {seg.index} (frames {seg.start}–{seg.end}) failed: {_reason(exc)}") from None
    except OSError as exc:
        raise EncodeError(f"cannot write segment {seg.index} into {task.folder}: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
        if tally is not None:
            tally.close()
    measured = getattr(task.edit, "segment_result", None)
    return SegmentReport(
        seg.index, seg.start, seg.end, job.edited, skipped, time.perf_counter() - t0, time.process_time() - c0,
        task.plane_edit, measured() if callable(measured) else None,
    )  # fmt: skip


class _Tally:
    """The count of a task's frames encoded, kept in its tally file (see the module docstring)."""

    def __init__(self, path: Path, frames: int) -> None:
        self.fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        self.frames, self.every, self.last = frames, max(1, frames // 100), 0

    def update(self, done: int) -> None:
        if self.fd is not None and (done - self.last >= self.every or done == self.frames):
            self.last = done
            os.pwrite(self.fd, _TALLY.pack(done, ~done), 0)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def frames_done(task: SegmentTask) -> int:
    """How many of ``task``'s frames its run has encoded so far, by its tally file (0 when there is none yet, or
    when the read overlapped a write)."""
    try:
        fd = os.open(task.tally_path, os.O_RDONLY)
    except OSError:
        return 0
    try:
        raw = os.pread(fd, _TALLY.size, 0)
    except OSError:
        return 0
    finally:
        os.close(fd)
    if len(raw) != _TALLY.size:
        return 0
    done, check = _TALLY.unpack(raw)
    return done if check == ~done and 0 <= done <= task.segment.frames else 0


def _decoded(info: MediaInfo, seg: Segment) -> Iterator[tuple[int, Any, int]]:
    """``(n, frame, frames skipped so far)`` for the segment's frames, seeking to its key frame first; from the
    file's start when the seek lands after ``start``."""
    landed_late = False
    for seek in (seg.seek_pts, None) if seg.seek_pts is not None else (None,):
        n, skipped = seg.start, 0
        with open_input(info.path) as src:
            vin = video_stream(src, info.path)
            vin.thread_type = "AUTO"
            if seek is not None:
                try:
                    src.seek(seek, stream=vin, backward=True, any_frame=False)
                except av.FFmpegError:
                    continue
            frames = src.decode(vin)
            while True:
                try:
                    frame = next(frames, None)
                except av.FFmpegError as exc:
                    raise CorruptMediaError(
                        f"{info.path.name}: frame {n} does not decode ({_reason(exc)}); the file is damaged"
                    ) from None
                if frame is None:
                    break
                if frame.pts is None:
                    raise SegmentError(f"{info.path.name}: a decoded frame has no timestamp; render it in one piece")
                if frame.pts < seg.first_pts:
                    skipped += 1
                    continue
                if n == seg.start and frame.pts != seg.first_pts:
                    landed_late = True
                    break
                if seg.end_pts is not None and frame.pts >= seg.end_pts:
                    break
                yield n, frame, skipped
                n += 1
        if landed_late and seek is not None:
            landed_late = False
            continue
        if n != seg.end:
            raise CorruptMediaError(
                f"{info.path.name}: frames {seg.start}–{seg.end}: only {n - seg.start} decode; the file is damaged"
            )
        return
    raise SegmentError(f"{info.path.name}: frame {seg.start} cannot be reached by decoding; render it in one piece")


def read_footer(path: Path) -> SegmentFile:
    """The footer of a complete segment file.

    Raises:
        SegmentError: missing, incomplete or not a segment file.
    """
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            if size < len(_TRAILER) + 4:
                raise SegmentError(f"{path.name}: not a complete segment file")
            fh.seek(size - len(_TRAILER) - 4)
            (length,) = struct.unpack("<I", fh.read(4))
            if fh.read() != _TRAILER or length > size:
                raise SegmentError(f"{path.name}: not a complete segment file")
            fh.seek(size - len(_TRAILER) - 4 - length)
            f = json.loads(fh.read(length))
    except OSError as exc:
        raise SegmentError(f"segment file {path.name} cannot be read ({exc}); its task did not finish") from None
    except ValueError:
        raise SegmentError(f"{path.name}: the footer is damaged") from None
    return SegmentFile(
        path, int(f["start"]), int(f["end"]), int(f["packets"]), int(f["edited"]), bytes.fromhex(f["extradata"]),
        Fraction(*f["time_base"]), str(f["codec"]),
    )  # fmt: skip


def read_packets(footer: SegmentFile) -> Iterator[Record]:
    """``(pts, dts, duration, keyframe, data)`` of every packet of a segment file, in the order encoded."""
    with open(footer.path, "rb") as fh:
        try:
            yield from read_records(fh, footer.packets)
        except TruncatedRecordError:
            raise SegmentError(f"{footer.path.name}: a packet is cut short; the file is damaged") from None
