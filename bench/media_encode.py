"""Benchmark of the one encode policy (``media.plan_encode`` through ``media.render``): codec-only quality of a
re-encode, against the settings the labeler used before the media stacks were unified, in the same run.

Each source is decoded once; each method encodes exactly those frames and the result is decoded again. The metric is
codec-only luma PSNR against the decoded source, in the source's own pixel format and bit depth (peak 255 or 1023),
plus the size in kbit per frame. The policy's target: ≥ 48 dB (visually lossless).

Methods (``policy`` is the product; the others are peers):

- ``policy``: ``media.render(info, out)`` — x264/x265 CRF 8 preset fast in the source's pixel format, ProRes and
  DNxHR at the source's profile;
- ``old_labeler``: the watermark pass before (``labeler/watermark/_av.py``): x264 CRF 16 fast, x265 CRF 18, ProRes
  always profile 3 (HQ), 10-bit kept where the encoder took it;
- ``old_disclosure``: the disclosure pass before: x264 CRF 14 veryfast in 8-bit 4:2:0 whatever the source;
- ``old_editor``: the editor's render before: x264/x265 CRF 12 fast (ProRes at the source's profile, as now);
- ``policy_crf10``: the policy one step less strict (CRF 10), to show where 48 dB stops holding.

Material, reported separately: ``shared`` — the first frames of each clip of ../shared/footage (VP6, MPEG-1,
H.264); ``held_out`` — clips made here and never used to pick the setting's neighbours on the shared clips:
synthetic pictures with film grain (σ 1–4 code values, 960×540), a mirrored 1080p bicubic up-scale of a footage clip
with grain, a centre crop of another at 25 fps, a 10-bit 4:2:2 H.264 source, and ProRes 10-bit 4:2:2 HQ and LT
sources (an up-scaled clip with 10-bit grain, a synthetic one). Held-out sources are written losslessly (x264 QP 0,
or ProRes, whose decode is then the reference), so each is a real file ``media.probe`` reads.

    python bench/media_encode.py            # full run (~6 min here)
    python bench/media_encode.py --quick    # 2 shared clips, 3 held-out clips, fewer frames

Lines: ``encode`` (material, clip, method, psnr_y, kbit_per_frame), ``compare`` (per clip: policy minus each peer
in dB, size ratios), ``summary`` (per material and method: min and mean PSNR, clips under 48 dB).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import numpy as np  # noqa: E402

from media import MediaInfo, plan_encode, probe, render, reproducible_options  # noqa: E402

FOOTAGE = Path(os.environ.get("CUTPROOF_FOOTAGE", ROOT.parent / "shared" / "footage"))
TARGET_DB = 48.0
METHODS = ("policy", "policy_crf10", "old_labeler", "old_disclosure", "old_editor")
PRORES_PROFILES = {"Proxy": "0", "LT": "1", "Standard": "2", "HQ": "3", "4444": "4", "4444XQ": "5"}


def emit(**kw: Any) -> None:
    print(json.dumps(kw), flush=True)


# ---------------------------------------------------------------------------------------------- held-out material


def _grain_frames(w: int, h: int, grain: float, n: int, seed: int, deep: bool = False) -> Iterator[np.ndarray]:
    """Synthetic pictures: gradients, fine texture, a moving disc, per-frame Gaussian grain (σ in 8-bit codes)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([0.3 + 0.5 * xx / w, 0.25 + 0.5 * yy / h, 0.5 + 0.25 * np.sin((xx * 0.7 + yy) / 9.0)], -1)
    tex = (np.sin(xx / 3.1) * np.cos(yy / 4.7))[..., None] * 0.08
    for i in range(n):
        img = base + tex + rng.normal(0, grain / 255, (h, w, 3)).astype(np.float32)
        disc = ((xx - w * (0.3 + 0.01 * i)) ** 2 + (yy - h / 2) ** 2) < (h * 0.2) ** 2
        img[disc] = [0.8, 0.6, 0.45]
        yield (np.clip(img, 0, 1) * (65535 if deep else 255)).astype(np.uint16 if deep else np.uint8)


def _footage_frames(name: str, n: int, transform: Callable[[np.ndarray], np.ndarray], deep: bool = False):
    with av.open(str(FOOTAGE / name)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i >= n:
                return
            yield transform(f.to_ndarray(format="rgb48le" if deep else "rgb24"))


def _write_source(path: Path, frames: Iterator[np.ndarray], *, codec: str, pix_fmt: str, rate: Fraction,
                  options: dict[str, str]) -> Path:  # fmt: skip
    with av.open(str(path), "w") as out:
        st = out.add_stream(codec, rate=rate, options=reproducible_options(codec, options))
        cc = st.codec_context
        cc.color_primaries = cc.color_trc = cc.colorspace = 1
        cc.color_range = 1
        for i, rgb in enumerate(frames):
            if i == 0:
                st.width, st.height, st.pix_fmt = rgb.shape[1], rgb.shape[0], pix_fmt
            fmt = "rgb48le" if rgb.dtype == np.uint16 else "rgb24"
            f = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format=fmt)
            f = f.reformat(format=pix_fmt, dst_colorspace="ITU709", dst_color_range="MPEG")
            f.pts = i
            out.mux(st.encode(f))
        out.mux(st.encode())
    return path


def held_out(work: Path, frames: int, quick: bool) -> list[Path]:
    """Write the held-out sources into ``work``; returns their paths."""
    lossless = {"qp": "0", "preset": "ultrafast"}
    rng = np.random.default_rng(11)

    def mirrored_1080p_grain(rgb: np.ndarray) -> np.ndarray:
        f = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[::-1, ::-1]), format="rgb24")
        up = f.reformat(width=1920, height=1080, interpolation="BICUBIC").to_ndarray().astype(np.float32)
        return np.clip(up + rng.normal(0, 1.5, up.shape), 0, 255).astype(np.uint8)

    def up2x_10bit_grain(rgb: np.ndarray) -> np.ndarray:
        f = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb48le")
        up = f.reformat(width=rgb.shape[1] * 2, height=rgb.shape[0] * 2, interpolation="BICUBIC").to_ndarray()
        return np.clip(up.astype(np.float32) + rng.normal(0, 257, up.shape), 0, 65535).astype(np.uint16)

    def centre_crop(rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        return np.ascontiguousarray(
            rgb[h // 6 : h // 6 + (2 * h // 3) // 2 * 2, w // 6 : w // 6 + (2 * w // 3) // 2 * 2]
        )

    specs: list[tuple[str, Callable[[], Iterator[np.ndarray]], str, str, dict[str, str]]] = [
        ("grain2_540p.mp4", lambda: _grain_frames(960, 540, 2.0, frames, 1), "libx264", "yuv420p", lossless),
        ("prores_hq_up2x_10bit_grain.mov",
         lambda: _footage_frames("crema-d_1001_DFA_ANG_XX.flv", frames // 2, up2x_10bit_grain, deep=True),
         "prores_ks", "yuv422p10le", {"profile": "3"}),
        ("h264_10bit_422_grain3_540p.mp4", lambda: _grain_frames(960, 540, 3.0, frames, 5, deep=True), "libx264",
         "yuv422p10le", lossless),
    ]  # fmt: skip
    if not quick:
        specs += [
            ("grain1_540p.mp4", lambda: _grain_frames(960, 540, 1.0, frames, 2), "libx264", "yuv420p", lossless),
            ("grain3_720p.mp4", lambda: _grain_frames(1280, 720, 3.0, frames, 3), "libx264", "yuv420p", lossless),
            ("grain4_540p.mp4", lambda: _grain_frames(960, 540, 4.0, frames, 4), "libx264", "yuv420p", lossless),
            ("obama_mirrored_1080p_grain.mp4",
             lambda: _footage_frames("obama-weekly-address_very-real-challenges.mp4", frames // 2,
                                     mirrored_1080p_grain), "libx264", "yuv420p", lossless),
            ("grid_centre_crop.mp4", lambda: _footage_frames("grid_id2_vcd_swwp2s.mpg", frames, centre_crop),
             "libx264", "yuv420p", lossless),
            ("prores_lt_synthetic_10bit_grain2.mov",
             lambda: _grain_frames(960, 540, 2.0, frames // 2, 6, deep=True), "prores_ks", "yuv422p10le",
             {"profile": "1"}),
        ]  # fmt: skip
    return [
        _write_source(work / name, make(), codec=codec, pix_fmt=pix, rate=Fraction(25), options=opts)
        for name, make, codec, pix, opts in specs
    ]


# ------------------------------------------------------------------------------------------------- measurement


def _decode(path: Path, n: int, pix_fmt: str) -> list[np.ndarray]:
    """Luma of the first ``n`` frames of ``path`` in ``pix_fmt`` (float64 code values)."""
    out = []
    deep = pix_fmt.endswith("le")
    with av.open(str(path)) as c:
        for i, f in enumerate(c.decode(video=0)):
            if i >= n:
                break
            g = f.reformat(format=pix_fmt)
            p = g.planes[0]
            dt = np.dtype("<u2") if deep else np.dtype(np.uint8)
            y = np.frombuffer(p, dt).reshape(p.height, p.line_size // dt.itemsize)[:, : p.width]
            out.append(y.astype(np.float64))
    return out


def _psnr(ref: list[np.ndarray], got: list[np.ndarray], peak: float) -> float:
    mse = float(np.mean([np.mean((a - b) ** 2) for a, b in zip(ref, got, strict=True)]))
    return float("inf") if mse == 0 else 10 * float(np.log10(peak**2 / mse))


def _peer_settings(info: MediaInfo, method: str) -> tuple[str, dict[str, str], str]:
    """(encoder, options, pixel format) the pre-unification code chose for this source (or the CRF 10 candidate)."""
    if method == "policy_crf10":
        plan = plan_encode(info)
        crf = {"crf": "10"} if "crf" in plan.options else {}
        return plan.codec, {**plan.options, **crf}, plan.pix_fmt
    src_pix = info.pix_fmt.replace("yuvj", "yuv")
    x26x = {"yuv420p", "yuv422p", "yuv444p", "yuv420p10le", "yuv422p10le", "yuv444p10le"}
    if method == "old_disclosure":
        return "libx264", {"crf": "14", "preset": "veryfast"}, "yuv420p"
    if info.codec_family == "prores":
        profile = "3" if method == "old_labeler" else PRORES_PROFILES.get(info.profile or "", "3")
        return "prores_ks", {"profile": profile}, "yuv444p10le" if "444" in src_pix else "yuv422p10le"
    crf = {"old_labeler": "16", "old_editor": "12"}[method]
    if info.codec_family == "hevc":
        crf = "18" if method == "old_labeler" else crf
        return "libx265", {"crf": crf, "preset": "fast", "x265-params": "log-level=error"}, src_pix
    if method == "old_editor" and info.codec_family != "h264":
        return "libx264", {"crf": crf, "preset": "fast"}, "yuv420p"
    pix = src_pix if src_pix in x26x else ("yuv420p10le" if info.bit_depth > 8 else "yuv420p")
    return "libx264", {"crf": crf, "preset": "fast"}, pix


def _encode_peer(info: MediaInfo, dst: Path, n: int, method: str) -> Path:
    codec, options, pix = _peer_settings(info, method)
    with av.open(str(info.path)) as inp, av.open(str(dst), "w") as out:
        st = out.add_stream(codec, rate=info.frame_rate, options=options)
        st.width, st.height, st.pix_fmt = info.width, info.height, pix
        for i, f in enumerate(inp.decode(video=0)):
            if i >= n:
                break
            g = f.reformat(format=pix)
            g.pts, g.time_base, g.pict_type = i, 1 / info.frame_rate, 0  # the encoder picks frame types
            out.mux(st.encode(g))
        out.mux(st.encode())
    return dst


def measure(material: str, src: Path, frames: int, work: Path, results: dict[str, dict[str, list[float]]]) -> None:
    info = probe(src)
    n = min(frames, info.frame_count)
    ref = _decode(src, n, info.pix_fmt.replace("yuvj", "yuv") if info.pix_fmt.startswith("yuv") else "yuv420p")
    ref_pix = info.pix_fmt.replace("yuvj", "yuv") if info.pix_fmt.startswith("yuv") else "yuv420p"
    peak = 1023.0 if info.bit_depth > 8 else 255.0
    got: dict[str, tuple[float, float]] = {}
    for method in METHODS:
        t0 = time.perf_counter()
        if method == "policy":
            dst = render(info, work / f"{src.stem}.policy{src.suffix if src.suffix in ('.mov', '.mp4') else '.mp4'}",
                         overwrite=True).path  # fmt: skip
        else:
            dst = _encode_peer(info, work / f"{src.stem}.{method}.mkv", n, method)
        seconds = time.perf_counter() - t0
        psnr = _psnr(ref, _decode(dst, n, ref_pix), peak)
        kbit = _video_bits(dst) / 1000 / max(_frames(dst), 1)
        got[method] = (psnr, kbit)
        results.setdefault(f"{material}/{method}", {"psnr": []})["psnr"].append(psnr)
        emit(metric="encode", material=material, clip=src.name, source=f"{info.codec} {info.pix_fmt} {info.profile}",
             size=f"{info.width}x{info.height}", method=method, psnr_y=round(psnr, 2), kbit_per_frame=round(kbit, 1),
             seconds=round(seconds, 2), frames=n)  # fmt: skip
    p, k = got["policy"]
    emit(metric="compare", material=material, clip=src.name,
         **{f"policy_minus_{m}_db": round(p - got[m][0], 2) for m in METHODS[1:]},
         **{f"policy_over_{m}_size": round(k / max(got[m][1], 1e-9), 2) for m in METHODS[1:]})  # fmt: skip


def _video_bits(path: Path) -> int:
    with av.open(str(path)) as c:
        return 8 * sum(p.size for p in c.demux(video=0))


def _frames(path: Path) -> int:
    with av.open(str(path)) as c:
        return sum(1 for p in c.demux(video=0) if p.size)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 shared clips, 3 held-out clips, fewer frames")
    ap.add_argument("--frames", type=int, default=None, help="frames per clip (default 24; quick 12)")
    args = ap.parse_args()
    frames = args.frames or (12 if args.quick else 24)
    if not FOOTAGE.is_dir():
        emit(metric="error", error=f"footage not found at {FOOTAGE}")
        raise SystemExit(1)
    shared = sorted(p for p in FOOTAGE.iterdir() if p.suffix in {".flv", ".mpg", ".mp4"})
    if args.quick:
        shared = [p for p in shared if p.name in ("grid_pwij3p.mpg", "obama-weekly-address_a-bad-situation.mp4")]
    started = time.perf_counter()
    emit(metric="config", quick=args.quick, frames=frames, target_db=TARGET_DB, methods=list(METHODS),
         shared=[p.name for p in shared], cpus=os.cpu_count())  # fmt: skip
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="media-encode-") as d:
        work = Path(d)
        for src in shared:
            measure("shared", src, frames, work, results)
        for src in held_out(work, frames, args.quick):
            measure("held_out", src, frames, work, results)
    for key, r in results.items():
        material, method = key.split("/")
        vals = r["psnr"]
        emit(metric="summary", material=material, method=method, clips=len(vals), min_psnr_y=round(min(vals), 2),
             mean_psnr_y=round(float(np.mean(vals)), 2), under_target=sum(v < TARGET_DB for v in vals))  # fmt: skip
    emit(metric="run_seconds", seconds=round(time.perf_counter() - started, 1), loadavg_1min=os.getloadavg()[0])


if __name__ == "__main__":
    main()
