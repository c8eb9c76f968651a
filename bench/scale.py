"""Labelling throughput with segment-parallel encoding (``embed_video(workers=N)``, ``media.render_parallel``).

For each source — 1080p ProRes 422 HQ (.mov, 16-bit PCM audio) and 1080p H.264 (.mp4, CRF 14, a key frame every
2 s, AAC audio), both 25 fps with timecode 10:00:00:00 — the same file is processed in the same run by:

- ``codec_only``: ``media.render(info, out)`` — decode + encode under the encode policy, no mark (the floor: what
  one encoder stream costs);
- ``label_sequential``: ``embed_video(src, out, key, mark_audio=True)`` — the product before this change;
- ``label_parallel``: the same with ``workers=N`` (a process pool of N workers on this machine), for each N in
  ``--workers``; with ``--engine ray --ray-address ADDR`` also on the Ray executor
  (``cutproof.scale.ray_executor.RayExecutor``) with N segments in flight.

Each line carries frames/s, wall seconds, CPU seconds per frame (this process and its worker processes), the
1-minute load average before and after (the machine is shared: wall-clock figures include waiting for the CPU), and
for the parallel runs the speed-up over ``label_sequential`` against the 1.7× target for 2 workers. Every parallel
output is checked (frame count, detected key) before its line is printed.

Sources are made in a temporary folder from a clip of ../shared/footage (never copied into the repo): its frames are
up-scaled (bicubic) to 1920×1080 and looped into a chunk of up to 10 s, which is encoded once and then repeated by
copying its packets (each H.264 chunk starts with an IDR frame, ProRes is intra-only) to ``--seconds``; the audio is
the clip's, looped. Repeated pictures cost the encoder what new ones would at this quality.

    python bench/scale.py                      # 120 s sources, 2 workers (~40 min on 2 idle cores)
    python bench/scale.py --seconds 30         # shorter (smoke)
    python bench/scale.py --engine ray --ray-address 127.0.0.1:6379
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import numpy as np  # noqa: E402

from labeler.watermark import detect_video, embed_video  # noqa: E402
from media import probe, render  # noqa: E402

FOOTAGE = Path(os.environ.get("CUTPROOF_FOOTAGE", ROOT.parent / "shared" / "footage"))
CLIP = "obama-weekly-address_a-bad-situation.mp4"
KEY = 0x5CA1AB1E00C0FFEE
RATE = 25
TARGET_SPEEDUP_2 = 1.7


def emit(**kw: Any) -> None:
    print(json.dumps(kw), flush=True)


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


# ---------------------------------------------------------------------------------------------------------- sources


def _frames(clip: Path, n: int) -> list[Any]:
    """``n`` frames of ``clip`` up-scaled to 1080p RGB, looped."""
    with av.open(str(clip)) as c:
        base = [
            f.reformat(width=1920, height=1080, format="rgb24", interpolation="BICUBIC").to_ndarray()
            for f in c.decode(video=0)
        ]
    return [base[i % len(base)] for i in range(n)]


def _audio(clip: Path, seconds: int) -> np.ndarray:
    """The clip's audio as 48 kHz stereo s16 (interleaved, 1 × 2n), looped to ``seconds``."""
    rs = av.AudioResampler(format="s16", layout="stereo", rate=48000)
    with av.open(str(clip)) as c:
        parts = [g.to_ndarray() for f in c.decode(audio=0) for g in rs.resample(f)]
    pcm = np.concatenate(parts, axis=1)
    need = 2 * 48000 * seconds
    return np.tile(pcm, (1, -(-need // pcm.shape[1])))[:, :need]


def make_source(kind: str, work: Path, seconds: int) -> Path:
    """A ``seconds``-long 1080p source (see the module docstring)."""
    chunk_frames = min(10, seconds) * RATE
    chunks = -(-seconds * RATE // chunk_frames)  # whole chunks: a long-GOP chunk is never cut inside a GOP
    seconds = chunks * chunk_frames // RATE
    codec, pix, opts, suffix = {
        "prores": ("prores_ks", "yuv422p10le", {"profile": "3", "vendor": "apl0"}, ".mov"),
        "h264": ("libx264", "yuv420p", {"crf": "14", "preset": "fast", "g": "50", "keyint_min": "50"}, ".mp4"),
    }[kind]
    chunk = work / f"chunk-{kind}{suffix}"
    with av.open(str(chunk), "w") as out:
        st = out.add_stream(codec, rate=RATE, options=opts)
        st.width, st.height, st.pix_fmt = 1920, 1080, pix
        cc = st.codec_context
        cc.color_primaries = cc.color_trc = cc.colorspace = 1
        cc.color_range = 1
        for i, rgb in enumerate(_frames(FOOTAGE / CLIP, chunk_frames)):
            f = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            f = f.reformat(format=pix, dst_colorspace="ITU709", dst_color_range="MPEG")
            f.pts = i
            out.mux(st.encode(f))
        out.mux(st.encode())
    src = work / f"source-{kind}-{seconds}s{suffix}"
    pcm = _audio(FOOTAGE / CLIP, seconds)
    with av.open(str(chunk)) as inp, av.open(str(src), "w") as out:
        vin = inp.streams.video[0]
        packets = [p for p in inp.demux(vin) if p.size]
        vout = out.add_stream_from_template(vin, rate=vin.average_rate)  # the rate: MOV writes no timecode without it
        out.metadata["timecode"] = vout.metadata["timecode"] = "10:00:00:00"
        aout = out.add_stream("pcm_s16le" if kind == "prores" else "aac", rate=48000, layout="stereo")
        if kind == "h264":
            aout.bit_rate = 192_000
        per_chunk = round(chunk_frames / (RATE * vin.time_base))  # ticks of one chunk
        sample = 0
        for k in range(chunks):
            for p in packets:
                q = av.Packet(bytes(p))
                q.pts, q.dts = p.pts + k * per_chunk, p.dts + k * per_chunk
                q.duration, q.is_keyframe, q.time_base, q.stream = p.duration, p.is_keyframe, vin.time_base, vout
                out.mux(q)
            end = min(pcm.shape[1] // 2, (k + 1) * chunk_frames * 48000 // RATE)
            while sample < end:
                n = min(1024, end - sample)
                af = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(pcm[:, 2 * sample : 2 * (sample + n)]), format="s16", layout="stereo"
                )
                af.sample_rate, af.pts = 48000, sample
                out.mux(aout.encode(af))
                sample += n
        out.mux(aout.encode())
    chunk.unlink()
    return src


# ---------------------------------------------------------------------------------------------------------- runs


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float, float, float]:
    load0, t0, c0 = os.getloadavg()[0], time.perf_counter(), _cpu()
    result = fn()
    return result, time.perf_counter() - t0, _cpu() - c0, load0, os.getloadavg()[0]


def _ray_executor(address: str) -> Any:
    try:
        module = importlib.import_module("cutproof.scale.ray_executor")
    except ImportError as exc:
        raise SystemExit(
            f"--engine ray needs cutproof.scale.ray_executor.RayExecutor (the Ray engine), which is not installed "
            f"here ({exc}); run with --engine process"
        ) from None
    return module.RayExecutor(address=address)


def bench(kind: str, work: Path, seconds: int, workers: list[int], engine: str, ray_address: str | None) -> None:
    t0 = time.perf_counter()
    src = make_source(kind, work, seconds)
    info = probe(src)
    emit(metric="source", material=kind, codec=info.codec, profile=info.profile, width=info.width,
         height=info.height, frames=info.frame_count, seconds=float(info.duration), timecode=info.timecode,
         audio=[a.codec for a in info.audio], made_in_s=round(time.perf_counter() - t0, 1))  # fmt: skip
    frames = info.frame_count

    def line(metric: str, wall: float, cpu: float, l0: float, l1: float, **extra: Any) -> None:
        emit(metric=metric, material=kind, frames=frames, wall_s=round(wall, 2), fps=round(frames / wall, 2),
             cpu_ms_per_frame=round(1000 * cpu / frames, 1), load_before=round(l0, 2), load_after=round(l1, 2),
             cpus=os.cpu_count(), **extra)  # fmt: skip

    out = work / f"out{src.suffix}"
    _, wall, cpu, l0, l1 = _timed(lambda: render(info, out, overwrite=True))
    floor = wall
    line("codec_only", wall, cpu, l0, l1)
    out.unlink()
    report, wall, cpu, l0, l1 = _timed(lambda: embed_video(src, out, KEY, mark_audio=True))
    sequential = wall
    line("label_sequential", wall, cpu, l0, l1, workers=1, ratio_to_codec_only=round(wall / floor, 3))
    out.unlink()
    runs: list[tuple[str, int, Any]] = [("process", w, None) for w in workers]
    if engine == "ray":
        assert ray_address is not None
        runs += [("ray", w, _ray_executor(ray_address)) for w in workers]
    for name, n, executor in runs:
        report, wall, cpu, l0, l1 = _timed(
            lambda n=n, executor=executor: embed_video(src, out, KEY, mark_audio=True, workers=n, executor=executor)
        )
        found = detect_video(out).key
        if report.frames != frames or found != KEY:
            raise SystemExit(f"{kind}: the {name} run with {n} workers wrote {report.frames} frames, key {found}")
        speedup = sequential / wall
        target = TARGET_SPEEDUP_2 if n == 2 else None
        line("label_parallel", wall, cpu, l0, l1, engine=name, workers=n, speedup=round(speedup, 3),
             target_speedup=target, target_met=None if target is None else speedup >= target,
             ratio_to_codec_only=round(wall / floor, 3))  # fmt: skip
        out.unlink()
    src.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=120, help="source length in seconds (default 120)")
    ap.add_argument("--workers", default="2", help="comma-separated worker counts for the parallel runs (default 2)")
    ap.add_argument("--materials", default="prores,h264", help="comma-separated: prores, h264")
    ap.add_argument("--engine", choices=("process", "ray"), default="process")
    ap.add_argument("--ray-address", default=None, help="Ray cluster address for --engine ray")
    args = ap.parse_args()
    if args.engine == "ray" and not args.ray_address:
        ap.error("--engine ray needs --ray-address ADDR")
    if not (FOOTAGE / CLIP).is_file():
        raise SystemExit(f"{FOOTAGE / CLIP} not found: place ../shared beside the repository or set CUTPROOF_FOOTAGE")
    workers = [int(w) for w in args.workers.split(",")]
    work = Path(tempfile.mkdtemp(prefix="cutproof-scale-"))
    try:
        for kind in args.materials.split(","):
            bench(kind, work, args.seconds, workers, args.engine, args.ray_address)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
