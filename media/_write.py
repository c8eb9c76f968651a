"""Writing a clip again under the encode policy (``media._policy``), through any of three kinds of change.

``render`` is the one writer of Cutproof: the editor's edits, the watermark pass and the disclosure pass all go
through it, so every output of a source gets the same ``EncodePlan`` (``media.render_parallel`` encodes the same
frames in segments on several workers with this module's frame loop and encoder set-up, and joins them).
It takes, all optional:

- ``edit``: a ``FrameEdit`` on float RGB with a support mask — samples outside the support are copied from the
  decoded source planes, never round-tripped through RGB, so there the output differs from the source only by the
  encoder's noise;
- ``plane_edit``: a ``PlaneEdit`` that changes a frame's planes in place, in the encoder's pixel format at its bit
  depth (the video watermark marks luma this way);
- ``audio_filters`` / ``audio_override``: see ``media._mux_audio``;
- ``tail``: RGB frames appended after the last source frame (the disclosure's end-credit card);
- ``progress``: called with the fraction of source frames written (``media._progress``).

Every frame of the source is written (frames outside ``frames`` pass through), so the output has the source's
frame count, exact frame rate, time base, timecode and audio sync: frame ``n`` is stamped ``start + n / frame_rate``
on the source's clock (``start`` the source's first frame), in the source's time base where a frame is a whole number
of its ticks; the audio keeps its own timestamps. The output is
written to a temporary file beside the target and renamed into place only when complete.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from media._audio import AudioOverride
from media._mux_audio import AudioFilter, AudioMux
from media._policy import EncodePlan, container_of, plan_encode
from media._probe import MediaInfo, _reason, open_input, video_stream
from media._progress import Meter, Progress
from media._read import EXACT_RGB, conversion_matrix, conversion_range, frame_planes, frame_to_rgb
from media._segments import SegmentReport
from media.errors import CorruptMediaError, EncodeError

FrameEdit = Callable[[int, np.ndarray], "tuple[np.ndarray, np.ndarray] | None"]
"""``edit(index, rgb)`` gets a float32 RGB frame in [0, 1] and returns ``(edited rgb, support)`` — ``support`` a
boolean H×W mask of every pixel the edit may have touched — or ``None`` to leave the frame untouched."""


@dataclass(frozen=True)
class Picture:
    """A frame about to be encoded: writable planes in the encoder's pixel format (uint8, or uint16 holding
    ``bit_depth``-bit code values), the luma plane first."""

    index: int
    planes: list[np.ndarray]
    bit_depth: int

    @property
    def luma(self) -> np.ndarray:
        return self.planes[0]

    @property
    def max_value(self) -> int:
        """The largest code value (255 for 8-bit, 1023 for 10-bit)."""
        return (1 << self.bit_depth) - 1


PlaneEdit = Callable[[Picture], None]
"""``plane_edit(picture)`` changes ``picture.planes`` in place (they belong to a private copy of the frame)."""


@dataclass(frozen=True)
class RenderReport:
    """What was written: frames, how each audio track was carried, timecode, codec and the plan itself (and, for
    a segment-parallel render, what each segment task did)."""

    path: Path
    frame_count: int
    edited_frames: int
    codec: str
    pix_fmt: str
    container: str
    timecode: str | None
    audio: tuple[str, ...]  # per source audio track: "remuxed", "re-encoded:<codec>", "filtered:…", "replaced:…"
    plan: EncodePlan
    segments: tuple[SegmentReport, ...] = ()  # a segment-parallel render's segments (``media.render_parallel``)


def render(
    info: MediaInfo,
    out_path: Path,
    edit: FrameEdit | None = None,
    *,
    frames: range | None = None,
    overwrite: bool = False,
    audio_override: AudioOverride | None = None,
    plane_edit: PlaneEdit | None = None,
    audio_filters: Mapping[int, AudioFilter] | None = None,
    tail: Iterable[np.ndarray] = (),
    progress: Progress | None = None,
) -> RenderReport:
    """Write every frame of ``info``'s clip to ``out_path`` under ``plan_encode(info, container of out_path)``,
    passing the frames in ``frames`` (all if None) through ``edit`` and then ``plane_edit``; the others are copied.

    With ``audio_override``, every audio track is decoded, the override's span replaced by the new samples (the
    rest untouched) and written losslessly; a clip without audio gets one mono track. ``audio_filters`` maps audio
    stream indices (``info.audio[i].index``) to filters their samples pass through. ``tail`` frames (uint8 RGB,
    the clip's size) are appended after the last source frame. ``progress`` is called, in this process, with the
    fraction of the source's frames written: increasing, at least 1 % apart, 1.0 last, just before the output is
    renamed into place (``media._progress``).

    Raises:
        EncodeError: the output path is unusable, the container cannot hold the codec, or encoding failed
            (nothing is left at ``out_path``).
        CorruptMediaError: a source frame or audio packet does not decode, or fewer frames come out of the decoder
            than the source holds (nothing is left at ``out_path``).
        Exception: whatever ``edit``, ``plane_edit``, a filter or ``progress`` raised, unchanged (nothing is left at
            ``out_path``).
    """
    out_path = Path(out_path)
    plan = plan_encode(info, container_of(out_path))
    check_target(info, out_path, overwrite)
    tmp = partial_path(out_path)
    span = frames if frames is not None else range(info.frame_count)
    job = _Job(info, plan, edit, plane_edit, span, Meter(progress, info.frame_count))
    try:
        with writing(info, plan, tmp, audio_filters, audio_override) as w:
            job.write(w.src, w.out, w.vout, w.audio, tail, w.start)
        job.meter.finish()
        os.replace(tmp, out_path)
    except av.FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        raise EncodeError(f"writing {out_path.name} failed: {_reason(exc)}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return RenderReport(
        out_path, job.count, job.edited, plan.codec, plan.pix_fmt, plan.container, plan.timecode, w.audio.modes, plan
    )


@dataclass
class Writing:
    """An output being written: the source (opened twice: pictures and audio are read at their own pace), the
    output container, its video stream, the audio muxer and the source's first video time."""

    src: Any
    out: Any
    vout: Any
    audio: AudioMux
    start: Fraction


@contextmanager
def writing(
    info: MediaInfo,
    plan: EncodePlan,
    tmp: Path,
    audio_filters: Mapping[int, AudioFilter] | None,
    audio_override: AudioOverride | None,
) -> Iterator[Writing]:
    """Open ``info``'s clip and the output ``tmp`` under ``plan`` (video stream, audio muxer), and close the output
    on the way out; shared by ``render`` and the segment join (``media.render_parallel``)."""
    with open_input(info.path) as src, open_input(info.path) as audio_src:
        out = _open_output(tmp, plan.container)
        try:
            vout = _video_stream(out, plan, src, info)
            start = _video_start(video_stream(src, info.path))
            audio = AudioMux(
                audio_src, out, info, plan.audio, container=plan.container, video_start=start,
                filters=audio_filters, override=audio_override,
            )  # fmt: skip
            yield Writing(src, out, vout, audio, start)
        finally:
            out.close()


def check_target(info: MediaInfo, out_path: Path, overwrite: bool) -> None:
    """Refuse an output path that exists (unless ``overwrite``), lies in no folder, or is the source itself.

    Raises:
        EncodeError: the output path is unusable.
    """
    if out_path.exists() and not overwrite:
        raise EncodeError(f"{out_path} already exists; choose another output path or remove it first")
    if not out_path.parent.is_dir():
        raise EncodeError(f"{out_path.parent} is not a directory; create it first")
    if out_path.exists() and out_path.resolve() == info.path.resolve():
        raise EncodeError(f"{out_path.name}: the output must not overwrite its own source")


def partial_path(out_path: Path) -> Path:
    """The temporary file an output is written to before it is renamed into place."""
    return out_path.with_name(f".{out_path.stem}.partial-{os.getpid()}{out_path.suffix}")


def _open_output(tmp: Path, container: str) -> Any:
    # bitexact: no encoder version strings, so the same input gives the same bytes
    try:
        return av.open(str(tmp), mode="w", format=container, options={"fflags": "+bitexact"})
    except (av.FFmpegError, OSError) as exc:
        raise EncodeError(f"cannot create {tmp.parent / tmp.name}: {exc}") from None


def _video_stream(out: Any, plan: EncodePlan, src: Any, info: MediaInfo) -> Any:
    vin = video_stream(src, info.path)
    vout: Any = out.add_stream(plan.codec, rate=plan.frame_rate, options=dict(plan.options))
    vout.width, vout.height, vout.pix_fmt = info.width, info.height, plan.pix_fmt
    cc = vout.codec_context
    cc.flags |= av.codec.context.Flags.bitexact
    cc.color_primaries, cc.color_trc = plan.colour.primaries, plan.colour.transfer
    cc.colorspace, cc.color_range = plan.colour.matrix, plan.colour.range
    cc.time_base = _tick(plan.frame_rate, vin)
    sar = vin.codec_context.sample_aspect_ratio
    if sar and sar != 1:
        cc.sample_aspect_ratio = sar
    if plan.timecode:
        out.metadata["timecode"] = plan.timecode
        vout.metadata["timecode"] = plan.timecode
    return vout


def _tick(rate: Fraction, vin: Any) -> Fraction:
    """The output's video time base: the source's where one frame is a whole number of its ticks (so timestamps and
    time base come out as the source's), else ``1 / (numerator · k)`` with the smallest ``k`` that makes it at most
    1/10000 s (one frame is a whole number of ticks; the start offset is kept to a tenth of a millisecond)."""
    tb = vin.time_base
    if tb is not None:
        source = Fraction(tb.numerator, tb.denominator)
        if (1 / (rate * source)).denominator == 1:
            return source
    k = -(-10_000 // rate.numerator)
    return Fraction(1, rate.numerator * k)


def _video_start(vin: Any) -> Fraction:
    """When the source's first frame is shown (seconds); the output's frames are numbered from 0 instead."""
    if vin.start_time is None or vin.time_base is None:
        return Fraction(0)
    return Fraction(vin.start_time) * Fraction(vin.time_base.numerator, vin.time_base.denominator)


class _Job:
    """The frame loop of one render."""

    def __init__(
        self,
        info: MediaInfo,
        plan: EncodePlan,
        edit: FrameEdit | None,
        plane_edit: PlaneEdit | None,
        span: range,
        meter: Meter | None = None,
    ) -> None:
        self.info, self.plan, self.edit, self.plane_edit, self.span = info, plan, edit, plane_edit, span
        self.meter = meter if meter is not None else Meter(None, info.frame_count)
        self.matrix, self.range = conversion_matrix(info), conversion_range(info)
        self.count = self.edited = self.first = self.step = 0

    def write(
        self, src: Any, out: Any, vout: Any, audio: AudioMux, tail: Iterable[np.ndarray], start: Fraction
    ) -> None:
        tick = vout.codec_context.time_base
        self.first, self.step = round(start / tick), int(1 / (self.plan.frame_rate * tick))
        vin = video_stream(src, self.info.path)
        vin.thread_type = "AUTO"
        decoded = src.decode(vin)
        while True:
            try:
                frame = next(decoded, None)
            except av.FFmpegError as exc:
                raise CorruptMediaError(
                    f"{self.info.path.name}: frame {self.count} does not decode ({_reason(exc)}); the file is damaged "
                    "or truncated — re-copy it from the camera card"
                ) from None
            if frame is None:
                break
            self._encode(out, vout, self.treat(frame, self.count))
            audio.mux_until(start + Fraction(self.count) / self.plan.frame_rate)
            self.meter.update(self.count)
        if self.count < self.info.frame_count:  # a frame-threaded decoder drops the errors of the last packets
            raise CorruptMediaError(
                f"{self.info.path.name}: only {self.count} of {self.info.frame_count} frames decode; the file is "
                "damaged or truncated — re-copy it from the camera card"
            )
        for rgb in tail:
            self._encode(out, vout, self._from_rgb(rgb))
            audio.mux_until(start + Fraction(self.count) / self.plan.frame_rate)
        out.mux(vout.encode())
        audio.finish()

    def treat(self, frame: Any, n: int) -> Any:
        """Frame ``n`` of the source in the encoder's pixel format, through the edits when ``n`` is in the span."""
        work = _to_working(frame, self.plan.pix_fmt, self.matrix, self.range)
        if n not in self.span or (self.edit is None and self.plane_edit is None):
            return work
        changed = False
        if self.edit is not None:
            result = self.edit(n, frame_to_rgb(frame, self.info, "float"))
            if result is not None:
                work = _composite(work, result, self.plan.pix_fmt, self.matrix, self.range, self.info)
                changed = True
        if self.plane_edit is not None:
            if work is frame:  # decoded frames may be the decoder's reference pictures: never write into them
                work = _copy(work)
            self.plane_edit(Picture(n, frame_planes(work), self.plan.bit_depth))
            changed = True
        self.edited += changed
        return work

    def _from_rgb(self, rgb: np.ndarray) -> Any:
        if rgb.shape != (self.info.height, self.info.width, 3) or rgb.dtype != np.uint8:
            raise EncodeError(
                f"an appended frame must be uint8 RGB of shape {(self.info.height, self.info.width, 3)}, "
                f"got {rgb.dtype} {rgb.shape}"
            )
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        return frame.reformat(
            format=self.plan.pix_fmt, dst_colorspace=self.matrix, dst_color_range=self.range, interpolation=EXACT_RGB
        )

    def _encode(self, out: Any, vout: Any, work: Any) -> None:
        out.mux(encode_frame(vout, work, self.first + self.count * self.step))
        self.count += 1


def encode_frame(vout: Any, work: Any, pts: int) -> list[Any]:
    """Encode one working frame stamped ``pts`` (in the encoder's time base); returns the packets ready so far."""
    work.pts = pts
    work.time_base = vout.codec_context.time_base
    work.pict_type = 0  # a decoded frame keeps its source picture type, which x264 would obey: let the plan decide
    return list(vout.encode(work))


def _to_working(frame: Any, pix_fmt: str, matrix: str, crange: str) -> Any:
    """The decoded frame in the encoder's pixel format (the same object when it already is)."""
    if frame.format.name == pix_fmt:
        return frame
    return frame.reformat(
        format=pix_fmt, src_colorspace=matrix, dst_colorspace=matrix, src_color_range=crange, dst_color_range=crange
    )


def _copy(frame: Any) -> Any:
    """A new frame with the same format and samples."""
    out = av.VideoFrame(frame.width, frame.height, frame.format.name)
    for dst, src in zip(frame_planes(out), frame_planes(frame), strict=True):
        dst[...] = src
    return out


def _composite(
    work: Any, result: tuple[np.ndarray, np.ndarray], pix_fmt: str, matrix: str, crange: str, info: MediaInfo
) -> Any:
    """Convert the edited RGB to the working format and keep the source's samples outside the support."""
    rgb, support = result
    if rgb.shape != (info.height, info.width, 3) or support.shape != (info.height, info.width):
        raise EncodeError(f"the edit returned a frame of shape {rgb.shape}; expected {(info.height, info.width, 3)}")
    deep = "10" in pix_fmt or "12" in pix_fmt
    if deep:
        arr = np.clip(np.rint(rgb * 65535.0), 0, 65535).astype(np.uint16)
        edited = av.VideoFrame.from_ndarray(arr, format="rgb48le")
    else:
        arr = np.clip(np.rint(rgb * 255.0), 0, 255).astype(np.uint8)
        edited = av.VideoFrame.from_ndarray(arr, format="rgb24")
    edited = edited.reformat(
        format=pix_fmt,
        dst_colorspace=matrix,
        dst_color_range=crange,
        src_colorspace=matrix,
        interpolation=None if deep else EXACT_RGB,  # the 8-bit conversion as the read's (``media._read``)
    )
    for dst, src in zip(frame_planes(edited), frame_planes(work), strict=True):
        keep = ~_pool_mask(support, dst.shape)
        dst[keep] = src[keep]
    return edited


def _pool_mask(mask: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Downsample a boolean mask to a (chroma) plane's shape: a sample is in if any pixel it covers is."""
    h, w = mask.shape
    ph, pw = shape[0], shape[1]
    if (ph, pw) == (h, w):
        return mask
    sy, sx = -(-h // ph), -(-w // pw)
    padded = np.zeros((ph * sy, pw * sx), dtype=bool)
    padded[:h, :w] = mask
    return np.asarray(padded.reshape(ph, sy, pw, sx).any(axis=(1, 3)), dtype=bool)
