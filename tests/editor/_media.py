"""Writing small real clips (ProRes/H.264/DNxHR, with audio and timecode) through PyAV for the editor's tests."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from media import reproducible_options


def scene_frame(i: int, width: int, height: int, *, tint: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> np.ndarray:
    """A deterministic test picture: colour gradients, a moving disc and some texture (uint8 RGB)."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    r = 0.15 + 0.7 * xx / width
    g = 0.2 + 0.6 * yy / height
    b = 0.5 + 0.3 * np.sin((xx + yy) / 23.0)
    cx, cy = width * (0.3 + 0.02 * i), height * 0.5
    disc = ((xx - cx) ** 2 + (yy - cy) ** 2) < (min(width, height) * 0.18) ** 2
    rgb = np.stack([r, g, b], axis=-1)
    rgb[disc] = [0.85, 0.6, 0.45]
    rgb *= np.array(tint, dtype=np.float32)
    rng = np.random.default_rng(i)
    rgb += rng.normal(0, 0.01, rgb.shape).astype(np.float32)
    return (np.clip(rgb, 0, 1) * 255).astype(np.uint8)


def write_clip(
    path: Path,
    *,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    width: int = 160,
    height: int = 96,
    frames: int = 12,
    rate: Fraction = Fraction(24000, 1001),
    audio: str | None = "aac",
    timecode: str | None = "01:00:00:00",
    options: dict[str, str] | None = None,
    tint: tuple[float, float, float] = (1.0, 1.0, 1.0),
    metadata: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
    pictures: Sequence[np.ndarray] | None = None,
) -> Path:
    """Write a clip with ``frames`` frames of ``scene_frame`` (or the uint8 RGB ``pictures``, then as many frames as
    there are) plus a 440 Hz tone, BT.709-tagged."""
    if pictures is not None:
        frames, height, width = len(pictures), pictures[0].shape[0], pictures[0].shape[1]
    fmt = "mov" if path.suffix == ".mov" else "mp4"
    out = av.open(str(path), "w", format=fmt, options=container_options or {})
    if timecode:
        out.metadata["timecode"] = timecode
    for k, v in (metadata or {}).items():
        out.metadata[k] = v
    v = out.add_stream(codec, rate=rate, options=reproducible_options(codec, options))
    v.width, v.height, v.pix_fmt = width, height, pix_fmt
    cc = v.codec_context
    cc.color_primaries = cc.color_trc = cc.colorspace = 1
    cc.color_range = 1
    a = None
    if audio:
        a = out.add_stream(audio, rate=48000, layout="stereo")
    for i in range(frames):
        rgb = scene_frame(i, width, height, tint=tint) if pictures is None else pictures[i]
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame = frame.reformat(format=pix_fmt, dst_colorspace="ITU709", dst_color_range="MPEG")
        frame.pts = i
        for p in v.encode(frame):
            out.mux(p)
    for p in v.encode():
        out.mux(p)
    if a is not None:
        n = 1024
        total = int(48000 * frames / rate)
        fmt_name = "fltp" if audio == "aac" else "s16"
        for k, s0 in enumerate(range(0, total, n)):
            t = (np.arange(s0, s0 + n) / 48000.0).astype(np.float32)
            tone = 0.2 * np.sin(2 * np.pi * 440 * t)
            if fmt_name == "fltp":
                af = av.AudioFrame.from_ndarray(
                    np.stack([tone, tone]).astype(np.float32), format="fltp", layout="stereo"
                )
            else:
                pcm = (tone * 32767).astype(np.int16)
                af = av.AudioFrame.from_ndarray(
                    np.stack([pcm, pcm], axis=1).reshape(1, -1), format="s16", layout="stereo"
                )
            af.sample_rate = 48000
            af.pts = k * n
            for p in a.encode(af):
                out.mux(p)
        for p in a.encode():
            out.mux(p)
    out.close()
    return path


def write_y4m_header(path: Path, width: int, height: int, rate: str = "25:1") -> Path:
    """A tiny YUV4MPEG2 file whose header claims ``width``×``height`` (one short, incomplete frame)."""
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F{rate} Ip A1:1 C420jpeg\nFRAME\n".encode() + b"\x80" * 64)
    return path


def decode_audio(path: Path) -> np.ndarray:
    """All samples of the first audio track as float32 in [-1, 1] (channels × samples)."""
    with av.open(str(path)) as c:
        chunks = []
        for f in c.decode(audio=0):
            a = f.to_ndarray()
            scale = 1.0 / (np.iinfo(a.dtype).max + 1) if np.issubdtype(a.dtype, np.integer) else 1.0
            chunks.append(a.astype(np.float32) * np.float32(scale))
    arr = np.concatenate(chunks, axis=1)
    return arr if arr.shape[0] <= 2 else arr.reshape(2, -1)
