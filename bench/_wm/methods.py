"""The methods ``bench/watermark.py`` compares: ours (``cutproof-wm/2``, optionally at today's fixed level) and
invisible-watermark's peers (dwtDctSvd, rivaGan), each with ``embed`` (mark a clip; PSNR and ms per frame) and
``detect`` (exact recovery, bit accuracy, wrong key, extra figures), and the luma PSNR helpers they use."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
from _peers.wm_fixed_level import FixedLevelEmbedder

import labeler.watermark._embed as _embed_mod
import labeler.watermark._video as _video_mod
from labeler._payload import BCH_T, CODE_BITS
from labeler.watermark import embed_frame, embed_video
from labeler.watermark._detect import Accumulator
from labeler.watermark._pattern import ALGORITHM_ID
from media import iter_luma, plan_encode, probe, render

from . import speed as _speed

DETECT_SECONDS = 2.0
KEY = 0x5CA1AB1E0DDBA11


@contextmanager
def _fixed_level(on: bool) -> Iterator[None]:
    """While ``on``: every embedder the product builds (files, frames, the speed bench) is today's fixed level."""
    if not on:
        yield
        return
    mods = (_video_mod, _embed_mod, _speed)
    saved = [m.FrameEmbedder for m in mods]
    for m in mods:
        m.FrameEmbedder = FixedLevelEmbedder
    try:
        yield
    finally:
        for m, cls in zip(mods, saved, strict=True):
            m.FrameEmbedder = cls


def _luma_mse(a: Path, b: Path) -> float:
    """Mean luma squared error (8-bit scale) of two decodes of the same length, frame by frame."""
    sq, n = 0.0, 0
    for la, lb in zip(iter_luma(a), iter_luma(b), strict=False):
        d = (la.plane.astype(np.float32) - lb.plane) * (255.0 / la.max_value)
        sq += float(np.mean(d * d))
        n += 1
    return sq / max(n, 1)


def _db(mse: float) -> float:
    return float(10 * np.log10(255**2 / max(mse, 1e-12)))


def _luma_psnr(a: Path, b: Path) -> float:
    """Luma PSNR (8-bit scale) of two decodes of the same length, frame by frame."""
    return _db(_luma_mse(a, b))


class Ours:
    payload_bits = 64

    cpu_ms = 0.0

    psnr_bgr = 0.0

    def __init__(self, fixed: bool = False, delivered: bool = False) -> None:
        self.fixed, self.delivered = fixed, delivered
        self.name = f"{ALGORITHM_ID}-fixed-level" if fixed else ALGORITHM_ID
        self.extra: dict[str, Any] = {}
        self._plain: dict[Path, Path] = {}

    def embed(self, src: Path, dst: Path) -> tuple[float, float]:
        with _fixed_level(self.fixed):
            r = embed_video(src, dst, KEY)
        self.cpu_ms = r.cpu_ms_per_frame
        self.extra = {"psnr_y_min": round(r.psnr_y_min, 2)}
        if src in self._plain:
            plain = self._plain[src]
            self.extra["psnr_y_delivered"] = round(_luma_psnr(dst, plain), 2)
            total, codec = _luma_mse(dst, src), _luma_mse(plain, src)
            self.extra |= {"psnr_y_total": round(_db(total), 2), "psnr_y_codec_only": round(_db(codec), 2)}
            self.extra["psnr_y_share"] = round(_db(total - codec), 2) if total > codec else None
        sq, n = 0.0, 0
        with av.open(str(src)) as c, _fixed_level(self.fixed):
            for f in c.decode(video=0):
                if n >= 20:
                    break
                bgr = f.to_ndarray(format="bgr24")
                ycc = cv2.cvtColor(bgr, cv2.COLOR_BGR2YCrCb)
                ycc[:, :, 0] = embed_frame(np.ascontiguousarray(ycc[:, :, 0]), KEY)
                sq += float(np.mean((cv2.cvtColor(ycc, cv2.COLOR_YCrCb2BGR).astype(np.float32) - bgr) ** 2))
                n += 1
        self.psnr_bgr = float(10 * np.log10(255**2 / max(sq / max(n, 1), 1e-12)))
        return r.psnr_y, r.ms_per_frame

    def codec_only(self, src: Path, work: Path) -> None:
        """Re-encode ``src`` unmarked under the same plan, so ``embed`` can measure the mark as delivered."""
        out = work / f"plain-{src.stem}{_suffix(src)}"
        if not out.exists():
            render(probe(src), out)
        self._plain[src] = out

    def detect(self, path: Path) -> tuple[bool, float, bool, dict[str, Any]]:
        acc = Accumulator()
        for luma in iter_luma(path, seconds=Fraction(DETECT_SECONDS)):
            acc.add(luma.plane, 255.0 / luma.max_value)
        r = acc.result()
        margin, raw_errors = acc.margin(KEY)
        extra = {
            "soft_margin": round(margin, 2),  # mean/std of the codeword-signed soft bits (≈ per-bit SNR)
            "raw_bit_errors": raw_errors,  # pre-BCH errors at the best hypothesis
            "bch_t": BCH_T,  # hard-decision capacity; the Chase decoder may correct a few more
            "bit_errors_corrected": r.bit_errors_corrected,
            "frames": acc.frames,
        }
        return r.key == KEY, 1.0 - raw_errors / CODE_BITS, r.key is not None and r.key != KEY, extra


class Peer:
    cpu_ms = 0.0
    psnr_bgr = 0.0
    marked_size: tuple[int, int] | None = None

    def __init__(self, method: str, bits: int, decode_frames: int, embed_seconds: float) -> None:
        from imwatermark import WatermarkDecoder, WatermarkEncoder

        self.name, self.payload_bits = f"imwatermark-{method}", bits
        self.method, self.decode_frames, self.embed_seconds = method, decode_frames, embed_seconds
        self.bits = [int(b) for b in np.random.default_rng(7).integers(0, 2, bits)]
        if method == "rivaGan":
            WatermarkEncoder.loadModel()
        self.enc = WatermarkEncoder()
        self.enc.set_watermark("bits", self.bits)
        self.dec = WatermarkDecoder("bits", bits)

    def embed(self, src: Path, dst: Path) -> tuple[float, float]:
        sq, sq_bgr, n, t, cpu = 0.0, 0.0, 0, 0.0, 0.0
        with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
            vin = inp.streams.video[0]
            rate = Fraction(vin.average_rate.numerator, vin.average_rate.denominator)
            plan = plan_encode(probe(src), "mp4")  # the encoder and settings ``embed_video`` uses
            st = out.add_stream(plan.codec, rate=rate, options=dict(plan.options))
            for f in inp.decode(vin):
                if f.time is not None and f.time >= self.embed_seconds:
                    break
                w, h = f.width // 2 * 2, f.height // 2 * 2
                bgr = f.reformat(width=w, height=h, format="bgr24").to_ndarray()
                t0, c0 = time.perf_counter(), time.process_time()
                marked = self.enc.encode(bgr, self.method)
                t += time.perf_counter() - t0
                cpu += time.process_time() - c0
                y0 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV)[:, :, 0].astype(np.float32)
                y1 = cv2.cvtColor(marked, cv2.COLOR_BGR2YUV)[:, :, 0].astype(np.float32)
                sq += float(np.mean((y1 - y0) ** 2))
                sq_bgr += float(np.mean((marked.astype(np.float32) - bgr) ** 2))
                if n == 0:
                    st.width, st.height, st.pix_fmt = w, h, "yuv420p"
                    self.marked_size = (w, h)
                vf = av.VideoFrame.from_ndarray(marked, format="bgr24").reformat(format="yuv420p")
                vf.pts = n
                out.mux(st.encode(vf))
                n += 1
            out.mux(st.encode(None))
        mse = sq / max(n, 1)
        self.cpu_ms = 1000 * cpu / max(n, 1)
        self.psnr_bgr = float(10 * np.log10(255**2 / max(sq_bgr / max(n, 1), 1e-12)))
        return (10 * np.log10(255**2 / mse) if mse else float("inf")), 1000 * t / max(n, 1)

    def _decodable(self, frame: Any) -> np.ndarray:
        """BGR pixels; frames under imwatermark's 256-px minimum are upscaled (bicubic) to the marked size."""
        if min(frame.width, frame.height) < 256 and self.marked_size is not None:
            w, h = self.marked_size
            return frame.reformat(width=w, height=h, format="bgr24", interpolation="BICUBIC").to_ndarray()
        return frame.to_ndarray(format="bgr24")

    def detect(self, path: Path) -> tuple[bool, float, bool, dict[str, Any]]:
        frames = []
        with av.open(str(path)) as c:
            for f in c.decode(video=0):
                if f.time is not None and f.time >= min(DETECT_SECONDS, self.embed_seconds):
                    break
                frames.append(f)
        pick = np.linspace(0, len(frames) - 1, min(self.decode_frames, len(frames))).round().astype(int)
        votes = [np.array(self.dec.decode(self._decodable(frames[i]), self.method), float) for i in pick]
        bits = (np.mean(votes, axis=0) > 0.5).astype(int)
        acc = float(np.mean(bits == np.array(self.bits)))
        return acc == 1.0, acc, False, {"frames": len(pick)}


def _suffix(clip: Path) -> str:
    """The marked file's extension: MOV for mezzanine sources (their codec stays), MP4 otherwise."""
    return ".mov" if probe(clip).codec_family in ("prores", "dnxhd") else ".mp4"
