"""Is a render reproducible: does the same edit of the same clip give the same file, run after run and machine
after machine?

``media.render`` opens its output with ``fflags +bitexact`` and the encoder with the ``bitexact`` flag, so nothing
in the file depends on the build's version strings or the clock. What this bench asks is whether the *encoder's
decisions* repeat. Each method renders the same clip through the same deterministic edit (a box brightened on every
frame, drifting and changing with the frame) ``--runs`` times in this one process and counts the distinct output
files (SHA-256 of the bytes); the largest difference of one decoded 8-bit value between two of them says how far
apart they are.

Methods, in the same run:

- ``policy``: ``media.render`` as the product runs it (x264 and x265 pinned to one thread: ``media._policy``,
  "Reproducible");
- ``ffmpeg_threads``: the same render with the encoder's threads left to FFmpeg (as many as the process may use
  cores, x264 1.5 per core), the setting before.

``--workers N`` adds ``policy_segments``: the policy rendered in segments on N worker processes
(``media.render_parallel``), the way a render gets its throughput back from the cores.

``--cpus 0`` / ``--cpus 0,1`` restrict this process to those cores first: the policy's file is the same whatever
the restriction (compare the ``sha256`` printed), the peer's is not.

``--heap N`` asks instead whether a render depends on memory the encoder never wrote. Each render runs in a fresh
process, N times with each byte glibc may fill new memory with (``MALLOC_PERTURB_``: none, 1, 85, 165, 255), for
``policy`` and for ``x264_own_detection``: the policy with x264 left to its own CPU detection (AVX-512 where the CPU
has it; the policy holds it to AVX2: ``media._policy``, "Reproducible"). ``seconds_per_render`` is then the render
inside each process (wall, mean), without the process's start.

``--heap N --writer transcode|test_material`` asks the same of the code base's other H.264 writers (stop 49), each
process on all the cores or, every second repeat, on one: ``media.transcode`` at CRF 28, and the tests' clip writer
(``tests/editor/_media.write_clip``, the clip's first 48 frames). Their peers (``transcode_before``,
``test_material_before``) are the same writers with the encoder's options as they were before
``media.reproducible_options``: x264's threads and instruction sets left to FFmpeg and x264.

    PYTHONPATH=. python bench/render_repro.py [--clip PATH] [--runs 40] [--cpus 0,1] [--workers 2] [--heap 2]
        [--writer render|transcode|test_material]

One JSON line per (method, metric): ``distinct_files``, ``max_pixel_difference``, ``seconds_per_render`` (wall,
mean), and ``sha256`` (the most frequent file).
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import av
import numpy as np

import media._write as writer
from media import iter_frames, plan_encode, probe, render, render_parallel, transcode

FOOTAGE = Path(__file__).resolve().parents[1].parent / "shared" / "footage"


def _brighten_box(n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A box that drifts right by 2 px a frame, brightened by a gain that cycles over 10 frames."""
    x = 40 + 2 * (n % 50)
    out = rgb.copy()
    box = out[20:60, x : x + 60]
    box[...] = np.clip(box * (1.2 + 0.02 * (n % 10)), 0, 1)
    support = np.zeros(rgb.shape[:2], bool)
    support[20:60, x : x + 60] = True
    return out, support


def _ffmpeg_threads(info, container=None):  # type: ignore[no-untyped-def]
    """The policy's plan with the encoder's threads left to FFmpeg (the setting before)."""
    plan = plan_encode(info, container)
    options = {k: v for k, v in plan.options.items() if k != "threads"}
    if "x265-params" in options:
        options["x265-params"] = "log-level=error"
    return replace(plan, options=options)


def _own_detection(info, container=None):  # type: ignore[no-untyped-def]
    """The policy's plan with x264 left to its own CPU detection (AVX-512 where the CPU has it)."""
    plan = plan_encode(info, container)
    return replace(plan, options={k: v for k, v in plan.options.items() if k != "x264-params"})


FILLS = (None, 1, 85, 165, 255)  # MALLOC_PERTURB_: glibc fills new memory with this byte (None: left as it is)


def _as_given(codec: str, options: dict[str, str] | None = None) -> dict[str, str]:
    """The encoder's options as the caller gave them: the writers before ``media.reproducible_options``."""
    return dict(options or {})


def _one(clip: Path, out: Path, method: str) -> None:
    """``--one``: one render (or other write) in this (fresh) process; prints its wall seconds."""
    if method == "x264_own_detection":
        writer.plan_encode = _own_detection
    if method.endswith("_before"):
        import media._transcode
        import tests.editor._media

        media._transcode.reproducible_options = _as_given  # type: ignore[assignment]
        tests.editor._media.reproducible_options = _as_given  # type: ignore[assignment]
    info = probe(clip)
    t0 = time.perf_counter()
    if method.startswith("transcode"):
        transcode(clip, out, crf=28)
    elif method.startswith("test_material"):
        from tests.editor._media import write_clip

        pictures = [np.clip(np.rint(a * 255), 0, 255).astype(np.uint8) for _i, a in iter_frames(info, end=48)]
        write_clip(out, pictures=pictures)
    else:
        render(info, out, _brighten_box)
    print(time.perf_counter() - t0)


def _measure_heap(clip: Path, method: str, repeats: int, tmp: Path, one_core: bool = False) -> dict[str, object]:
    """``repeats`` fresh processes per fill; with ``one_core``, every second one restricted to the first core."""
    tally = _Tally()
    first = min(os.sched_getaffinity(0))
    for fill in FILLS:
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_PERTURB_"}
        if fill is not None:
            env["MALLOC_PERTURB_"] = str(fill)
        for k in range(repeats):
            out = tmp / f"heap{fill}-{k}.{'mp4' if method.startswith(('transcode', 'test_material')) else 'mov'}"
            cmd = [sys.executable, __file__, "--one", str(clip), str(out), method]
            if one_core and k % 2:
                cmd = ["taskset", "-c", str(first), *cmd]
            done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
            tally.add(out, float(done.stdout.split()[-1]))
    return {**tally.summary(), "renders": tally.n}


class _Tally:
    """The distinct output files, the largest decoded difference to the first and the mean render seconds."""

    def __init__(self) -> None:
        self.files: collections.Counter[str] = collections.Counter()
        self.first: np.ndarray | None = None
        self.worst, self.seconds, self.n = 0, 0.0, 0

    def add(self, out: Path, seconds: float) -> None:
        self.files[hashlib.sha256(out.read_bytes()).hexdigest()] += 1
        frames = _decoded(out)
        self.first = frames if self.first is None else self.first
        self.worst = max(self.worst, int(np.abs(self.first.astype(np.int16) - frames).max()))
        self.seconds += seconds
        self.n += 1
        out.unlink()

    def summary(self) -> dict[str, object]:
        return {
            "distinct_files": len(self.files),
            "max_pixel_difference": self.worst,
            "seconds_per_render": round(self.seconds / self.n, 3),
            "sha256": self.files.most_common(1)[0][0],
        }


def _decoded(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.stack([f.to_ndarray(format="rgb24") for f in c.decode(video=0)])


def _measure(info, runs: int, tmp: Path, workers: int = 0) -> dict[str, object]:  # type: ignore[no-untyped-def]
    tally = _Tally()
    for k in range(runs):
        out = tmp / f"run{k}.mov"
        t0 = time.perf_counter()
        if workers:
            render_parallel(info, out, _brighten_box, workers=workers)
        else:
            render(info, out, _brighten_box)
        tally.add(out, time.perf_counter() - t0)
    return tally.summary()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clip", type=Path, default=FOOTAGE / "grid_pwij3p.mpg")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--workers", type=int, default=0, help="also render in segments on this many processes")
    ap.add_argument("--cpus", default="", help="comma-separated cores this process may use (default: all)")
    ap.add_argument("--heap", type=int, default=0, help="fresh processes per memory fill (see the docstring)")
    ap.add_argument("--writer", choices=("render", "transcode", "test_material"), default="render")
    ap.add_argument("--one", nargs=3, metavar=("CLIP", "OUT", "METHOD"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        _one(Path(args.one[0]), Path(args.one[1]), args.one[2])
        return
    if args.cpus:
        os.sched_setaffinity(0, {int(c) for c in args.cpus.split(",")})
    info = probe(args.clip)
    ctx = {
        "bench": "render_repro",
        "clip": args.clip.name,
        "frames": info.frame_count,
        "runs": args.runs,
        "cpus": len(os.sched_getaffinity(0)),
    }
    if args.heap:
        _heap_main(args.clip, args.heap, {**ctx, "runs": args.heap * len(FILLS), "writer": args.writer})
        return
    with tempfile.TemporaryDirectory() as tmp:
        results = {"policy": _measure(info, args.runs, Path(tmp))}
        if args.workers:
            results["policy_segments"] = _measure(info, args.runs, Path(tmp), args.workers)
        writer.plan_encode = _ffmpeg_threads  # the peer: the same render, the encoder's threads left to FFmpeg
        try:
            results["ffmpeg_threads"] = _measure(info, args.runs, Path(tmp))
        finally:
            writer.plan_encode = plan_encode
    for method, got in results.items():
        for metric, value in got.items():
            print(json.dumps({**ctx, "method": method, "metric": metric, "value": value}), flush=True)
    ratio = results["ffmpeg_threads"]["seconds_per_render"] / results["policy"]["seconds_per_render"]  # type: ignore[operator]
    print(json.dumps({**ctx, "method": "policy", "metric": "speed_ratio_to_ffmpeg_threads", "value": round(ratio, 3)}))
    if args.workers:
        seg = results["ffmpeg_threads"]["seconds_per_render"] / results["policy_segments"]["seconds_per_render"]  # type: ignore[operator]
        print(json.dumps({**ctx, "method": "policy_segments", "metric": "speed_ratio_to_ffmpeg_threads",
                          "value": round(seg, 3), "workers": args.workers}))  # fmt: skip


def _heap_main(clip: Path, repeats: int, ctx: dict[str, object]) -> None:
    writer_name = str(ctx["writer"])
    methods = ("policy", "x264_own_detection") if writer_name == "render" else (writer_name, f"{writer_name}_before")
    with tempfile.TemporaryDirectory() as tmp:
        results = {m: _measure_heap(clip, m, repeats, Path(tmp), writer_name != "render") for m in methods}
    for method, got in results.items():
        for metric, value in got.items():
            print(json.dumps({**ctx, "method": method, "metric": metric, "value": value}), flush=True)
    new, peer = methods
    ratio = results[peer]["seconds_per_render"] / results[new]["seconds_per_render"]  # type: ignore[operator]
    print(json.dumps({**ctx, "method": new, "metric": f"speed_ratio_to_{peer}", "value": round(ratio, 3)}))


if __name__ == "__main__":
    main()
