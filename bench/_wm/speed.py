"""Wall-clock embedding speed at 1920×1080 for ``bench/watermark.py``.

Two numbers, both wall-clock in one process with OpenCV limited to ``threads`` threads:

* ``mark``: the marking step alone (``FrameEmbedder.embed`` on the Y plane of decoded 1080p frames held in memory:
  pattern, informed gains, add) — what the ≤ 40 ms / ≥ 25 fps target is about;
* ``pipeline``: ``embed_video`` end to end on a 1080p H.264 file (decode → mark → encode under ``media.plan_encode``:
  libx264 CRF 8 ``fast``, FFmpeg threads on automatic), i.e. what a user waits for; the encoder dominates it.

The machine's 1-minute load average before and after is printed with the numbers: on a shared machine the
wall-clock figures include waiting for the CPU.
"""

from __future__ import annotations

import os
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from labeler.watermark import embed_video
from labeler.watermark._embed import FrameEmbedder
from media import plan_encode, probe, reproducible_options


def make_1080p(clip: Path, dst: Path, frames: int) -> Path:
    """``frames`` frames of ``clip`` upscaled (bicubic) to 1920×1080, near-lossless H.264 (CRF 14), 25 fps."""
    with av.open(str(clip)) as inp, av.open(str(dst), "w") as out:
        st = out.add_stream(
            "libx264", rate=25, options=reproducible_options("libx264", {"crf": "14", "preset": "ultrafast"})
        )
        st.width, st.height, st.pix_fmt = 1920, 1080, "yuv420p"
        for n, f in enumerate(inp.decode(video=0)):
            if n >= frames:
                break
            vf = f.reformat(width=1920, height=1080, format="yuv420p", interpolation="BICUBIC")
            vf.pts, vf.time_base = n, Fraction(1, 25)
            out.mux(st.encode(vf))
        out.mux(st.encode(None))
    return dst


def wall_clock_1080p(src: Path, work: Path, key: int, threads: int = 2, rounds: int = 3) -> dict[str, Any]:
    """Measure ``mark`` and ``pipeline`` speed on the 1080p file ``src`` (see the module docstring)."""
    previous = cv2.getNumThreads()
    cv2.setNumThreads(threads)
    try:
        with av.open(str(src)) as c:
            ys = [np.ascontiguousarray(f.to_ndarray(format="yuv420p")[:1080]) for f in c.decode(video=0)]
        emb = FrameEmbedder(key)
        emb.embed(ys[0])  # warm-up: caches, OpenCV thread pool
        load0 = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(rounds):
            for y in ys:
                emb.embed(y)
        n = rounds * len(ys)
        mark_ms = 1000 * (time.perf_counter() - t0) / n
        mark_cpu = 1000 * (time.process_time() - c0) / n
        t1 = time.perf_counter()
        report = embed_video(src, work / "speed-1080p-marked.mp4", key)
        pipe_s = time.perf_counter() - t1
    finally:
        cv2.setNumThreads(previous)
    return {
        "width": 1920,
        "height": 1080,
        "frames": n,
        "cv2_threads": threads,
        "processes": 1,
        "cpus": os.cpu_count(),
        "mark_ms_per_frame": round(mark_ms, 2),
        "mark_fps": round(1000 / mark_ms, 1),
        "mark_cpu_ms_per_frame": round(mark_cpu, 2),
        "pipeline_frames": report.frames,
        "pipeline_fps": round(report.frames / pipe_s, 1),
        "pipeline_ms_per_frame": round(1000 * pipe_s / report.frames, 1),
        "pipeline_encoder": " ".join(
            [report.encoder, *(f"{k}={v}" for k, v in plan_encode(probe(src)).options.items())]
        ),
        "target_ms": 40,
        "target_fps": 25,
        "mark_meets_target": mark_ms <= 40,
        "loadavg_1min_before_after": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }
