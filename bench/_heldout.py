"""Held-out footage for the quality benchmarks: versions of the shared clips the project has never seen.

Each variant is a real file written through PyAV (never copied into the repository; cached under ``--heldout-dir``,
default ``$TMPDIR/cutproof-heldout``):

- ``mirror``   — picture flipped left/right, H.264 CRF 18 (AAC audio);
- ``crop``     — the centre 80 % of the picture scaled back to the full size (a re-frame), H.264 CRF 18;
- ``crf28``    — a careless re-encode: H.264 CRF 28;
- ``prores10`` — ProRes 422 HQ, 10-bit 4:2:2 (``yuv422p10le``) in MOV with 24-bit PCM audio.

Frame-rate variants (``RATE_VARIANTS``, for benches of what is timed in frames): ``rate2x`` — twice the frame rate,
each frame shown twice (25 → 50, 29.97 → 59.94), H.264 CRF 18; ``rate24`` — conformed to 23.976 by showing, at each
new frame's time, the source frame on screen then (a 29.97 take loses one frame in five, a 25 take one in 25), H.264
CRF 18; ``rate2x-flow`` — twice the frame rate with a frame between each two, the first moved halfway along the
optical flow to the second (DIS, ``_halfway``), so that whatever moves moves in half steps as a camera at twice the
rate would see it; the last frame is shown twice, H.264 CRF 18. The sound is the source's, unchanged in time.

Content variants (``CONTENT_VARIANTS``, for benches whose behaviour depends on the picture's content, e.g. the
watermark's level): ``dark`` — a night grade (RGB × 0.22), ProRes 10-bit; ``graded`` — a hard look (contrast
S-curve that crushes blacks and clips highlights, teal shadows, warm highlights), ProRes 10-bit; ``grain`` — film
grain (Gaussian, σ 7 code values, seeded), H.264 CRF 18; ``flat`` — the picture blurred to smooth gradients
(Gaussian σ 1/40 of the width: a wall, a sky), H.264 CRF 18; ``closeup`` — the centre 60 % of the picture, centred
at 40 % of its height, scaled back to the full size (a tighter shot: the faces and eyes 1.67× larger), H.264 CRF
18.

Results on these are reported separately from results on the shared clips themselves (``variant: "shared"``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from media import reproducible_options

FOOTAGE = Path(__file__).resolve().parents[2] / "shared" / "footage"
VARIANTS = ("mirror", "crop", "crf28", "prores10")
CONTENT_VARIANTS = ("dark", "graded", "grain", "flat", "closeup")
RATE_VARIANTS = ("rate2x", "rate24", "rate2x-flow")
DEFAULT_DIR = Path(tempfile.gettempdir()) / "cutproof-heldout"


def _transform(variant: str) -> Callable[[np.ndarray], np.ndarray]:
    if variant == "mirror":
        return lambda a: np.ascontiguousarray(a[:, ::-1])
    if variant in ("crop", "closeup"):
        share, centre = (0.8, 0.5) if variant == "crop" else (0.6, 0.4)

        def crop(a: np.ndarray) -> np.ndarray:
            h, w = a.shape[:2]
            ch, cw = int(h * share) // 2 * 2, int(w * share) // 2 * 2
            y0, x0 = min(h - ch, max(0, round(h * centre - ch / 2))), (w - cw) // 2
            return cv2.resize(a[y0 : y0 + ch, x0 : x0 + cw], (w, h), interpolation=cv2.INTER_CUBIC)

        return crop
    if variant == "dark":
        return lambda a: (a.astype(np.float32) * 0.22).astype(np.uint8)
    if variant == "graded":

        def graded(a: np.ndarray) -> np.ndarray:
            x = a.astype(np.float32) / 255.0
            x = np.clip((x - 0.5) * 1.9 + 0.5, 0.0, 1.0)  # crushed blacks, clipped highlights
            lum = x.mean(-1, keepdims=True)
            x = x + (1 - lum) * np.array([-0.06, 0.02, 0.08]) + lum * np.array([0.08, 0.02, -0.08])
            return (np.clip(x, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)

        return graded
    if variant == "grain":
        rng = np.random.default_rng(18)
        return lambda a: np.clip(a + rng.normal(0.0, 7.0, a.shape[:2])[..., None], 0, 255).astype(np.uint8)
    if variant == "flat":
        return lambda a: cv2.GaussianBlur(a, (0, 0), a.shape[1] / 40)
    return lambda a: a


def _halfway(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The picture halfway from ``a`` to ``b`` (uint8 RGB): ``a`` moved half its optical flow toward ``b``."""
    ga, gb = (cv2.cvtColor(x, cv2.COLOR_RGB2GRAY) for x in (a, b))
    flow = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM).calc(ga, gb, None)  # a(x) ≈ b(x + flow)
    h, w = ga.shape
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(a, xs - 0.5 * flow[..., 0], ys - 0.5 * flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)  # fmt: skip


def _new_rate(variant: str, rate: Fraction) -> Fraction:
    if variant in ("rate2x", "rate2x-flow"):
        return rate * 2
    if variant == "rate24":
        return Fraction(24000, 1001)
    return rate


def _encoder(variant: str) -> tuple[str, str, str, dict[str, str], str]:
    """(container suffix, codec, pix_fmt, options, audio codec)."""
    if variant in ("prores10", "dark", "graded"):
        return ".mov", "prores_ks", "yuv422p10le", {"profile": "3"}, "pcm_s24le"
    crf = "28" if variant == "crf28" else "18"
    return ".mp4", "libx264", "yuv420p", {"crf": crf, "preset": "veryfast"}, "aac"


def make_variant(src: Path, variant: str, out_dir: Path = DEFAULT_DIR) -> Path:
    """Write (once; cached by name) the ``variant`` of ``src`` and return its path."""
    known = VARIANTS + CONTENT_VARIANTS + RATE_VARIANTS
    if variant not in known:
        raise ValueError(f"unknown variant {variant!r}; one of {', '.join(known)}")
    suffix, codec, pix_fmt, options, acodec = _encoder(variant)
    dst = Path(out_dir) / f"{Path(src).stem}.{variant}{suffix}"
    if dst.is_file():
        return dst
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.partial{suffix}")
    fn = _transform(variant)
    with av.open(str(src)) as inp, av.open(str(tmp), "w") as out:
        vin = inp.streams.video[0]
        src_rate = vin.average_rate or Fraction(25)
        rate = _new_rate(variant, src_rate)
        w, h = vin.codec_context.width // 2 * 2, vin.codec_context.height // 2 * 2
        vs = out.add_stream(codec, rate=rate, options=reproducible_options(codec, options))
        vs.width, vs.height, vs.pix_fmt = w, h, pix_fmt
        cc = vs.codec_context
        cc.color_primaries = cc.color_trc = cc.colorspace = 1
        ain = inp.streams.audio[0] if inp.streams.audio else None
        aout = None
        if ain is not None:
            aout = out.add_stream(acodec, rate=ain.codec_context.sample_rate, layout="mono")
        resampler = av.AudioResampler(format="s32" if acodec == "pcm_s24le" else "fltp", layout="mono")
        n = k = 0
        prev: np.ndarray | None = None

        def put(rgb: np.ndarray) -> None:
            nonlocal n
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            vf = vf.reformat(format=pix_fmt, dst_colorspace="ITU709", dst_color_range="MPEG")
            vf.pts, vf.time_base = n, 1 / Fraction(rate)
            n += 1
            for p in vs.encode(vf):
                out.mux(p)

        for packet in inp.demux([s for s in (vin, ain) if s is not None]):
            for frame in packet.decode():
                if packet.stream is vin:
                    rgb = fn(frame.to_ndarray(format="rgb24")[:h, :w])
                    k += 1  # source frames read; output frame n shows the source frame on screen at its time
                    if variant == "rate2x-flow":
                        if prev is not None:
                            put(_halfway(prev, rgb))
                        put(rgb)
                        prev = rgb
                        continue
                    while Fraction(n) / rate < Fraction(k) / src_rate:
                        put(rgb)
                elif aout is not None:
                    frame.pts = None
                    for rf in resampler.resample(frame):
                        for p in aout.encode(rf):
                            out.mux(p)
        if prev is not None:  # rate2x-flow: the last frame twice, as many frames as rate2x
            put(prev)
        for p in vs.encode():
            out.mux(p)
        if aout is not None:
            for rf in resampler.resample(None):
                for p in aout.encode(rf):
                    out.mux(p)
            for p in aout.encode():
                out.mux(p)
    os.replace(tmp, dst)
    return dst


def clip_set(names: list[str], variants: tuple[str, ...], out_dir: Path = DEFAULT_DIR) -> list[tuple[str, str, Path]]:
    """``(name, variant, path)`` for every shared clip name: the shared clip itself, then each held-out variant."""
    out = []
    for name in names:
        src = FOOTAGE / name
        out.append((name, "shared", src))
        out.extend((name, v, make_variant(src, v, out_dir)) for v in variants)
    return out


def write_h264(frames: list[np.ndarray], path: Path, crf: int, rate: Fraction = Fraction(25)) -> Path:
    """``frames`` (uint8 RGB) written to ``path`` with H.264 (``libx264``) at ``crf`` and ``rate``, as they are: a
    copy of a take an editor might make (no audio, no re-framing)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=rate, options=reproducible_options("libx264", {"crf": str(crf)}))
        stream.width, stream.height, stream.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        for f in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        out.mux(stream.encode())
    return path
