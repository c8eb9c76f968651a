"""Whole-file embedding and detection through PyAV: decode → mark Y → encode, audio and tags preserved."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from labeler.watermark import _av
from labeler.watermark._codec import check_key
from labeler.watermark._detect import Accumulator
from labeler.watermark._embed import DEFAULT_STRENGTH, FrameEmbedder
from labeler.watermark._pattern import ALGORITHM_ID
from labeler.watermark.errors import InvalidKeyError, UnreadableVideoError, VideoWriteError

DEFAULT_MAX_SECONDS = Fraction(5)
_FORMATS = {".mp4": "mp4", ".m4v": "mp4", ".mov": "mov", ".mkv": "matroska"}


@dataclass(frozen=True, slots=True)
class EmbedReport:
    """What ``embed_video`` did: output, encoder, frames, quality (PSNR of luma, before encoding) and speed.

    ``ms_per_frame`` is wall-clock time of the marking step per frame (copy + pattern + add; decoding and encoding
    excluded); ``cpu_ms_per_frame`` is the process CPU time it used (all threads), which contention does not inflate.
    """

    output: Path
    key: int
    algorithm: str
    frames: int
    psnr_y: float
    ms_per_frame: float
    cpu_ms_per_frame: float
    encoder: str
    width: int
    height: int
    frame_rate: Fraction
    audio: tuple[str, ...]
    timecode: str | None
    audio_marks: tuple[Any, ...] = ()  # labeler.audio_watermark.TrackReport per marked track (mark_audio=True)

    @property
    def key_hex(self) -> str:
        """The key as 16 lower-case hex digits."""
        return f"{self.key:016x}"


@dataclass(frozen=True, slots=True)
class Detection:
    """Result of ``detect_video``: the key (or ``None``) and the evidence behind it."""

    key: int | None
    confidence: float
    frames_used: int
    bit_errors_corrected: int | None
    sync_score: float
    scale: float
    seconds_used: Fraction
    algorithm: str = ALGORITHM_ID

    @property
    def key_hex(self) -> str | None:
        """The key as 16 lower-case hex digits, or ``None``."""
        return None if self.key is None else f"{self.key:016x}"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary (``key`` as 16 hex digits or null)."""
        return {
            "key": self.key_hex,
            "confidence": round(self.confidence, 4),
            "frames_used": self.frames_used,
            "bit_errors_corrected": self.bit_errors_corrected,
            "sync_score": round(self.sync_score, 2),
            "scale": round(self.scale, 4),
            "seconds_used": float(self.seconds_used),
            "algorithm": self.algorithm,
        }


def parse_key(text: str) -> int:
    """Parse a key given as exactly 16 hex digits (an optional ``0x`` prefix is accepted).

    Raises:
        InvalidKeyError: not 16 hexadecimal digits.
    """
    t = text.strip().lower().removeprefix("0x")
    if len(t) != 16 or any(c not in "0123456789abcdef" for c in t):
        raise InvalidKeyError(f"watermark key must be 16 hex digits (64 bits), got {text!r}")
    return int(t, 16)


def embed_video(
    src: str | Path, dst: str | Path, key: int, *, strength: float = DEFAULT_STRENGTH, mark_audio: bool = False
) -> EmbedReport:
    """Mark every frame of ``src`` with ``key`` and write ``dst`` (MP4, MOV or MKV, chosen by extension).

    The video is re-encoded in the source's codec family where PyAV can write it (H.264 → libx264 CRF 16,
    H.265 → libx265, ProRes → prores_ks, VP9 → libvpx-vp9; anything else → H.264); audio packets are copied
    unchanged where the container takes their codec, else transcoded to AAC; timecode, colour tags and frame
    timing are kept. The output is written to a temporary file renamed only on success.

    With ``mark_audio`` the first audio track is instead decoded, marked with the same key by the audio watermark
    (``labeler.audio_watermark``, ``cutproof-awm/1``) and re-encoded in the same pass, in the source's codec
    family, sample rate and channel layout; other audio tracks are handled as above. No audio track: nothing to
    mark, and ``audio_marks`` is empty.

    Raises:
        InvalidKeyError: ``key`` is not in [0, 2^64).
        UnreadableVideoError: ``src`` is missing, not a video, truncated or undecodable.
        VideoWriteError: ``dst`` has an unsupported extension, is ``src``, or encoding/writing failed.
    """
    try:
        check_key(key)
    except ValueError as exc:
        raise InvalidKeyError(str(exc)) from exc
    src_p, dst_p = Path(src), Path(dst)
    fmt = _FORMATS.get(dst_p.suffix.lower())
    if fmt is None:
        raise VideoWriteError(f"{dst_p}: output must end in one of {', '.join(sorted(_FORMATS))}")
    if dst_p.exists() and src_p.exists() and dst_p.resolve() == src_p.resolve():
        raise VideoWriteError(f"{dst_p}: output must not overwrite the input")
    if not dst_p.parent.is_dir():
        raise VideoWriteError(f"{dst_p.parent}: output directory does not exist")
    embedder = FrameEmbedder(key, strength)
    tmp = dst_p.with_name(f".{dst_p.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with _av.open_input(src_p) as inp:
            report = _transcode(inp, src_p, tmp, fmt, embedder, key if mark_audio else None)
        os.replace(tmp, dst_p)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    return EmbedReport(output=dst_p, key=key, **report)


def _transcode(
    inp: Any, src: Path, tmp: Path, fmt: str, embedder: FrameEmbedder, audio_key: int | None
) -> dict[str, Any]:
    vin = inp.streams.video[0]
    vin.thread_type = "AUTO"
    try:
        out = av.open(str(tmp), mode="w", format=fmt)
    except (av.error.FFmpegError, OSError) as exc:
        raise _av.write_error(tmp, exc) from exc
    try:
        vout, encoder, pix_fmt = _video_stream(inp, vin, out)
        markers = _audio_markers(inp, out, audio_key)
        audio_map, audio_desc = _audio_streams(inp, out, next(iter(markers), None))
        frames, sq_err, embed_s, embed_cpu = 0, 0.0, 0.0, 0.0
        first_t: Fraction | None = None
        last_t = Fraction(0)
        streams = [vin, *markers, *audio_map]
        for packet in inp.demux(*streams):
            if packet.stream is vin:
                for frame in _decode(packet, src):
                    t0, c0 = time.perf_counter(), time.process_time()
                    marked, y, max_value = _av.writable_copy(frame)
                    orig = y.copy()
                    y[...] = embedder.embed(orig, max_value)
                    embed_s += time.perf_counter() - t0
                    embed_cpu += time.process_time() - c0
                    sq_err += float(np.mean(np.square((y.astype(np.float32) - orig) * (255.0 / max_value))))
                    if marked.format.name != pix_fmt:
                        marked = marked.reformat(format=pix_fmt)
                    _mux(out, vout.encode(marked), tmp)
                    frames += 1
                    if frame.pts is not None:
                        last_t = Fraction(frame.pts) * frame.time_base
                        first_t = last_t if first_t is None else first_t
            elif packet.stream in markers:
                _mux(out, markers[packet.stream].feed(_decode(packet, src)), tmp)
            else:
                _audio_packet(packet, audio_map[packet.stream], out, src, tmp)
        _mux(out, vout.encode(None), tmp)
        for target, transcode in audio_map.values():
            if transcode:
                _mux(out, target.encode(None), tmp)
        for marker in markers.values():
            _mux(out, marker.flush(), tmp)
        span = last_t - first_t + 1 / _av.frame_rate(vin) if first_t is not None else None
        _check_complete(inp, vin, frames, span, src)
    except (av.error.FFmpegError, ValueError) as exc:
        raise _av.write_error(tmp, exc) from exc
    finally:
        out.close()
    mse = sq_err / max(frames, 1)
    return {
        "algorithm": ALGORITHM_ID,
        "frames": frames,
        "psnr_y": float("inf") if mse == 0 else 10.0 * float(np.log10(255.0**2 / mse)),
        "ms_per_frame": 1000.0 * embed_s / max(frames, 1),
        "cpu_ms_per_frame": 1000.0 * embed_cpu / max(frames, 1),
        "encoder": encoder,
        "width": vin.codec_context.width,
        "height": vin.codec_context.height,
        "frame_rate": _av.frame_rate(vin),
        "audio": tuple(
            markers[a].report().describe() if a in markers else d
            for a, d in zip(inp.streams.audio, audio_desc, strict=True)
        ),
        "timecode": _av.timecode(inp),
        "audio_marks": tuple(m.report() for m in markers.values()),
    }


def _video_stream(inp: Any, vin: Any, out: Any) -> tuple[Any, str, str]:
    cc = vin.codec_context
    encoder, opts = _av.choose_encoder(cc.name, out)
    pix_fmt = _av.encoder_pix_fmt(encoder, cc.pix_fmt or "yuv420p")
    vout = out.add_stream(encoder, rate=_av.frame_rate(vin), options=opts)
    vout.width, vout.height, vout.pix_fmt = cc.width, cc.height, pix_fmt
    vout.time_base = vin.time_base
    for attr in _av.COLOR_ATTRS:
        with contextlib.suppress(AttributeError, ValueError, TypeError):
            setattr(vout.codec_context, attr, getattr(cc, attr))
    if (cc.pix_fmt or "").startswith("yuvj"):
        vout.codec_context.color_range = 2
    if cc.sample_aspect_ratio:
        vout.codec_context.sample_aspect_ratio = cc.sample_aspect_ratio
    tc = _av.timecode(inp)
    if tc:
        vout.metadata["timecode"] = tc
    return vout, encoder, pix_fmt


def _audio_markers(inp: Any, out: Any, key: int | None) -> dict[Any, Any]:
    """The first audio stream → its ``TrackMarker`` (marked with ``key``), or nothing without a key or audio."""
    if key is None or not inp.streams.audio:
        return {}
    from labeler.audio_watermark import TrackMarker  # imported here: that package imports our payload codec

    ain = inp.streams.audio[0]
    return {ain: TrackMarker(ain, out, key)}


def _audio_streams(inp: Any, out: Any, skip: Any = None) -> tuple[dict[Any, tuple[Any, bool]], list[str]]:
    mapping: dict[Any, tuple[Any, bool]] = {}
    desc: list[str] = []
    for ain in inp.streams.audio:
        if ain is skip:
            desc.append("")
            continue
        name = ain.codec_context.name
        if name in out.supported_codecs:
            mapping[ain] = (out.add_stream_from_template(ain), False)
            desc.append(f"{name} (copied)")
        else:
            aout = out.add_stream("aac", rate=ain.codec_context.sample_rate or 48000)
            if ain.codec_context.layout:
                aout.layout = ain.codec_context.layout
            mapping[ain] = (aout, True)
            desc.append(f"{name} → aac (transcoded)")
    return mapping, desc


def _audio_packet(packet: Any, target: tuple[Any, bool], out: Any, src: Path, tmp: Path) -> None:
    stream, transcode = target
    if not transcode:
        if packet.dts is None:
            return
        packet.stream = stream
        _mux(out, [packet], tmp)
        return
    for frame in _decode(packet, src):
        frame.pts = None
        _mux(out, stream.encode(frame), tmp)


def _decode(packet: Any, src: Path) -> list[Any]:
    try:
        return list(packet.decode())
    except av.error.FFmpegError as exc:
        raise UnreadableVideoError(f"{src}: the file is damaged or truncated ({exc})") from exc


def _mux(out: Any, packets: Any, tmp: Path) -> None:
    try:
        out.mux(packets)
    except (av.error.FFmpegError, ValueError) as exc:
        raise VideoWriteError(f"could not write the marked video: {exc}") from exc


def _check_complete(inp: Any, vin: Any, frames: int, span: Fraction | None, src: Path) -> None:
    """Refuse output from a damaged source: no frames, fewer frames than indexed, or a shorter span than declared."""
    if frames == 0:
        raise UnreadableVideoError(f"{src}: no decodable video frames (the file is empty or damaged)")
    expected = vin.frames or 0
    if expected and frames < 0.9 * expected:
        raise UnreadableVideoError(f"{src}: truncated: decoded {frames} of {expected} frames")
    declared = Fraction(inp.duration, 1_000_000) if inp.duration else None
    if declared and span is not None and declared - span > max(Fraction(1, 2), declared / 10):
        raise UnreadableVideoError(
            f"{src}: truncated: decoded {float(span):.2f} s of video, the file declares {float(declared):.2f} s"
        )


def detect_video(path: str | Path, *, max_seconds: float | Fraction = DEFAULT_MAX_SECONDS) -> Detection:
    """Look for a ``cutproof-wm/2`` (or ``/1``) key in the first ``max_seconds`` of any video PyAV can open.

    Evidence is aggregated over all frames decoded (soft decisions), then scale and shift are searched and the
    codeword decoded (BCH + CRC); ``key`` is ``None`` when nothing decodes.

    Raises:
        UnreadableVideoError: missing, not a video, or no frame could be decoded.
        ValueError: ``max_seconds`` is not positive.
    """
    limit = Fraction(max_seconds).limit_denominator(1000)
    if limit <= 0:
        raise ValueError(f"max_seconds must be positive, got {max_seconds}")
    p = Path(path)
    acc = Accumulator()
    used = Fraction(0)
    with _av.open_input(p) as inp:
        vin = inp.streams.video[0]
        vin.thread_type = "AUTO"
        rate = _av.frame_rate(vin)
        start: Fraction | None = None
        try:
            for frame in inp.decode(vin):
                t = Fraction(frame.pts) * frame.time_base if frame.pts is not None else acc.frames / rate
                start = t if start is None else start
                if t - start >= limit:
                    break
                y, max_value = _av.luma(frame)
                acc.add(y, 255.0 / max_value)
                used = t - start + 1 / rate
        except av.error.FFmpegError as exc:
            if acc.frames == 0:
                raise UnreadableVideoError(f"{p}: no decodable video frames ({exc})") from exc
    if acc.frames == 0:
        raise UnreadableVideoError(f"{p}: no decodable video frames (the file is empty or damaged)")
    r = acc.result()
    return Detection(r.key, r.confidence, r.frames_used, r.bit_errors_corrected, r.sync_score, r.scale, used)
