"""Writing an edited clip in the source's codec family, with audio, timecode and colour tags carried over.

Every frame of the source is written (frames the edit leaves alone pass through), so the output has the source's
length, timecode and audio sync. Unchanged pixels are copied from the decoded source planes, never round-tripped
through RGB, so outside the edit's support they differ from the source only by the encoder's noise.
The output is written to a temporary file beside the target and renamed into place only when complete.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from media._audio import AudioOverride, encode_track, read_audio, splice
from media._probe import MediaInfo, _reason, open_input, video_stream
from media._read import conversion_matrix, conversion_range, frame_planes, frame_to_rgb
from media.errors import EncodeError

FrameEdit = Callable[[int, np.ndarray], "tuple[np.ndarray, np.ndarray] | None"]
"""``edit(index, rgb)`` gets a float32 RGB frame in [0, 1] and returns ``(edited rgb, support)`` — ``support`` a
boolean H×W mask of every pixel the edit may have touched — or ``None`` to leave the frame untouched."""

_PRORES_PROFILES = {"Proxy": 0, "LT": 1, "Standard": 2, "HQ": 3, "4444": 4, "4444XQ": 5}
_DNXHR_PROFILES = {"DNXHR LB": "dnxhr_lb", "DNXHR SQ": "dnxhr_sq", "DNXHR HQ": "dnxhr_hq", "DNXHR HQX": "dnxhr_hqx"}
_DNXHR_PROFILES["DNXHR 444"] = "dnxhr_444"
_REMUX_OK = {
    "mov": {"aac", "mp3", "mp2", "alac", "ac3", "eac3", "pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_s16be"},
    "mp4": {"aac", "mp3", "alac", "ac3", "eac3", "opus", "flac"},
}
_CONTAINERS = {".mov": "mov", ".mp4": "mp4", ".m4v": "mp4"}


@dataclass(frozen=True)
class EncodePlan:
    """How an output is encoded: codec, pixel format, options, and the containers that may hold it."""

    codec: str
    pix_fmt: str
    options: dict[str, str] = field(default_factory=dict)
    containers: tuple[str, ...] = ("mov", "mp4")
    profile: str | None = None

    @property
    def default_suffix(self) -> str:
        return "." + self.containers[0]


def plan_encode(info: MediaInfo) -> EncodePlan:
    """Choose the encoder that keeps the source's codec family (ProRes→ProRes, DNxHR→DNxHR, H.264→H.264,
    H.265→H.265; anything else → H.264), at a high-quality intermediate setting."""
    family = info.codec_family
    deep = info.bit_depth > 8
    chroma444 = "444" in info.pix_fmt
    if family == "prores":
        profile = _PRORES_PROFILES.get(info.profile or "", 4 if chroma444 else 3)
        pix = "yuv444p10le" if profile >= 4 else "yuv422p10le"
        return EncodePlan("prores_ks", pix, {"profile": str(profile), "vendor": "apl0"}, ("mov",), str(profile))
    if family == "dnxhd":
        prof = _DNXHR_PROFILES.get(info.profile or "", "dnxhr_hqx" if deep else "dnxhr_hq")
        pix = "yuv422p10le" if prof == "dnxhr_hqx" else ("yuv444p10le" if prof == "dnxhr_444" else "yuv422p")
        return EncodePlan("dnxhd", pix, {"profile": prof}, ("mov",), prof)
    if family == "hevc":
        pix = _pick(info.pix_fmt, ["yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le", "yuv444p10le"])
        opts = {"crf": "12", "preset": "fast", "x265-params": "log-level=error"}
        return EncodePlan("libx265", pix, opts, ("mov", "mp4") if info.container.startswith("mov") else ("mp4", "mov"))
    pix = "yuv420p"
    if family == "h264":
        pix = _pick(info.pix_fmt, ["yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le", "yuv444p10le"])
    containers = ("mov", "mp4") if family == "h264" and info.path.suffix.lower() == ".mov" else ("mp4", "mov")
    return EncodePlan("libx264", pix, {"crf": "12", "preset": "fast"}, containers)


def _pick(pix_fmt: str, allowed: list[str]) -> str:
    base = pix_fmt.replace("yuvj", "yuv")
    return base if base in allowed else "yuv420p"


@dataclass(frozen=True)
class RenderReport:
    """What was written: frames, how each audio track was carried, timecode and codec."""

    path: Path
    frame_count: int
    edited_frames: int
    codec: str
    pix_fmt: str
    container: str
    timecode: str | None
    audio: tuple[str, ...]  # per source audio track: "remuxed" or "re-encoded:<codec>"


def render(
    info: MediaInfo,
    out_path: Path,
    edit: FrameEdit,
    *,
    frames: range | None = None,
    overwrite: bool = False,
    audio_override: AudioOverride | None = None,
) -> RenderReport:
    """Write every frame of ``info``'s clip to ``out_path``, passing the frames in ``frames`` (all if None) through
    ``edit``; the others are copied unchanged.

    With ``audio_override``, every audio track is decoded, the override's span replaced by the new samples (the
    rest untouched) and written losslessly (PCM in MOV, ALAC in MP4); a clip without audio gets one mono track.

    Raises:
        EncodeError: the output path is unusable, the container cannot hold the codec, or encoding failed
            (nothing is left at ``out_path``).
        Exception: whatever ``edit`` raised, unchanged (nothing is left at ``out_path``).
    """
    out_path = Path(out_path)
    plan = plan_encode(info)
    fmt = _CONTAINERS.get(out_path.suffix.lower())
    if fmt is None or fmt not in plan.containers:
        allowed = ", ".join("." + c for c in plan.containers)
        raise EncodeError(
            f"{out_path.name}: a {info.codec_family} source is written as {plan.codec} in {allowed}; "
            f"name the output with one of those extensions"
        )
    if out_path.exists() and not overwrite:
        raise EncodeError(f"{out_path} already exists; choose another output path or remove it first")
    if not out_path.parent.is_dir():
        raise EncodeError(f"{out_path.parent} is not a directory; create it first")
    tmp = out_path.with_name(f".{out_path.stem}.partial-{os.getpid()}{out_path.suffix}")
    try:
        span = frames if frames is not None else range(info.frame_count)
        report = _write(info, tmp, fmt, plan, edit, span, audio_override)
        os.replace(tmp, out_path)
    except av.FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        raise EncodeError(f"writing {out_path.name} failed: {_reason(exc)}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return RenderReport(out_path, *report)


def _write(
    info: MediaInfo,
    tmp: Path,
    fmt: str,
    plan: EncodePlan,
    edit: FrameEdit,
    frames: range,
    override: AudioOverride | None = None,
) -> tuple[Any, ...]:
    matrix, crange = conversion_matrix(info), conversion_range(info)
    with open_input(info.path) as src, open_input(info.path) as audio_src:
        out = av.open(str(tmp), mode="w", format=fmt, options={"fflags": "+bitexact"})
        try:
            vin = video_stream(src, info.path)
            vin.thread_type = "AUTO"
            vout: Any = out.add_stream(plan.codec, rate=info.frame_rate, options=dict(plan.options))
            vout.width, vout.height, vout.pix_fmt = info.width, info.height, plan.pix_fmt
            vout.codec_context.flags |= av.codec.context.Flags.bitexact
            cc = vout.codec_context
            cc.color_primaries, cc.color_trc = info.colour.primaries, info.colour.transfer
            cc.colorspace, cc.color_range = info.colour.matrix, info.colour.range
            cc.time_base = Fraction(1) / info.frame_rate
            if info.timecode:
                out.metadata["timecode"] = info.timecode
                vout.metadata["timecode"] = info.timecode
            audio: _AudioCarrier | _AudioReplacer = (
                _AudioCarrier(audio_src, out, fmt) if override is None else _AudioReplacer(info, out, fmt, override)
            )
            n = edited = 0
            for frame in src.decode(vin):
                work = _to_working(frame, plan.pix_fmt, matrix, crange)
                result = edit(n, frame_to_rgb(frame, info, "float")) if n in frames else None
                if result is not None:
                    work = _composite(work, result, plan.pix_fmt, matrix, crange, info)
                    edited += 1
                work.pts = n
                work.time_base = cc.time_base
                for packet in vout.encode(work):
                    out.mux(packet)
                n += 1
                audio.mux_until(Fraction(n) / info.frame_rate)
            for packet in vout.encode():
                out.mux(packet)
            audio.finish()
        finally:
            out.close()
    return n, edited, plan.codec, plan.pix_fmt, fmt, info.timecode, audio.modes


def _to_working(frame: Any, pix_fmt: str, matrix: str, crange: str) -> Any:
    """The decoded frame in the encoder's pixel format (the same object when it already is)."""
    if frame.format.name == pix_fmt:
        return frame
    return frame.reformat(
        format=pix_fmt, src_colorspace=matrix, dst_colorspace=matrix, src_color_range=crange, dst_color_range=crange
    )


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
    edited = edited.reformat(format=pix_fmt, dst_colorspace=matrix, dst_color_range=crange, src_colorspace=matrix)
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


class _AudioCarrier:
    """Copies (or re-encodes) every audio track, interleaved with the video by time."""

    def __init__(self, src: Any, out: Any, fmt: str) -> None:
        self.out = out
        self.streams: dict[int, tuple[Any, Any, Any]] = {}  # in index -> (out stream, decoder?, resampler?)
        self.modes: tuple[str, ...] = ()
        modes = []
        for s in src.streams.audio:
            cc = s.codec_context
            if cc is None:
                continue
            if cc.codec.canonical_name in _REMUX_OK[fmt]:
                self.streams[s.index] = (out.add_stream_from_template(s), None, None)
                modes.append("remuxed")
            else:
                codec = "aac" if fmt == "mp4" else ("pcm_s24le" if "32" in str(cc.format.name) else "pcm_s16le")
                o = out.add_stream(codec, rate=cc.sample_rate, layout=cc.layout.name)
                fmt_name = "fltp" if codec == "aac" else ("s32" if codec == "pcm_s24le" else "s16")
                resampler = av.AudioResampler(format=fmt_name, layout=cc.layout.name, rate=cc.sample_rate)
                self.streams[s.index] = (o, s, resampler)
                modes.append(f"re-encoded:{codec}")
        self.modes = tuple(modes)
        carried = [s for s in src.streams.audio if s.index in self.streams]
        # demux() with no streams would demux every stream, video included: only demux when there is audio.
        self._packets: Iterator[Any] = iter(src.demux(*carried)) if carried else iter(())
        self._pending: Any = None
        self._samples: dict[int, int] = {}

    def mux_until(self, t: Fraction) -> None:
        """Mux audio packets that start before ``t`` seconds (plus half a second of slack)."""
        while True:
            if self._pending is None:
                self._pending = next(self._packets, None)
                if self._pending is None:
                    return
            p = self._pending
            if p.pts is not None and p.time_base is not None and p.pts * p.time_base > t + Fraction(1, 2):
                return
            self._pending = None
            self._carry(p)

    def finish(self) -> None:
        self.mux_until(Fraction(10**9))
        for o, decoder, resampler in self.streams.values():
            if decoder is not None:
                for frame in resampler.resample(None):
                    self._encode(o, frame)
                for packet in o.encode(None):
                    self.out.mux(packet)

    def _carry(self, packet: Any) -> None:
        o, decoder, resampler = self.streams[packet.stream.index]
        if decoder is None:
            if packet.dts is None or not packet.size:
                return
            packet.stream = o
            self.out.mux(packet)
            return
        for frame in packet.decode():
            for rs in resampler.resample(frame):
                self._encode(o, rs)

    def _encode(self, o: Any, frame: Any) -> None:
        done = self._samples.get(o.index, 0)
        frame.pts = done
        frame.time_base = Fraction(1, o.codec_context.sample_rate)
        self._samples[o.index] = done + frame.samples
        for packet in o.encode(frame):
            self.out.mux(packet)


class _AudioReplacer:
    """Every audio track decoded, the override's span spliced in, re-encoded losslessly, interleaved by time."""

    def __init__(self, info: MediaInfo, out: Any, fmt: str, override: AudioOverride) -> None:
        self.out = out
        self._queue: list[Any] = []
        modes = []
        tracks = [(read_audio(info.path, stream=t.index).samples, t.sample_rate) for t in info.audio]
        if not tracks:  # a picture-only clip gets one mono track: silence with the new line in its span
            rate = 48000
            tracks = [(np.zeros((round(info.duration * rate), 1), np.float32), rate)]
        for samples, rate in tracks:
            stream, packets = encode_track(out, splice(samples, rate, override), rate, fmt)
            self._queue.extend(packets)
            modes.append(f"replaced:{stream.codec_context.codec.name}")
        self._queue.sort(key=lambda p: (p.pts or 0) * p.time_base if p.time_base is not None else 0)
        self._next = 0
        self.modes = tuple(modes)

    def mux_until(self, t: Fraction) -> None:
        while self._next < len(self._queue):
            p = self._queue[self._next]
            if p.pts is not None and p.time_base is not None and p.pts * p.time_base > t + Fraction(1, 2):
                return
            self.out.mux(p)
            self._next += 1

    def finish(self) -> None:
        self.mux_until(Fraction(10**9))
