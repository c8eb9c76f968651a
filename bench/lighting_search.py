"""The dailies search's pick (``editor.lighting.search.find_original``): which frame it finds when the reference has
been through a codec of its own, and whether two versions of one picture are told apart by codec noise alone. The
search before stop 49 (``bench/_peers/search_pick_v1.py``: its narrowing, which could end on frames it had never
compared, and the frame that narrowing ranked first) runs in the same run. One JSON line per metric.

``--frames``: for each clip (shared footage and held-out versions the project never saw: re-framed, ProRes 10-bit),
three of its frames are graded with a known gain (R × 1.1, G × 0.95, B × 0.85), re-framed (the centre 90 % scaled to
480 px wide) and sent as an 8-bit JPEG still at quality ``--quality``; the clip alone is offered. Reported per clip
and method: the frames found against the true ones, the residual, the seconds; then, over all, the share found
exactly and within one frame.

``--ties``: the tests' case (``tests/editor/test_relight_dailies.py``): GRID pwij3p frames 30–41 at 320×256, graded
warmer (R × 1.05, B × 0.95) and cooler (R × 0.95, B × 1.05), each encoded ``--encodes`` ways (H.264, each with its own
±½-level dither before rounding); the reference is frame 35 as decoded from the shared clip (not through the clip's
codec) with the tests' known look, re-framed. Each version is searched alone; reported per method: the residuals, and of
the warmer × cooler pairs how many each rule calls alike (``fit_alike`` now, within ``TIE`` before; the two are versions
of one picture, so every pair should be). Then the ungraded frames, encoded once, are offered, and the reference is sent
through H.264 ``--encodes`` ways, each with its own ±1-level noise: the frames found (the clip's and the reference's
codec noise are then independent, unlike in the tests, where the reference is made from the offered clip's decoded
frame).

``--long``: clips longer than the 300 frames a clip is read once for (``search.CACHE_FRAMES``), made from the shared
footage and cached beside the held-out versions: ``obama-day``, Obama's three takes one after another (333 frames,
720p, H.264 CRF 18); ``reel``, all eight shared clips one after another in a 640×360 frame (671 frames, H.264 CRF 18),
the 4:3 takes (GRID, CREMA-D) pillarboxed, as a day's dailies reel holds them; ``reel-prores10``, the same reel as
ProRes 422 HQ 10-bit. Three frames of each take (as in ``--frames``) are graded and sent as JPEG stills; the long
clip alone is offered. Reported per clip and method: the frames found against the true ones, how many were found
exactly, within one frame and within the right take, the seconds. Methods: ``new``; ``narrow_v49``, the narrowing as
stop 49 left it (``bench/_peers/search_narrow_v49.py``: coarse to fine in a clip this long, the motion measured over
the whole picture); ``every_frame_whole_picture``, every frame compared as now but over the whole picture, bars
included (what the bars alone do). ``--methods`` runs only those named.

Usage: ``PYTHONPATH=. python bench/lighting_search.py --frames|--ties|--long [--encodes 20] [--variants crop,prores10]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _heldout import DEFAULT_DIR, FOOTAGE, clip_set
from _peers.search_narrow_v49 import every_frame_whole_picture, narrow_v49
from _peers.search_pick_v1 import motion_pick

import editor.lighting.search as search
from editor.lighting.relight import Shot
from editor.lighting.smooth import N_PARAMS
from media import iter_frames, probe, read_frame, reproducible_options
from tests.editor._graded_elsewhere import warm_highlights
from tests.editor._media import write_clip

CLIPS = ("grid_pwij3p.mpg", "crema-d_1001_DFA_ANG_XX.flv", "obama-weekly-address_a-bad-situation.mp4")
SHARES = (0.2, 0.5, 0.8)  # the reference frames, as shares of the clip
GAIN = np.array([1.1, 0.95, 0.85], np.float32)
METHODS: dict[str, Callable[[], AbstractContextManager[None]]] = {"new": nullcontext, "motion_pick_v1": motion_pick}


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "lighting_search", **kw}, sort_keys=True), flush=True)


def _u8(rgb: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(rgb * 255), 0, 255).astype(np.uint8)


def _still(rgb: np.ndarray, quality: int) -> np.ndarray:
    """A graded frame as a colourist sends it: the centre 90 % at 480 px wide, through an 8-bit JPEG."""
    h, w = rgb.shape[:2]
    c = rgb[round(h * 0.05) : round(h * 0.95), round(w * 0.05) : round(w * 0.95)]
    c = cv2.resize(c, (480, 2 * round(240 * c.shape[0] / c.shape[1])), interpolation=cv2.INTER_CUBIC)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(_u8(c), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB).astype(np.float32) / 255


def _shot(path: Path) -> Shot:
    return Shot(probe(path), hashlib.sha256(path.read_bytes()).hexdigest())


def frames(variants: tuple[str, ...], quality: int) -> None:
    prior = np.zeros(N_PARAMS, np.float32)
    hits: dict[str, list[int]] = {m: [] for m in METHODS}
    for name, variant, path in clip_set(list(CLIPS), variants):
        shot = _shot(path)
        n = shot.info.frame_count
        for method, ctx in METHODS.items():
            got, residuals, seconds = [], [], []
            truth = [int(n * s) for s in SHARES]
            for k in truth:
                original = read_frame(shot.info, k)
                ref = _still(np.clip(original * GAIN, 0, 1), quality)
                px = original.reshape(-1, 3)[::97]
                search._PRINTS.clear()  # each search reads its clip's prints afresh, as a first search does
                t0 = time.perf_counter()
                with ctx():
                    found = search.find_original([ref], search.Dailies([shot]), prior, px).found
                seconds.append(time.perf_counter() - t0)
                got.append(found.frames[0] if found else None)
                residuals.append(found.residual if found else None)
            hits[method] += [abs(g - t) if g is not None else 99 for g, t in zip(got, truth, strict=True)]
            emit(metric="found_frames", clip=name, variant=variant, method=method, true=truth, found=got,
                 residual=residuals, seconds=round(statistics.median(seconds), 2))  # fmt: skip
    for method, errs in hits.items():
        emit(metric="found_exact", method=method, value=round(sum(e == 0 for e in errs) / len(errs), 3), n=len(errs))
        emit(metric="found_within_1", method=method, value=round(sum(e <= 1 for e in errs) / len(errs), 3))


def ties(encodes: int) -> None:
    info = probe(FOOTAGE / "grid_pwij3p.mpg")
    src = [cv2.resize(read_frame(info, 30 + k), (320, 256), interpolation=cv2.INTER_AREA) for k in range(12)]
    original = src[5]
    h, w = original.shape[:2]
    c = warm_highlights(original)[round(h * 0.05) : round(h * 0.95), round(w * 0.05) : round(w * 0.95)]
    ref = cv2.resize(c, (480, 2 * round(240 * c.shape[0] / c.shape[1])), interpolation=cv2.INTER_CUBIC)
    shots = [read_frame(info, 30 + k) for k in (2, 9)]
    px = np.concatenate([s.reshape(-1, 3) for s in shots])[::7]
    prior = np.zeros(N_PARAMS, np.float32)
    grades = {"warmer": np.array([1.05, 1.0, 0.95]), "cooler": np.array([0.95, 1.0, 1.05])}
    with tempfile.TemporaryDirectory() as tmp:
        clips = {g: [] for g in grades}
        for g, gain in grades.items():
            for seed in range(encodes):
                rng = np.random.default_rng(seed)
                pics = [np.clip(np.rint(np.clip(f * gain, 0, 1) * 255 + rng.uniform(-0.5, 0.5, f.shape)), 0, 255)
                        .astype(np.uint8) for f in src]  # fmt: skip
                clips[g].append(_shot(write_clip(Path(tmp) / f"{g}{seed}.mp4", pictures=pics)))
        for method, ctx in METHODS.items():
            res: dict[str, list[float]] = {g: [] for g in grades}
            for g, shots_g in clips.items():
                for shot in shots_g:
                    with ctx():
                        found = search.find_original([ref], search.Dailies([shot]), prior, px).found
                    res[g].append(found.residual if found else float("nan"))
            pairs = [(a, b) for a in res["warmer"] for b in res["cooler"]]
            alike = sum(search.fit_alike(a, b) for a, b in pairs)  # the rule now
            within_tie = sum(abs(a - b) <= search.TIE for a, b in pairs)  # the rule before stop 49
            ratios = sorted(max(a, b) / min(a, b) for a, b in pairs)
            for g, r in res.items():
                emit(metric="residuals", method=method, grade=g, min=round(min(r), 3), max=round(max(r), 3),
                     mean=round(statistics.mean(r), 3))  # fmt: skip
            emit(metric="pair_ratio", method=method, median=round(ratios[len(ratios) // 2], 3),
                 p99=round(ratios[int(len(ratios) * 0.99)], 3), max=round(ratios[-1], 3))  # fmt: skip
            emit(metric="pairs_alike", method=method, rule="fit_alike", value=alike, of=len(pairs))
            emit(metric="pairs_alike", method=method, rule="within_TIE", value=within_tie, of=len(pairs))
        # the reference itself through H.264, each time with its own ±1-level noise; the original clip offered
        pics = [_u8(np.clip(f, 0, 1)) for f in src]
        original_clip = _shot(write_clip(Path(tmp) / "original.mp4", pictures=pics))
        still = _u8(ref)
        refs = []
        for seed in range(encodes):
            noisy = np.clip(still.astype(int) + np.random.default_rng(seed).integers(-1, 2, still.shape), 0, 255)
            sent = write_clip(Path(tmp) / f"ref{seed}.mp4", pictures=[noisy.astype(np.uint8)] * 2)
            refs.append(read_frame(probe(sent), 0))
        for method, ctx in METHODS.items():
            got = []
            for r in refs:
                with ctx():
                    found = search.find_original([r], search.Dailies([original_clip]), prior, px).found
                got.append(found.frames[0] if found else None)
            emit(metric="h264_reference_frames", method=method, true=5, found=got,
                 exact=sum(g == 5 for g in got), of=len(got))  # fmt: skip


LONG_METHODS: dict[str, Callable[[], AbstractContextManager[None]]] = {
    "new": nullcontext, "narrow_v49": narrow_v49, "every_frame_whole_picture": every_frame_whole_picture}  # fmt: skip
LONG_CLIPS = {  # name: (takes, frame size, codec, pixel format, options, suffix)
    "obama-day": ("obama*.mp4", (1280, 720), "libx264", "yuv420p", {"crf": "18"}, ".mp4"),
    "reel": ("*.*", (640, 360), "libx264", "yuv420p", {"crf": "18"}, ".mp4"),
    "reel-prores10": ("*.*", (640, 360), "prores_ks", "yuv422p10le", {"profile": "3"}, ".mov"),
}


def _takes(pattern: str) -> list[Path]:
    return sorted(p for p in FOOTAGE.glob(pattern) if p.suffix in (".mp4", ".mpg", ".flv"))


def _boxed(a: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``a`` (uint8 RGB) scaled to fit ``size`` (w, h), centred on black: pillarboxed or letterboxed."""
    h, w = a.shape[:2]
    s = min(size[0] / w, size[1] / h)
    r = cv2.resize(a, (round(w * s) // 2 * 2, round(h * s) // 2 * 2), interpolation=cv2.INTER_AREA)
    out = np.zeros((size[1], size[0], 3), np.uint8)
    y0, x0 = (size[1] - r.shape[0]) // 2, (size[0] - r.shape[1]) // 2
    out[y0 : y0 + r.shape[0], x0 : x0 + r.shape[1]] = r
    return out


def long_clip(name: str) -> tuple[Path, list[tuple[str, int, int]]]:
    """The long clip ``name`` (written once, cached) and its takes: (take, first frame, frames)."""
    pattern, size, codec, pix_fmt, options, suffix = LONG_CLIPS[name]
    takes, segments, n0 = _takes(pattern), [], 0
    for t in takes:
        n = probe(t).frame_count
        segments.append((t.name, n0, n))
        n0 += n
    dst = DEFAULT_DIR / f"long-{name}{suffix}"
    if dst.is_file():
        return dst, segments
    DEFAULT_DIR.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.partial{suffix}")
    with av.open(str(tmp), "w") as out:
        vs = out.add_stream(codec, rate=Fraction(25), options=reproducible_options(codec, options))
        vs.width, vs.height, vs.pix_fmt = size[0], size[1], pix_fmt
        for t in takes:
            for _i, a in iter_frames(probe(t), fmt="rgb24"):
                vf = av.VideoFrame.from_ndarray(_boxed(a, size), format="rgb24").reformat(format=pix_fmt)
                for pk in vs.encode(vf):
                    out.mux(pk)
        for pk in vs.encode():
            out.mux(pk)
    tmp.replace(dst)
    return dst, segments


def long_clips(names: tuple[str, ...], quality: int, methods: tuple[str, ...]) -> None:
    prior = np.zeros(N_PARAMS, np.float32)
    for name in names:
        path, segments = long_clip(name)
        shot = _shot(path)
        truth = [(take, n0 + int(n * s), n0, n) for take, n0, n in segments for s in SHARES]
        refs = []
        for _take, k, _n0, _n in truth:
            original = read_frame(shot.info, k)
            refs.append((_still(np.clip(original * GAIN, 0, 1), quality), original.reshape(-1, 3)[::97]))
        for method in methods:
            ctx = LONG_METHODS[method]
            got, seconds = [], []
            for ref, px in refs:
                search._PRINTS.clear()
                t0 = time.perf_counter()
                with ctx():
                    found = search.find_original([ref], search.Dailies([shot]), prior, px).found
                seconds.append(time.perf_counter() - t0)
                got.append(found.frames[0] if found else None)
            exact = sum(g == k for g, (_t, k, _a, _b) in zip(got, truth, strict=True))
            within_1 = sum(g is not None and abs(g - k) <= 1 for g, (_t, k, _a, _b) in zip(got, truth, strict=True))
            take = sum(g is not None and n0 <= g < n0 + n for g, (_t, _k, n0, n) in zip(got, truth, strict=True))
            emit(metric="long_found_frames", clip=name, frames=shot.info.frame_count, method=method,
                 true=[k for _t, k, _a, _b in truth], found=got, exact=exact, within_1=within_1, right_take=take,
                 of=len(truth), seconds_median=round(statistics.median(seconds), 2),
                 seconds_max=round(max(seconds), 2))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--frames", action="store_true")
    mode.add_argument("--ties", action="store_true")
    mode.add_argument("--long", action="store_true")
    ap.add_argument("--clips", default=",".join(LONG_CLIPS), help="with --long: which long clips")
    ap.add_argument("--methods", default=",".join(LONG_METHODS), help="with --long: which methods")
    ap.add_argument("--encodes", type=int, default=20)
    ap.add_argument("--quality", type=int, default=90)
    ap.add_argument("--variants", default="crop,prores10")
    args = ap.parse_args()
    if args.frames:
        frames(tuple(v for v in args.variants.split(",") if v), args.quality)
    elif args.long:
        long_clips(tuple(c for c in args.clips.split(",") if c), args.quality, tuple(args.methods.split(",")))
    else:
        ties(args.encodes)


if __name__ == "__main__":
    main()
