"""Audio helpers for the audio watermark tests: real decoding and re-encoding through PyAV (no mocks)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

from media import reproducible_options


def decode_audio(src: Path | BinaryIO) -> tuple[np.ndarray, int]:
    """First audio stream (of a file, or of an in-memory one) as float planar samples (channels × n) and its rate."""
    with av.open(str(src) if isinstance(src, Path) else src) as c:
        s = c.streams.audio[0]
        rs = av.AudioResampler(format="fltp", layout=s.codec_context.layout.name, rate=s.codec_context.sample_rate)
        parts = [g.to_ndarray() for f in c.decode(s) for g in rs.resample(f)]
        parts += [g.to_ndarray() for g in rs.resample(None)]
        return np.concatenate(parts, axis=1).astype(np.float64), s.codec_context.sample_rate


def encode_audio(
    samples: np.ndarray,
    rate: int,
    dst: Path | BinaryIO,
    *,
    codec: str = "aac",
    bit_rate: int = 128_000,
    container: str | None = None,
) -> Path | BinaryIO:
    """Encode planar float samples into an audio-only file (container from the suffix), or into a buffer
    (``container`` names the format)."""
    layout = "mono" if samples.shape[0] == 1 else "stereo"
    with av.open(str(dst) if isinstance(dst, Path) else dst, "w", format=container) as out:
        st = out.add_stream(codec, rate=rate)
        st.layout, st.bit_rate = layout, bit_rate
        for i in range(0, samples.shape[1], 1024):
            f = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples[:, i : i + 1024], dtype=np.float32), format="fltp", layout=layout
            )
            f.sample_rate, f.pts, f.time_base = rate, i, Fraction(1, rate)
            out.mux(st.encode(f))
        out.mux(st.encode(None))
    return dst


def speech_render(src: Path, dst: Path, *, seconds: float = 2.0) -> Path:
    """An MP4 render (H.264 CRF 18 + AAC 192 kb/s) of the pictures and dialogue of a real clip."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin, ain = inp.streams.video[0], inp.streams.audio[0]
        rate = Fraction(vin.average_rate.numerator, vin.average_rate.denominator)
        vs = out.add_stream(
            "libx264", rate=rate, options=reproducible_options("libx264", {"crf": "18", "preset": "fast"})
        )
        vs.width, vs.height, vs.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        sr = ain.codec_context.sample_rate
        aus = out.add_stream("aac", rate=sr)
        aus.layout, aus.bit_rate = ain.codec_context.layout.name, 192_000
        for n, f in enumerate(inp.decode(vin)):
            if n >= seconds * rate:
                break
            f = f.reformat(format="yuv420p")
            f.pts, f.time_base = n, 1 / rate
            out.mux(vs.encode(f))
        out.mux(vs.encode(None))
    samples, sr = decode_audio(src)
    return _mux_audio(dst, samples[:, : int(seconds * sr)], sr)


def _mux_audio(video: Path, samples: np.ndarray, rate: int, bit_rate: int = 192_000) -> Path:
    """Rewrite ``video`` with ``samples`` as its AAC track."""
    tmp = video.with_name(video.stem + ".a" + video.suffix)
    layout = "mono" if samples.shape[0] == 1 else "stereo"
    with av.open(str(video)) as inp, av.open(str(tmp), "w") as out:
        vout = out.add_stream_from_template(inp.streams.video[0])
        aus = out.add_stream("aac", rate=rate)
        aus.layout, aus.bit_rate = layout, bit_rate
        for p in inp.demux(inp.streams.video[0]):
            if p.dts is not None:
                p.stream = vout
                out.mux(p)
        for i in range(0, samples.shape[1], 1024):
            f = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples[:, i : i + 1024], dtype=np.float32), format="fltp", layout=layout
            )
            f.sample_rate, f.pts, f.time_base = rate, i, Fraction(1, rate)
            out.mux(aus.encode(f))
        out.mux(aus.encode(None))
    tmp.replace(video)
    return video


def swap_pictures(pictures: Path, sound: Path, dst: Path) -> Path:
    """The video packets of ``pictures`` with the dialogue of ``sound`` re-encoded as AAC 128 kb/s (no metadata)."""
    samples, rate = decode_audio(sound)
    tmp = dst.with_name(dst.stem + ".v" + dst.suffix)
    with av.open(str(pictures)) as inp, av.open(str(tmp), "w") as out:
        vout = out.add_stream_from_template(inp.streams.video[0])
        for p in inp.demux(inp.streams.video[0]):
            if p.dts is not None:
                p.stream = vout
                out.mux(p)
    _mux_audio(tmp, samples, rate, 128_000)
    tmp.replace(dst)
    return dst
