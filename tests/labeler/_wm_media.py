"""Media helpers for the watermark tests: real clips re-encoded through PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from media import reproducible_options


def reencode(
    src: Path, dst: Path, *, crf: int = 28, encoder: str = "libx264", seconds: float = 2.5, scale: float = 1.0
) -> Path:
    """Re-encode the video of ``src`` (first ``seconds``) at ``crf``, optionally rescaled by ``scale`` (area
    interpolation, even size) — a real distribution-style attack."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin = inp.streams.video[0]
        rate = Fraction(vin.average_rate.numerator, vin.average_rate.denominator)
        st = out.add_stream(
            encoder, rate=rate, options=reproducible_options(encoder, {"crf": str(crf), "preset": "fast"})
        )
        w, h = (round(vin.codec_context.width * scale / 2) * 2, round(vin.codec_context.height * scale / 2) * 2)
        st.width, st.height, st.pix_fmt = w, h, "yuv420p"
        for n, f in enumerate(inp.decode(vin)):
            if f.time is not None and f.time >= seconds:
                break
            f = f.reformat(width=w, height=h, format="yuv420p", interpolation="AREA")
            f.pts, f.time_base = n, 1 / rate
            out.mux(st.encode(f))
        out.mux(st.encode(None))
    return dst


def tagged_source(src: Path, dst: Path, *, seconds: float = 1.6) -> Path:
    """A MOV like a camera original: H.264 with BT.709 colour tags and limited range, a start timecode, and an
    AAC audio track (a 440 Hz tone), made from the first ``seconds`` of a real clip."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin = inp.streams.video[0]
        rate = Fraction(25)
        vs = out.add_stream(
            "libx264", rate=rate, options=reproducible_options("libx264", {"crf": "18", "preset": "fast"})
        )
        vs.width, vs.height, vs.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        cc = vs.codec_context
        cc.color_primaries, cc.color_trc, cc.colorspace, cc.color_range = 1, 1, 1, 1
        vs.metadata["timecode"] = "10:00:00:00"
        aus = out.add_stream("aac", rate=48000)
        aus.layout = "stereo"
        n_frames = int(seconds * rate)
        for n, f in enumerate(inp.decode(vin)):
            if n >= n_frames:
                break
            f = f.reformat(format="yuv420p")
            f.pts, f.time_base = n, Fraction(1, 25)
            f.color_primaries, f.color_trc, f.colorspace, f.color_range = 1, 1, 1, 1
            out.mux(vs.encode(f))
        out.mux(vs.encode(None))
        t = np.arange(int(48000 * seconds)) / 48000
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for i in range(0, tone.size, 1024):
            chunk = np.stack([tone[i : i + 1024]] * 2)
            af = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp", layout="stereo")
            af.sample_rate, af.pts = 48000, i
            out.mux(aus.encode(af))
        out.mux(aus.encode(None))
    return dst


def audio_packets(path: Path) -> list[bytes]:
    """Payload bytes of every audio packet, in order."""
    with av.open(str(path)) as c:
        return [bytes(p) for p in c.demux(c.streams.audio[0]) if p.size]


def prores_source(src: Path, dst: Path, *, frames: int = 20) -> Path:
    """A 10-bit 4:2:2 ProRes MOV (prores_ks) made from the first ``frames`` frames of a real clip."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin = inp.streams.video[0]
        st = out.add_stream("prores_ks", rate=25)
        st.width, st.height, st.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv422p10le"
        for n, f in enumerate(inp.decode(vin)):
            if n >= frames:
                break
            g = f.reformat(format="yuv422p10le")
            g.pts, g.time_base = n, Fraction(1, 25)
            out.mux(st.encode(g))
        out.mux(st.encode(None))
    return dst
