"""Does the probe's decode check give the same verdict every time, on any machine — and what does that cost?

Two parts, in the same run:

``verdicts``: damaged clips checked many times each (``quick`` and ``full``) by

- ``old``: the check as it was before (``media._probe._verify_decode`` at commit 8a0bed4, copied below), with the
  decoder's threads as it had them (``AUTO``: frame + slice threads, FFmpeg's count: cores + 1), and the same code
  with ``SLICE`` threads, with one thread, and with frame threads at fixed counts (2, 3, 8, 16: what ``AUTO``
  picks on 1, 2, 7 and 15+ cores);
- ``new``: ``media._decode_check.verify_decode`` (the product) at its own frame-thread count and at 2, 3, 8, 16.

The clips: the recipe of ``tests/cutproof/test_camera_provenance.py``'s TAMPERED clip (1 s, 320×240, camera-signed,
one byte flipped half-way into ``mdat``), built afresh several times (x264 with threads is not bit-reproducible, so
each build is a different file), and the same clip with the byte flipped where one build of the test put it (the
NAL length of packet 9); a 4 s clip with a key frame every second damaged in the NAL length of packet 1, 40, and
of each of the last three packets; a 1 s clip damaged in its last packet. Each line: clip, method, check and the
verdicts counted; a ``summary`` per method: the clips whose verdict changed between repeats, and those whose
verdict differs from the one-thread verdict.

``fixture``: how often the TAMPERED recipe (``--fixture-builds`` builds) gives a clip the quick check rejects, with
the byte flipped half-way into ``mdat`` (as the test did) and by ``flip_byte_in_media_data`` (inside a coded slice
now); and how many distinct files the builds were.

``cost``: the full and quick check's wall and CPU seconds, median of ``--repeats`` runs, old (``AUTO``) and new in
alternating order, and ``slice_only`` (the whole file decoded slice-threaded: the simple alternative to the new
rule), on the largest clip of ../shared/footage and on synthetic 1080p H.264 (5 s at 24 fps, x264 veryfast CRF 18,
one slice per picture) with a key frame every second and with x264's default (one every 250 frames: the whole clip
is one group of pictures). Ratio: new / old. The machine is shared: the 1-minute load average is on each line.

    python bench/decode_check.py                  # all three parts (~4 min on two busy cores)
    python bench/decode_check.py --part cost --cost-repeats 7
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
import cv2  # noqa: E402
import numpy as np  # noqa: E402

import media._probe as probe_module  # noqa: E402
from labeler._bmff import top_level_boxes  # noqa: E402
from media import MediaInfo  # noqa: E402
from media._decode_check import KeyFrame, frame_threads, verify_decode  # noqa: E402
from media._open import _reason, open_input, video_stream  # noqa: E402
from media.errors import CorruptMediaError, MediaError  # noqa: E402
from tests._support.camera import camera_sign, make_camera_ca  # noqa: E402
from tests._support.video import flip_byte_in_media_data, make_clip  # noqa: E402

FOOTAGE = Path(os.environ.get("CUTPROOF_FOOTAGE", ROOT.parent / "shared" / "footage"))
LARGEST = "obama-weekly-address_but-heres-the-thing.mp4"


def emit(**kw: Any) -> None:
    print(json.dumps(kw), flush=True)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


# ------------------------------------------------------------------------------------------- the check before


def old_verify(info: MediaInfo, *, full: bool, thread_type: str = "AUTO", thread_count: int = 0) -> None:
    """``media._probe._verify_decode`` at 8a0bed4, its threads made a parameter (``AUTO``/0 is the old code)."""
    decoded = 0
    with open_input(info.path) as container:
        stream = video_stream(container, info.path)
        stream.thread_type = thread_type
        if thread_count:
            stream.thread_count = thread_count
        try:
            for frame in container.decode(stream):
                if (frame.width, frame.height) != (info.width, info.height):
                    raise CorruptMediaError(
                        f"{info.path.name}: frame {decoded} is {frame.width}×{frame.height}, not the "
                        f"{info.width}×{info.height} the header declares; the file is corrupt"
                    )
                decoded += 1
                if not full and decoded >= 1:
                    break
            if not full and info.frame_count > 1:
                decoded += _old_decode_tail(container, stream, info)
        except av.FFmpegError as exc:
            raise CorruptMediaError(
                f"{info.path.name}: frame {decoded} does not decode ({_reason(exc)}); the file is corrupt or "
                "truncated — re-copy it from the camera card"
            ) from None
    if decoded == 0 or (full and decoded * 10 < info.frame_count * 9):
        raise CorruptMediaError(
            f"{info.path.name}: only {decoded} of {info.frame_count} frames decode; the file is corrupt"
        )


def _old_decode_tail(container: Any, stream: Any, info: MediaInfo) -> int:
    tb = stream.time_base
    start = stream.start_time or 0
    target = start + int(max(Fraction(0), info.duration - Fraction(2)) / Fraction(tb.numerator, tb.denominator))
    with contextlib.suppress(av.FFmpegError):
        container.seek(target, stream=stream, backward=True, any_frame=False)
    count = sum(1 for _ in container.decode(stream))
    if count == 0:
        raise CorruptMediaError(f"{info.path.name}: the last frames do not decode; the file is truncated")
    return count


def described(path: Path) -> tuple[MediaInfo, list[KeyFrame]]:
    """``probe``'s description and key frames, without its decode check."""
    return probe_module.describe(path)


def verdict(check: Callable[[], None]) -> str:
    try:
        check()
    except MediaError as exc:
        return str(exc).split(": ", 1)[1].split(" (")[0].split(";")[0]
    return "ok"


# ------------------------------------------------------------------------------------------------ the clips


def _flip(path: Path, offset: int, dest: Path) -> Path:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    dest.write_bytes(bytes(data))
    return dest


def _mid_mdat(path: Path) -> int:
    boxes, _ = top_level_boxes(path)
    mdat = next(b for b in boxes if b.kind == b"mdat")
    return mdat.offset + mdat.header + (mdat.size - mdat.header) // 2


def _packets(path: Path) -> list[tuple[int, int]]:
    with av.open(str(path)) as c:
        return [(int(p.pos), int(p.size)) for p in c.demux(video=0) if p.size]


def _gop_clip(path: Path, seconds: int, size: tuple[int, int], gop: int, seed: int = 7) -> Path:
    """A smooth, moving clip (as ``make_clip``), x264 veryfast CRF 18, one slice per picture, key frame every
    ``gop`` frames."""
    w, h = size
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.normal(0, 1, (h + 64, w + 64, 3)).astype(np.float32), (0, 0), 6)
    big = ((noise - noise.min()) / (noise.max() - noise.min()) * 255).astype(np.uint8)
    with av.open(str(path), "w") as out:
        vs = out.add_stream("libx264", rate=24)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.thread_type = "FRAME"  # x264 frame threads: one slice per picture, like most camera H.264 decoders see
        vs.options = {"crf": "18", "preset": "veryfast", "g": str(gop), "keyint_min": str(gop)}
        for i in range(seconds * 24):
            img = np.ascontiguousarray(big[i % 64 : i % 64 + h, (2 * i) % 64 : (2 * i) % 64 + w])
            img[h // 3 : h // 3 + h // 4, (i * 7) % (w // 2) : (i * 7) % (w // 2) + h // 4] = (230, 200, 160)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            out.mux(vs.encode(frame))
        out.mux(vs.encode())
    return path


def damaged_clips(work: Path, builds: int) -> dict[str, Path]:
    clips: dict[str, Path] = {}
    camera = make_camera_ca()
    for k in range(builds):
        raw = make_clip(work / f"raw{k}.mp4", seconds=1, size=(320, 240), audio=False, seed=2)
        signed = camera_sign(camera, raw, work / f"signed{k}.mp4")
        clips[f"tampered-recipe-build{k}"] = _flip(signed, _mid_mdat(signed), work / f"tampered{k}.mp4")
        if k == 0:
            pos, _ = _packets(signed)[9]
            clips["tampered-recipe-nal-length-packet9"] = _flip(signed, pos + 1, work / "tampered-p9.mp4")
    long = _gop_clip(work / "long.mp4", 4, (320, 240), 24)
    packets = _packets(long)
    for j in (1, 40, len(packets) - 3, len(packets) - 2, len(packets) - 1):
        clips[f"4s-gop24-nal-length-packet{j}-of-{len(packets)}"] = _flip(long, packets[j][0], work / f"long-{j}.mp4")
    short = make_clip(work / "short.mp4", seconds=1, size=(320, 240), audio=False, seed=4)
    last = _packets(short)[-1][0]
    clips["1s-nal-length-last-packet"] = _flip(short, last, work / "short-last.mp4")
    return clips


# -------------------------------------------------------------------------------------------------- verdicts


def part_verdicts(work: Path, repeats: int, builds: int) -> None:
    few = max(1, repeats // 5)
    methods: list[tuple[str, int, Callable[[MediaInfo, list[KeyFrame], bool], None]]] = [
        ("old AUTO (before)", repeats, lambda i, k, f: old_verify(i, full=f)),
        ("old SLICE", repeats, lambda i, k, f: old_verify(i, full=f, thread_type="SLICE")),
        ("old one thread", repeats, lambda i, k, f: old_verify(i, full=f, thread_type="SLICE", thread_count=1)),
        *[
            (f"old FRAME {n}", few, lambda i, k, f, n=n: old_verify(i, full=f, thread_type="FRAME", thread_count=n))
            for n in (2, 3, 8, 16)
        ],
        (f"new (product, {frame_threads()} frame threads)", repeats, lambda i, k, f: verify_decode(i, k, full=f)),
        *[
            (f"new {n} frame threads", few, lambda i, k, f, n=n: verify_decode(i, k, full=f, threads=n))
            for n in (2, 3, 8, 16)
        ],
    ]  # fmt: skip
    emit(metric="config", part="verdicts", repeats=repeats, few=few, builds=builds, cpus=len(os.sched_getaffinity(0)),
         ffmpeg=str(getattr(av, "ffmpeg_version_info", "")), pyav=av.__version__)  # fmt: skip
    unstable: dict[str, list[str]] = collections.defaultdict(list)
    off_reference: dict[str, list[str]] = collections.defaultdict(list)
    for name, path in damaged_clips(work, builds).items():
        info, keys = described(path)
        for check in ("quick", "full"):
            passed: dict[str, set[bool]] = {}
            for method, n, run in methods:
                counts = collections.Counter(verdict(partial(run, info, keys, check == "full")) for _ in range(n))
                emit(metric="verdicts", clip=name, method=method, check=check, verdicts=dict(counts))
                passed[method] = {v == "ok" for v in counts}
                if len(counts) > 1:
                    unstable[method].append(f"{name} {check}")
            for method, _, _ in methods:
                if passed[method] != passed["old one thread"]:
                    off_reference[method].append(f"{name} {check}")
    for method, _, _ in methods:
        emit(metric="summary", method=method, verdict_changed_between_repeats=unstable[method],
             pass_fail_differs_from_one_thread=off_reference[method])  # fmt: skip


# --------------------------------------------------------------------------------------------------- fixture


def part_fixture(work: Path, builds: int) -> None:
    camera = make_camera_ca()
    files: set[str] = set()
    rejected: dict[str, collections.Counter[str]] = {"mid-mdat (before)": collections.Counter(),
                                                     "flip_byte_in_media_data": collections.Counter()}  # fmt: skip
    for k in range(builds):
        raw = make_clip(work / "raw.mp4", seconds=1, size=(320, 240), audio=False, seed=2)
        files.add(hashlib.sha256(raw.read_bytes()).hexdigest())
        signed = camera_sign(camera, raw, work / "signed.mp4")
        old = _flip(signed, _mid_mdat(signed), work / "old.mp4")
        new = work / "new.mp4"
        new.write_bytes(signed.read_bytes())
        flip_byte_in_media_data(new)
        for how, path in (("mid-mdat (before)", old), ("flip_byte_in_media_data", new)):
            got = verdict(partial(probe_module.probe, path))
            rejected[how][got] += 1
            if got != "ok":
                where = next(
                    (i, off)
                    for i, (pos, size) in enumerate(_packets(path))
                    if 0 <= (off := _changed(signed, path) - pos) < size
                )
                emit(
                    metric="fixture_rejected",
                    build=k,
                    flip=how,
                    verdict=got,
                    packet=where[0],
                    offset_in_packet=where[1],
                )
    emit(
        metric="fixture",
        builds=builds,
        distinct_raw_files=len(files),
        verdicts={h: dict(c) for h, c in rejected.items()},
    )


def _changed(a: Path, b: Path) -> int:
    x, y = a.read_bytes(), b.read_bytes()
    return next(i for i in range(len(x)) if x[i] != y[i])


# ------------------------------------------------------------------------------------------------------ cost


def _timed(fn: Callable[[], None]) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - t0, _cpu() - c0


def part_cost(work: Path, repeats: int) -> None:
    sources = {
        f"footage {LARGEST}": FOOTAGE / LARGEST,
        "synthetic 1080p h264 gop24": _gop_clip(work / "hd-gop24.mp4", 5, (1920, 1080), 24),
        "synthetic 1080p h264 gop250": _gop_clip(work / "hd-gop250.mp4", 5, (1920, 1080), 250),
    }
    cpus = len(os.sched_getaffinity(0))
    emit(metric="config", part="cost", repeats=repeats, cpus=cpus, frame_threads=frame_threads())
    for label, path in sources.items():
        info, keys = described(path)
        clip = dict(clip=label, codec=info.codec, size=f"{info.width}x{info.height}", frames=info.frame_count,
                    key_frames=len(keys))  # fmt: skip
        for check in ("full", "quick"):
            full = check == "full"
            methods: dict[str, Callable[[], None]] = {
                "old_auto": partial(old_verify, info, full=full),
                "new": partial(verify_decode, info, keys, full=full),
            }
            if full:
                methods["slice_only"] = partial(old_verify, info, full=True, thread_type="SLICE")
            times: dict[str, list[tuple[float, float]]] = {m: [] for m in methods}
            for r in range(repeats):
                order = list(methods) if r % 2 == 0 else list(reversed(methods))
                for m in order:
                    times[m].append(_timed(methods[m]))
            wall = {m: statistics.median(t[0] for t in v) for m, v in times.items()}
            cpu = {m: statistics.median(t[1] for t in v) for m, v in times.items()}
            for m in methods:
                emit(metric="decode_check_seconds", **clip, check=check, method=m, wall_s=round(wall[m], 4),
                     cpu_s=round(cpu[m], 4), ratio_wall_vs_old=round(wall[m] / wall["old_auto"], 3),
                     load1=round(os.getloadavg()[0], 2))  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["verdicts", "fixture", "cost", "all"], default="all")
    ap.add_argument("--repeats", type=int, default=50, help="verdicts: checks per clip and method (cost: runs)")
    ap.add_argument("--builds", type=int, default=4, help="fresh builds of the test's TAMPERED recipe")
    ap.add_argument("--fixture-builds", type=int, default=400)
    ap.add_argument("--cost-repeats", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cutproof-bench-decode-") as tmp:
        if args.part in ("verdicts", "all"):
            part_verdicts(Path(tmp), args.repeats, args.builds)
        if args.part in ("fixture", "all"):
            part_fixture(Path(tmp), args.fixture_builds)
        if args.part in ("cost", "all"):
            part_cost(Path(tmp), args.cost_repeats)


if __name__ == "__main__":
    main()
