"""Attacks for ``bench/watermark.py``: real re-encodes, crops, scaling, level changes, frame-rate change and
re-wraps, all through PyAV encoders. Only video is carried (detection reads video only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from media import reproducible_options


@dataclass(frozen=True)
class Attack:
    """One attack; ``encoder``/``crf`` apply to the re-encode that every non-rewrap attack ends with."""

    name: str
    encoder: str = "libx264"
    crf: int = 23
    scale: float | None = None
    crop: float | None = None  # fraction of width and of height removed (centre kept)
    gain: float | None = None  # multiply luma (brightness ±20 % → 1.2 / 0.8)
    contrast: float | None = None  # luma → 128 + (luma − 128)·contrast
    fps: Fraction | None = None  # frame-rate conversion by dropping/repeating frames
    rewrap: tuple[str, ...] = field(default_factory=tuple)  # container hops without re-encoding


ATTACKS: list[Attack] = [
    Attack("h264_crf28", crf=28),
    Attack("h264_crf35", crf=35),
    Attack("h265_crf28", encoder="libx265", crf=28),
    Attack("downscale0.5_h264_crf28", scale=0.5, crf=28),
    Attack("crop10_h264_crf23", crop=0.10),
    Attack("crop25_h264_crf23", crop=0.25),
    Attack("brightness+20_h264_crf23", gain=1.2),
    Attack("brightness-20_h264_crf23", gain=0.8),
    Attack("contrast0.8_h264_crf23", contrast=0.8),
    Attack("fps24to25_h264_crf23", fps=Fraction(25)),
    Attack("rewrap_mp4_mov", rewrap=(".mov",)),
    Attack("rewrap_mp4_mov_mp4", rewrap=(".mov", ".mp4")),
]
QUICK_ATTACKS = ["h264_crf28", "downscale0.5_h264_crf28", "crop25_h264_crf23", "fps24to25_h264_crf23"]


def remux(src: Path, dst: Path) -> None:
    """Copy every packet of ``src`` into a new container (format from ``dst``'s extension)."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        mapping = {s: out.add_stream_from_template(s) for s in inp.streams if s.type in ("video", "audio")}
        for pkt in inp.demux(*mapping):
            if pkt.dts is None:
                continue
            pkt.stream = mapping[pkt.stream]
            out.mux(pkt)


def _even(x: float) -> int:
    return max(2, round(x / 2) * 2)


def transform(yuv: np.ndarray, w: int, h: int, a: Attack) -> tuple[np.ndarray, int, int]:
    """Apply crop/scale/levels to a yuv420p ndarray (H·3/2 × W); returns the new array and size."""
    y = yuv[:h].astype(np.float32)
    chroma = yuv[h:].reshape(2, h // 2, w // 2).astype(np.float32)  # U plane then V plane
    u, v = chroma[0], chroma[1]
    if a.gain is not None:
        y = y * a.gain
    if a.contrast is not None:
        y = 128.0 + (y - 128.0) * a.contrast
    if a.crop is not None:
        cw, ch = _even(w * (1 - a.crop)), _even(h * (1 - a.crop))
        x0, y0 = _even((w - cw) / 2), _even((h - ch) / 2)
        cy, cx = slice(y0 // 2, (y0 + ch) // 2), slice(x0 // 2, (x0 + cw) // 2)
        y, u, v = y[y0 : y0 + ch, x0 : x0 + cw], u[cy, cx], v[cy, cx]
        w, h = cw, ch
    if a.scale is not None:
        nw, nh = _even(w * a.scale), _even(h * a.scale)
        y = cv2.resize(y, (nw, nh), interpolation=cv2.INTER_AREA)
        u = cv2.resize(u, (nw // 2, nh // 2), interpolation=cv2.INTER_AREA)
        v = cv2.resize(v, (nw // 2, nh // 2), interpolation=cv2.INTER_AREA)
        w, h = nw, nh
    out = np.concatenate([y.ravel(), u.ravel(), v.ravel()])
    return np.clip(np.rint(out), 0, 255).astype(np.uint8).reshape(h * 3 // 2, w), w, h


def apply(src: Path, dst: Path, a: Attack, max_seconds: float = 2.5) -> Path:
    """Write ``dst``: ``src`` after the attack (first ``max_seconds`` only for re-encodes). Returns the final path."""
    if a.rewrap:
        cur = src
        for i, ext in enumerate(a.rewrap):
            nxt = dst.with_name(f"{dst.stem}.{i}{ext}")
            remux(cur, nxt)
            cur = nxt
        return cur
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin = inp.streams.video[0]
        rate = a.fps or Fraction(vin.average_rate.numerator, vin.average_rate.denominator)
        stream: Any = None
        frames = []
        for frame in inp.decode(vin):
            if frame.time is not None and frame.time >= max_seconds:
                break
            w, h = frame.width // 2 * 2, frame.height // 2 * 2
            arr = frame.reformat(width=w, height=h, format="yuv420p").to_ndarray()
            frames.append(transform(arr, w, h, a))
        src_rate = Fraction(vin.average_rate.numerator, vin.average_rate.denominator)
        n_out = int(len(frames) * rate / src_rate)
        opts = {"crf": str(a.crf), "preset": "fast"}
        if a.encoder == "libx265":
            opts["x265-params"] = "log-level=error"
        for n in range(n_out):
            arr, w, h = frames[min(len(frames) - 1, int(n * src_rate / rate))]
            if stream is None:
                stream = out.add_stream(a.encoder, rate=rate, options=reproducible_options(a.encoder, opts))
                stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
            vf = av.VideoFrame.from_ndarray(arr, format="yuv420p")
            vf.pts = n
            out.mux(stream.encode(vf))
        out.mux(stream.encode(None))
    return dst


def retime(src: Path, dst: Path, fps: int = 24, max_seconds: float = 3.0) -> Path:
    """Re-time a clip to ``fps`` (same frames, new timestamps), near-lossless H.264 (CRF 12), video only."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        stream = out.add_stream("libx264", rate=fps, options={"crf": "12", "preset": "fast"})
        for n, frame in enumerate(inp.decode(video=0)):
            if n >= max_seconds * fps:
                break
            w, h = frame.width // 2 * 2, frame.height // 2 * 2
            if n == 0:
                stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
            vf = av.VideoFrame.from_ndarray(frame.reformat(width=w, height=h, format="yuv420p").to_ndarray(), "yuv420p")
            vf.pts = n
            out.mux(stream.encode(vf))
        out.mux(stream.encode(None))
    return dst
