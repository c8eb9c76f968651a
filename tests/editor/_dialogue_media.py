"""Helpers for the dialogue tests and bench: WAV lines cut from the footage's own sync sound."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from media import probe, read_audio, reproducible_options, resample


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    """Write mono float samples in [-1, 1] as a 16-bit PCM WAV."""
    pcm = np.clip(np.rint(np.asarray(samples, np.float64) * 32767.0), -32768, 32767).astype(np.int16)
    out = av.open(str(path), "w", format="wav")
    stream = out.add_stream("pcm_s16le", rate=rate, layout="mono")
    frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
    frame.sample_rate = rate
    frame.pts = 0
    for p in stream.encode(frame):
        out.mux(p)
    for p in stream.encode(None):
        out.mux(p)
    out.close()
    return path


def line_from(
    clip: Path, path: Path, *, start_s: float = 0.0, seconds: float, rate: int = 48000, delay_s: float = 0.0
) -> Path:
    """A WAV of ``seconds`` of ``clip``'s sync sound from ``start_s``, at ``rate``, optionally delayed by
    ``delay_s`` of silence (the total length stays ``seconds``)."""
    audio = read_audio(clip)
    x = resample(audio.mono(), audio.rate, rate)
    x = x[int(start_s * rate) :]
    if delay_s:
        x = np.concatenate([np.zeros(int(delay_s * rate), np.float32), x])
    n = round(seconds * rate)
    x = x[:n]
    if len(x) < n:
        x = np.concatenate([x, np.zeros(n - len(x), np.float32)])
    return write_wav(path, x, rate)


def rewrite_clip(src: Path, dst: Path, *, repeat: int = 1, mirror: bool = False) -> Path:
    """``src`` written again as H.264 (CRF 16) with PCM sound in MOV, its sound as it was: each frame shown
    ``repeat`` times at ``repeat`` times the rate, and mirrored left to right (an editor's flop) with ``mirror``."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        vin, ain = inp.streams.video[0], inp.streams.audio[0]
        rate = probe(src).frame_rate * repeat
        vs = out.add_stream("libx264", rate=rate, options=reproducible_options("libx264", {"crf": "16"}))
        vs.width, vs.height, vs.pix_fmt = vin.codec_context.width, vin.codec_context.height, "yuv420p"
        aout = out.add_stream("pcm_s16le", rate=ain.codec_context.sample_rate, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono")
        n = 0
        for packet in inp.demux(vin, ain):
            for frame in packet.decode():
                if packet.stream is vin:
                    rgb = frame.to_ndarray(format="rgb24")
                    rgb = np.ascontiguousarray(rgb[:, ::-1]) if mirror else rgb
                    for _ in range(repeat):
                        vf = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
                        vf.pts, vf.time_base = n, 1 / rate
                        n += 1
                        out.mux(vs.encode(vf))
                else:
                    frame.pts = None
                    for rf in resampler.resample(frame):
                        out.mux(aout.encode(rf))
        out.mux(vs.encode())
        out.mux(aout.encode())
    return dst
