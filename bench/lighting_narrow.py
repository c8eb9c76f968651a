"""The dailies search's narrowing (``editor.lighting.narrow.narrow``): its time per reference frame, against the
way it read the clip before (``bench/_peers/narrow_v1.py``: since stop 50, stop 49's steps with stop 44's reading) in
the same run. One JSON line per metric.

For each clip (the shared footage, and held-out versions the project never saw: re-framed, ProRes 10-bit), three
reference frames — a frame of the clip graded with a known gain (R × 1.1, G × 0.95, B × 0.85) — are narrowed from
a start frame elsewhere in the clip, new and peer alternately, each ``--repeats`` times (median wall seconds).
Reported per clip: both medians and their ratio, the frames each found and the true frame (on the short clips both
compare every frame, so they must agree; on the long takes the peer goes coarse to fine).

Long takes (``--long``): a shared clip looped to ``LONG_FRAMES`` frames, written as H.264 (a key frame every 48
frames, as long-GOP camera codecs) and as ProRes 10-bit, cached beside the held-out versions. On these the clip is
read where asked; what is timed besides the narrowing is the first search's read of a clip for its layout prints
(``SCAN`` samples spread over it): in one read before stop 44, one seek per sample from stop 44
(``bench/_peers/spread_read_v1.py``), and from stop 45 the samples before frame 300 in one read (media decodes
those from the first frame whatever is asked) and one seek per sample after (``narrow.read_frames``).

``--reference-clip``: on the long takes, the 8 frames a reference clip brings (graded, spread over the take, each
aligned on the print sample nearest it) narrowed together in one read-through (``narrow_all``), against the peer
narrowing them one after another; the frames found count as right where they show the same picture (the loop's
copies).

Usage: ``PYTHONPATH=. python bench/lighting_narrow.py [--repeats 3] [--long | --reference-clip]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _heldout import DEFAULT_DIR, FOOTAGE, make_variant
from _peers.narrow_v1 import narrow as narrow_v1
from _peers.spread_read_v1 import read as spread_read_v1

from editor.lighting.narrow import ClipFrames, narrow, narrow_all, read_frames
from editor.lighting.register import thumbprint
from editor.lighting.search import SCAN
from media import MediaInfo, iter_frames, probe, read_frame, reproducible_options, sample_indices

CLIPS = (
    "obama-weekly-address_but-heres-the-thing.mp4",
    "obama-weekly-address_a-bad-situation.mp4",
    "grid_pwij3p.mpg",
    "crema-d_1001_DFA_SAD_XX.flv",
)
CASES = ((0.6, 0.55), (0.2, 0.3), (0.85, 0.1))  # (the reference's frame, the start), as shares of the clip
GAIN = np.array([1.1, 0.95, 0.85], np.float32)


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "lighting_narrow", **kw}, sort_keys=True), flush=True)


LONG_FRAMES = 1495  # Obama's 115-frame take 13 times: a minute at 25 fps
LOOP = 115  # ... so frame k shows the same picture as frame k ± 115
REFERENCE_FRAMES = 8  # what a reference clip brings (``editor.lighting.relight.SAMPLES``)
LONG_CODECS = {"h264": ("libx264", "yuv420p", {"crf": "18", "g": "48"}, ".mp4"),
               "prores10": ("prores_ks", "yuv422p10le", {"profile": "3"}, ".mov")}  # fmt: skip


def long_take(src: Path, codec: str) -> Path:
    """``src`` looped to ``LONG_FRAMES`` frames in ``codec`` (written once, cached)."""
    name, pix_fmt, options, suffix = LONG_CODECS[codec]
    dst = DEFAULT_DIR / f"{src.stem}.long-{codec}{suffix}"
    if dst.is_file():
        return dst
    frames = [a for _i, a in iter_frames(probe(src), fmt="rgb24")]
    tmp = dst.with_name(f".{dst.name}.partial{suffix}")
    DEFAULT_DIR.mkdir(parents=True, exist_ok=True)
    with av.open(str(tmp), "w") as out:
        vs = out.add_stream(name, rate=25, options=reproducible_options(name, options))
        vs.height, vs.width = frames[0].shape[:2]
        vs.pix_fmt = pix_fmt
        for n in range(LONG_FRAMES):
            vf = av.VideoFrame.from_ndarray(frames[n % len(frames)], format="rgb24").reformat(format=pix_fmt)
            vf.pts, vf.time_base = n, Fraction(1, 25)
            for pk in vs.encode(vf):
                out.mux(pk)
        for pk in vs.encode():
            out.mux(pk)
    tmp.replace(dst)
    return dst


def run_long(repeats: int) -> None:
    src = FOOTAGE / CLIPS[0]
    for codec in LONG_CODECS:
        info = probe(long_take(src, codec))
        n = info.frame_count
        idx = sample_indices(n, SCAN)
        new_t, old_t, v1_t = [], [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            new_p = [thumbprint(np.asarray(a, np.float32)) for _i, a in read_frames(info, idx)]
            new_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            old_p = [thumbprint(np.asarray(a, np.float32)) for _i, a in iter_frames(info, indices=idx)]
            old_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            v1_p = [thumbprint(np.asarray(a, np.float32)) for _i, a in spread_read_v1(info, idx)]
            v1_t.append(time.perf_counter() - t0)
        ctx = {"clip": f"{CLIPS[0]} looped", "variant": f"long-{codec}", "frames": n, "codec": info.codec_family}
        new_s, old_s, v1_s = statistics.median(new_t), statistics.median(old_t), statistics.median(v1_t)
        emit(metric="prints_read_seconds", method="new", value=round(new_s, 3), **ctx)
        emit(metric="prints_read_seconds", method="one_read", value=round(old_s, 3), **ctx)
        emit(metric="prints_read_seconds", method="seek_each_spread_v1", value=round(v1_s, 3), **ctx)
        emit(metric="prints_read_speedup", value=round(old_s / new_s, 2),
             prints_equal=all(np.array_equal(a, b) for a, b in zip(new_p, old_p, strict=True)), **ctx)  # fmt: skip
        emit(metric="prints_read_speedup_vs_spread_v1", value=round(v1_s / new_s, 2),
             prints_equal=all(np.array_equal(a, b) for a, b in zip(new_p, v1_p, strict=True)), **ctx)  # fmt: skip
        narrow_clip(info, ctx, repeats)


def narrow_clip(info: MediaInfo, ctx: dict[str, object], repeats: int) -> None:
    """The narrowing's time and frames on ``info``'s clip, new against the peer (``CASES``)."""
    n = info.frame_count
    new_t, old_t, found = [], [], []
    for ref_share, start_share in CASES:
        k, start = int(n * ref_share), int(n * start_share)
        target = np.clip(np.asarray(read_frame(info, k), np.float32) * GAIN, 0, 1)
        for _ in range(repeats):
            t0 = time.perf_counter()
            got = narrow(ClipFrames(info, [start]), start, target)[0][0]
            new_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            was = narrow_v1(info, start, target)
            old_t.append(time.perf_counter() - t0)
        found.append((k, got, was))
    new_s, old_s = statistics.median(new_t), statistics.median(old_t)
    emit(metric="narrow_seconds", method="new", value=round(new_s, 3), **ctx)
    emit(metric="narrow_seconds", method="read_each_round", value=round(old_s, 3), **ctx)
    emit(metric="narrow_speedup", value=round(old_s / new_s, 2), **ctx)
    emit(metric="narrow_found", true=[f[0] for f in found], new=[f[1] for f in found],
         read_each_round=[f[2] for f in found], agree=all(f[1] == f[2] for f in found), **ctx)  # fmt: skip


def run_reference_clip(repeats: int) -> None:
    """``--reference-clip``: on each long take, the ``REFERENCE_FRAMES`` graded frames a reference clip brings, each
    aligned on the print sample nearest it, narrowed together (``narrow_all``: one read-through) against one after
    another by the peer (stop 49's narrowing, reading each round)."""
    src = FOOTAGE / CLIPS[0]
    for codec in LONG_CODECS:
        info = probe(long_take(src, codec))
        n = info.frame_count
        samples = sample_indices(n, SCAN)
        truth = [int(n * (j + 0.5) / REFERENCE_FRAMES) for j in range(REFERENCE_FRAMES)]
        starts = [min(samples, key=lambda s, k=k: abs(s - k)) for k in truth]
        targets = [np.clip(np.asarray(read_frame(info, k), np.float32) * GAIN, 0, 1) for k in truth]
        new_t, old_t = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            got = [sl[0][0] for sl in narrow_all(ClipFrames(info, starts), starts, targets)]
            new_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            was = [narrow_v1(info, s, t) for s, t in zip(starts, targets, strict=True)]
            old_t.append(time.perf_counter() - t0)
        ctx = {"clip": f"{CLIPS[0]} looped", "variant": f"long-{codec}", "frames": n, "codec": info.codec_family,
               "reference_frames": REFERENCE_FRAMES}  # fmt: skip
        new_s, old_s = statistics.median(new_t), statistics.median(old_t)
        emit(metric="reference_clip_seconds", method="new", value=round(new_s, 3), **ctx)
        emit(metric="reference_clip_seconds", method="read_each_round", value=round(old_s, 3), **ctx)
        emit(metric="reference_clip_found", true=truth, new=got, read_each_round=was, loop=LOOP,
             new_same_picture=sum((g - k) % LOOP == 0 for g, k in zip(got, truth, strict=True)),
             peer_same_picture=sum((w - k) % LOOP == 0 for w, k in zip(was, truth, strict=True)), **ctx)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--long", action="store_true", help="only the long takes")
    ap.add_argument("--reference-clip", action="store_true", help="only a reference clip's frames on the long takes")
    args = ap.parse_args()
    if args.reference_clip:
        run_reference_clip(args.repeats)
        return
    if args.long:
        run_long(args.repeats)
        return
    for name in CLIPS:
        for variant in ("shared", "crop", "prores10"):
            info = probe(FOOTAGE / name if variant == "shared" else make_variant(FOOTAGE / name, variant))
            narrow_clip(info, {"clip": name, "variant": variant, "frames": info.frame_count,
                               "codec": info.codec_family}, args.repeats)  # fmt: skip


if __name__ == "__main__":
    main()
