"""Labelling and edit-render throughput with segment-parallel encoding (``embed_video(workers=N)``,
``editor.segmented``, ``media.render_parallel``).

For each source — 1080p ProRes 422 HQ (.mov, 16-bit PCM audio) and 1080p H.264 (.mp4, CRF 14, a key frame every
2 s, AAC audio), both 25 fps with timecode 10:00:00:00 — the same file is processed in the same run by:

- ``codec_only``: ``media.render(info, out)`` — decode + encode under the encode policy, no mark (the floor: what
  one encoder stream costs);
- ``label_sequential``: ``embed_video(src, out, key, mark_audio=True)`` — the product before this change;
- ``label_parallel``: the same with ``workers=N`` (a process pool of N workers on this machine), for each N in
  ``--workers``; with ``--engine ray --ray-address ADDR`` also on the Ray executor
  (``cutproof.scale.ray_executor.RayExecutor``) with N segments in flight. Each line carries ``join_s``, the time
  of the one serial step after the segments (copying their packets into the output, with the audio); with
  ``--audio both`` every parallel run is made twice: ``spooled`` (the product: the marked audio is made in the
  calling process while the segments render) and ``in-join`` (the peer, as before: the join marks the audio).

With ``--task edit`` the same sources get the relight edit (``editor.lighting.relight``: the project model's grade,
feathered into a region, with an exposure and saturation adjustment; per frame a LUT look-up for 8-bit sources, the
smooth grade's tables for 10-bit) instead of the label: ``codec_only`` as above, then ``edit_sequential``
(``relight(…)``, one piece) and ``edit_parallel`` (``relight(…, workers=N)``). The lighting model is trained for a
few steps on the source itself (its quality is not measured here), and the edit is planned once (the grade fit,
timed on its own ``edit_plan`` line) and that plan reused by every run, so the edit lines time the render alone; the
parallel outputs are checked against the sequential one (same frame count; ProRes: the same video packets).

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
    python bench/scale.py --task edit --seconds 20   # edit-render throughput (relight)
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import numpy as np  # noqa: E402

from labeler.watermark import detect_video, embed_video  # noqa: E402
from media import _parallel, probe, render, reproducible_options  # noqa: E402

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
        st = out.add_stream(codec, rate=RATE, options=reproducible_options(codec, opts))
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


def bench(
    kind: str, work: Path, seconds: int, workers: list[int], engine: str, ray_address: str | None, spools: list[str]
) -> None:
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
    runs: list[tuple[str, int, Any, str]] = [("process", w, None, m) for w in workers for m in spools]
    if engine == "ray":
        assert ray_address is not None
        runs += [("ray", w, _ray_executor(ray_address), m) for w in workers for m in spools]
    for name, n, executor, mode in runs:
        with _audio_spool(mode) as join:
            report, wall, cpu, l0, l1 = _timed(
                lambda n=n, executor=executor: embed_video(src, out, KEY, mark_audio=True, workers=n, executor=executor)
            )
        found = detect_video(out).key
        if report.frames != frames or found != KEY:
            raise SystemExit(f"{kind}: the {name} run with {n} workers wrote {report.frames} frames, key {found}")
        speedup = sequential / wall
        target = TARGET_SPEEDUP_2 if n == 2 else None
        line("label_parallel", wall, cpu, l0, l1, engine=name, workers=n, audio=mode, join_s=round(join[0], 2),
             speedup=round(speedup, 3), target_speedup=target, target_met=None if target is None else speedup >= target,
             ratio_to_codec_only=round(wall / floor, 3))  # fmt: skip
        out.unlink()
    src.unlink()


@contextlib.contextmanager
def _audio_spool(mode: str) -> Iterator[list[float]]:
    """Time the join of a segment-parallel run (``media._parallel._join``: the one serial step after the segments),
    into the list yielded. ``spooled``: the product — the marked audio is made while the segments render
    (``AudioMux.spool``); ``in-join``: the peer, as before that change — no spool, so the join decodes, marks and
    encodes the audio as it copies the video packets."""
    spent = [0.0]
    real_join, real_spooling = _parallel._join, _parallel._spooling

    def timed_join(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return real_join(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t

    _parallel._join = timed_join
    if mode == "in-join":
        _parallel._spooling = lambda audio, folder: contextlib.nullcontext()
    try:
        yield spent
    finally:
        _parallel._join, _parallel._spooling = real_join, real_spooling


def _packets_digest(path: Path) -> str:
    h = hashlib.sha256()
    with av.open(str(path)) as c:
        for p in c.demux(c.streams.video[0]):
            if p.size:
                h.update(bytes(p))
    return h.hexdigest()


def bench_edit(kind: str, work: Path, seconds: int, workers: list[int]) -> None:
    """Edit-render throughput (relight): see the module docstring."""
    from sqlalchemy import create_engine

    from editor import create_schema
    from editor.lighting import Adjustments, LightingConfig, Shot, TrainingClip, load_model, train_lighting
    from editor.models import ModelRegistry
    from media import Region
    from store.blobs import BlobStore

    relight_module = importlib.import_module("editor.lighting.relight")
    t0 = time.perf_counter()
    src = make_source(kind, work, seconds)
    info = probe(src)
    emit(metric="source", material=kind, codec=info.codec, profile=info.profile, width=info.width,
         height=info.height, frames=info.frame_count, seconds=float(info.duration), timecode=info.timecode,
         audio=[a.codec for a in info.audio], made_in_s=round(time.perf_counter() - t0, 1))  # fmt: skip
    frames = info.frame_count

    def line(metric: str, wall: float, cpu: float, l0: float, l1: float, **extra: Any) -> None:
        emit(metric=metric, task="edit", edit="relight", material=kind, frames=frames, wall_s=round(wall, 2),
             fps=round(frames / wall, 2), cpu_ms_per_frame=round(1000 * cpu / frames, 1), load_before=round(l0, 2),
             load_after=round(l1, 2), cpus=os.cpu_count(), **extra)  # fmt: skip

    out = work / f"out{src.suffix}"
    _, wall, cpu, l0, l1 = _timed(lambda: render(info, out, overwrite=True))
    floor = wall
    line("codec_only", wall, cpu, l0, l1)
    out.unlink()
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    trained = train_lighting(
        [TrainingClip(info, digest)], config=LightingConfig(steps=4, batch=2, frames_per_clip=3), progress=False
    )
    engine = create_engine(f"sqlite:///{work / 'models.db'}")
    create_schema(engine)
    registry = ModelRegistry(engine, BlobStore(work / "blobs"))
    registry.register(trained.manifest, trained.model_file, metrics=trained.metrics)
    model = load_model(registry, trained.manifest.model_id)
    shot = Shot(info, digest)
    args: dict[str, Any] = {
        "adjustments": Adjustments(exposure=0.3, saturation=0.9),
        "region": Region(480, 120, 960, 840),
    }
    plan, wall, cpu, l0, l1 = _timed(lambda: relight_module.plan_relight(shot, model, **args))
    line("edit_plan", wall, cpu, l0, l1, note="the grade fit, made once; the edit lines below reuse it")
    real_plan = relight_module.plan_relight
    relight_module.plan_relight = lambda *a, **k: plan
    try:
        (one, _), wall, cpu, l0, l1 = _timed(lambda: relight_module.relight(shot, model, out, **args))
        sequential = wall
        line("edit_sequential", wall, cpu, l0, l1, workers=1, ratio_to_codec_only=round(wall / floor, 3))
        reference = _packets_digest(out) if kind == "prores" else None
        out.unlink()
        for n in workers:
            (many, _), wall, cpu, l0, l1 = _timed(
                lambda n=n: relight_module.relight(shot, model, out, workers=n, **args)
            )
            written = probe(out).frame_count
            same = None if reference is None else _packets_digest(out) == reference
            if written != frames or same is False or many.metrics != one.metrics:
                raise SystemExit(f"{kind}: the relight with {n} workers differs from the sequential one")
            speedup = sequential / wall
            target = TARGET_SPEEDUP_2 if n == 2 else None
            line("edit_parallel", wall, cpu, l0, l1, engine="process", workers=n, speedup=round(speedup, 3),
                 target_speedup=target, target_met=None if target is None else speedup >= target,
                 ratio_to_codec_only=round(wall / floor, 3), same_video_packets=same)  # fmt: skip
            out.unlink()
    finally:
        relight_module.plan_relight = real_plan
    src.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=120, help="source length in seconds (default 120)")
    ap.add_argument("--workers", default="2", help="comma-separated worker counts for the parallel runs (default 2)")
    ap.add_argument("--materials", default="prores,h264", help="comma-separated: prores, h264")
    ap.add_argument("--engine", choices=("process", "ray"), default="process")
    ap.add_argument("--task", choices=("label", "edit"), default="label", help="label (default) or edit (relight)")
    ap.add_argument("--ray-address", default=None, help="Ray cluster address for --engine ray")
    ap.add_argument("--audio", choices=("spooled", "in-join", "both"), default="spooled",
                    help="label runs: the marked audio made while the segments render (spooled, the product), in "
                    "the join (in-join, the peer: as before) or both")  # fmt: skip
    args = ap.parse_args()
    if args.engine == "ray" and not args.ray_address:
        ap.error("--engine ray needs --ray-address ADDR")
    if not (FOOTAGE / CLIP).is_file():
        raise SystemExit(f"{FOOTAGE / CLIP} not found: place ../shared beside the repository or set CUTPROOF_FOOTAGE")
    workers = [int(w) for w in args.workers.split(",")]
    spools = ["spooled", "in-join"] if args.audio == "both" else [args.audio]
    work = Path(tempfile.mkdtemp(prefix="cutproof-scale-"))
    try:
        for kind in args.materials.split(","):
            if args.task == "edit":
                bench_edit(kind, work, args.seconds, workers)
            else:
                bench(kind, work, args.seconds, workers, args.engine, args.ray_address, spools)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
