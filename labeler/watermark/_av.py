"""PyAV adapter: opening inputs, luma access, encoder choice and muxing — PyAV's errors become ours here."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from labeler.watermark._types import Array
from labeler.watermark.errors import UnreadableVideoError, VideoWriteError

# Planar YUV formats whose Y plane is marked in place; others are converted to yuv420p first.
PLANAR_MAX: dict[str, int] = {
    "yuv420p": 255, "yuvj420p": 255, "yuv422p": 255, "yuvj422p": 255, "yuv444p": 255, "yuvj444p": 255,
    "gray": 255, "yuv420p10le": 1023, "yuv422p10le": 1023, "yuv444p10le": 1023, "yuv420p12le": 4095,
    "yuv422p12le": 4095, "yuv444p12le": 4095,
}  # fmt: skip
COLOR_ATTRS = ("color_primaries", "color_trc", "colorspace", "color_range")
# Source codec family → (encoder, options). Anything else (MPEG-1, FLV/VP6, MPEG-4 part 2, ...) → H.264.
ENCODERS: dict[str, tuple[str, dict[str, str]]] = {
    "h264": ("libx264", {"crf": "16", "preset": "fast"}),
    "hevc": ("libx265", {"crf": "18", "preset": "fast", "x265-params": "log-level=error"}),
    "prores": ("prores_ks", {"profile": "3"}),
    "vp9": ("libvpx-vp9", {"crf": "20", "b": "0", "row-mt": "1"}),
}
FALLBACK = "h264"
_ENCODER_PIX = {
    "libx264": {"yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le", "yuv444p10le"},
    "libx265": {"yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le", "yuv444p10le"},
    "prores_ks": {"yuv422p10le", "yuv444p10le"},
    "libvpx-vp9": {"yuv420p", "yuv422p", "yuv444p", "yuv420p10le"},
}


@contextmanager
def open_input(path: str | Path) -> Iterator[Any]:
    """Open a media file for reading; it must have a video stream.

    Raises:
        UnreadableVideoError: missing, unreadable, not a media file, or without video.
    """
    p = Path(path)
    if not p.is_file():
        raise UnreadableVideoError(f"{p}: no such file")
    try:
        container = av.open(str(p), mode="r")
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise UnreadableVideoError(f"{p}: not a readable video file ({exc})") from exc
    try:
        if not container.streams.video:
            raise UnreadableVideoError(f"{p}: the file has no video stream")
        yield container
    finally:
        container.close()


def luma(frame: Any) -> tuple[Array, int]:
    """Read-only Y plane of a decoded frame (H×W, uint8 or uint16) and its maximum code value."""
    fmt = frame.format.name
    if fmt not in PLANAR_MAX:
        frame, fmt = frame.reformat(format="gray"), "gray"
    return _plane(frame, 0), PLANAR_MAX[fmt]


def _plane(frame: Any, i: int) -> Array:
    p = frame.planes[i]
    dtype = np.uint16 if PLANAR_MAX.get(frame.format.name, 255) > 255 else np.uint8
    arr = np.frombuffer(p, dtype=dtype)
    return arr.reshape(p.height, p.line_size // arr.itemsize)[:, : p.width]


def writable_copy(frame: Any) -> tuple[Any, Array, int]:
    """A new frame (planar YUV) with the pixels, timing and colour tags of ``frame``; plus its writable Y plane.

    Decoded frames may be the decoder's reference pictures, so they are never modified in place.
    """
    src = frame if frame.format.name in PLANAR_MAX and frame.format.name != "gray" else frame.reformat(format="yuv420p")
    fmt = src.format.name.replace("yuvj", "yuv")  # same layout; the full range is kept as a colour tag instead
    out = av.VideoFrame(src.width, src.height, fmt)
    for i in range(len(src.planes)):
        _plane(out, i)[...] = _plane(src, i)
    out.pts, out.time_base = frame.pts, frame.time_base
    for attr in COLOR_ATTRS:
        with contextlib.suppress(AttributeError, ValueError, TypeError):
            setattr(out, attr, getattr(frame, attr))
    if src.format.name.startswith("yuvj"):
        out.color_range = 2  # JPEG / full range
    return out, _plane(out, 0), PLANAR_MAX[fmt]


def timecode(container: Any) -> str | None:
    """The source's start timecode (``HH:MM:SS:FF``) from container, video or data stream metadata, if any."""
    for meta in [container.metadata, *(s.metadata for s in container.streams)]:
        tc = meta.get("timecode")
        if tc:
            return str(tc)
    return None


def choose_encoder(src_codec: str, output: Any) -> tuple[str, dict[str, str]]:
    """Encoder for the output: the source's codec family where PyAV writes it into this container, else H.264."""
    name, opts = ENCODERS.get(src_codec, ENCODERS[FALLBACK])
    family = {"libx264": "h264", "libx265": "hevc", "prores_ks": "prores", "libvpx-vp9": "vp9"}[name]
    if family not in output.supported_codecs:
        name, opts = ENCODERS[FALLBACK]
    return name, dict(opts)


def encoder_pix_fmt(encoder: str, src_fmt: str) -> str:
    """The source pixel format where the encoder takes it, else the nearest one it does."""
    allowed = _ENCODER_PIX[encoder]
    plain = src_fmt.replace("yuvj", "yuv")
    if plain in allowed:
        return plain
    if encoder == "prores_ks":
        return "yuv444p10le" if "444" in plain else "yuv422p10le"
    return "yuv420p10le" if plain.endswith(("10le", "12le")) and "yuv420p10le" in allowed else "yuv420p"


def frame_rate(stream: Any) -> Fraction:
    """The stream's frame rate as a fraction (average, else guessed, else 25)."""
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if rate:
            return Fraction(rate.numerator, rate.denominator)
    return Fraction(25)


def write_error(dst: Path, exc: BaseException) -> VideoWriteError:
    """Our error for a failure while encoding or writing ``dst``."""
    return VideoWriteError(f"could not write {dst}: {exc}")
