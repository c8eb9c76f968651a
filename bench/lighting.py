"""Lighting-match benchmark: does the relight reach a look known exactly, without painting false colour?

One JSON line per metric. **Ground truth**: held-out clips graded with looks known exactly — no real graded
dailies exist for this footage, so the truth is made: each test clip is graded with known smooth looks, of two
families: ``cdl-curve`` (ASC CDL + S-curve, ``editor.lighting.grades.random_look``, seeds 9000+k — the family the
model's training pairs are built from) and ``split-tone`` (a 3×3 hue/saturation matrix, luma-weighted shadow and
highlight tints and per-channel gammas — a family the model never trained on). Per clip and look, three tasks:

- ``full``: the whole shot to ONE graded reference frame of the same take (frame n−5); 4 other frames scored;
- ``region``: the lower-middle of the frame (the performer's dark clothes: black cups and suits are where false
  colour shows) matched to that same reference; truth = the look blended in with the region's feathered weights;
  scored inside the region;
- ``cross``: the whole shot to a graded frame of *another* held-out clip (another scene); ``cross-unseen``: the same
  with the project's exemplar frames withheld (a reference whose set-up the project never shot: the model's
  prediction alone); ``cross-sametake``: the whole shot to a graded frame (2/5 into the clip) of the *training*
  take of that other clip's set-up — the take the project's exemplar frames come from, so the reference's ungraded
  colours are the exemplar's (in ``cross`` the reference is another take, recorded in another session: GRID pwij3p
  differs from the project's GRID take by 6.1 ΔE76 before any look, and the look fitted through the exemplar
  carries that difference; ``bench/lighting_cross_diag.py --decompose``); ``cross-original``: the ``cross``
  reference with its ungraded original given (``relight --reference-original``: the look fitted from the original
  to the graded reference, ``editor.lighting.original``) — compare with ``cross``'s ``new`` in the same run;
  ``cross-original-export``: the same with the graded reference delivered as a still (re-framed to 1280 px wide,
  8-bit JPEG quality 90); ``cross-samesize``: the ``cross`` reference at the shot's own frame size and aspect ratio
  (centre cut, then scaled; every shot of a production has one size; registration then falls back to the
  identity, and the same-set-up test must not take the other scene for the shot's), with the peer ``unguarded``
  (the same grade without the coverage test on the shot's own pairs, ``cover_min=0``: their acceptance before
  2026-12-06; its exemplars are tested as the product's are); ``cross-dailies``: nothing named, the project's
  dailies (the training clips and this split's files of the held-out clips) searched for the reference's original
  (``editor.lighting.search``), the reference a graded frame (n−5) of the other clip's file of the same split —
  compare with ``cross``; ``cross-dailies-export``: that reference as a still (as ``cross-original-export``);
  ``cross-dailies-without``: the dailies without the reference's take (another take of its set-up, or nothing, is
  the nearest). Their per-case lines say what the search found (``found``, ``found_frames``, ``found_residual``,
  ``found_is_original``); the dailies tasks also run the peer ``search_v1``, the search before stop 49
  (``bench/_peers/search_pick_v1.py``: its narrowing, and the frame that narrowing ranked first).

Test clips: the three held-out takes (never in training), as shared (``variant: "shared"``) and as held-out versions
the project has never seen (``bench/_heldout.py``: mirrored, re-framed, H.264 CRF 28, ProRes 422 HQ 10-bit);
results are reported per split (``shared`` / ``heldout``). Methods, same inputs, same run: ``new`` (the smooth
grade), ``today`` (main 9a91bc4's CDL → tone curves → adaptive 3D LUT, trained on the same clips, steps, seed;
``bench/_peers/lighting_v1.py``; ``--no-today`` skips it), ``reinhard`` (Lab mean/std transfer, Reinhard et al.
2001), ``none``; for the cross-scene tasks also ``before`` (the smooth grade with the look fitted through the
exemplars as before 2026-12-03: no hue-uniform prior, ``uniform=0``, and any look explaining half its pairs
accepted, the shot mapped onto its own exemplar first as then), ``main`` (main 5ee95ce: the shot mapped onto its own
set-up's exemplar first when it differs from it, ``bench/_peers/lighting_to_bank.py``, removed 2026-12-05; and the
hue-uniform prior's weight then, 0.01) and ``unchecked`` (the grade now but with that old acceptance,
``fit.INLIER_MIN``, instead of ``exemplars.LOOK_INLIER_MIN``: differs from ``new`` only where an exemplar look was
refused by its inliers). The peers are built from the product's pieces and share its registration: since
2026-12-06 an exemplar that only resembles the reference is refused at registration, by the coverage test, so
there ``before`` and ``unchecked`` give the model's estimate as ``new`` does (the GRID shot toward the Obama
reference: before that, 13.8–19.5 ΔE76 through the refused look). ``--per-case`` adds
one line per case (clip, variant, look) for ``new``, ``before``, ``main`` and ``unchecked``.

Metrics: ΔE76 (mean per pixel, CIELAB) to the truth (target ≤ 3); **colour-edge-energy ratio** = mean Sobel gradient
magnitude of the a*, b* channels of the result ÷ the truth's (false colour — contour bands, blotches — raises it;
target ≤ 1.15); ``temporal_delta_ratio`` = mean |frame t+1 − frame t| of the result ÷ the truth's on consecutive
frames (flicker > 1); apply speed at 1080p (8-bit one-gather path and the 10/12-bit path; target ≥ 10 fps) and the
per-shot planning time. ``--png DIR`` writes side-by-side strips (source | truth | new | before (cross tasks) or
today | reinhard). ``--model-cache FILE`` reuses a model this bench trained before with the same steps (or writes it).

Run: PYTHONPATH=. python bench/lighting.py [--steps 1500] [--looks 2] [--variants mirror,crop,crf28,prores10]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2
import numpy as np
from _heldout import FOOTAGE, VARIANTS, clip_set
from _peers import lighting_v1
from _peers.lighting_to_bank import match_grade_to_bank
from _peers.search_pick_v1 import motion_pick

from editor.lighting import Exemplars, ShotLut, TrainingClip, delta_e76, match_grade, random_look
from editor.lighting.cdl import LUMA_709
from editor.lighting.fit import INLIER_MIN
from editor.lighting.mask import auto_feather, blend_in_support, rectangle_weights, support_region
from editor.lighting.metrics import to_lab
from editor.lighting.model import deserialise
from editor.lighting.relight import Shot
from editor.lighting.search import Dailies
from editor.lighting.smooth import N_PARAMS, SmoothGrade
from editor.lighting.training import LightingConfig, train_lighting
from editor.models import unpack_model
from media import Region, probe, read_frame
from tests.editor._graded_elsewhere import at_size

TRAIN = [
    "crema-d_1001_DFA_NEU_XX.flv",
    "crema-d_1001_DFA_ANG_XX.flv",
    "grid_id2_vcd_swwp2s.mpg",
    "obama-weekly-address_but-heres-the-thing.mp4",
    "obama-weekly-address_a-bad-situation.mp4",
]
REGION = (0.25, 0.62, 0.5)  # x, y, width as fractions of the frame; to the bottom edge
HELD_OUT = ["crema-d_1001_DFA_SAD_XX.flv", "grid_pwij3p.mpg", "obama-weekly-address_very-real-challenges.mp4"]
MAIN_UNIFORM = 0.01  # main 5ee95ce's hue-uniform prior weight (exemplars.UNIFORM then), for the peer ``main``


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    row = {"bench": "lighting", "metric": metric, "value": round(float(value), 4), "unit": unit, **extra}
    print(json.dumps(row), flush=True)


class SplitTone:
    """A smooth look outside the training family: hue/saturation matrix, shadow/highlight tints, channel gammas."""

    def __init__(self, rng: np.random.Generator) -> None:
        a = np.deg2rad(rng.uniform(-12, 12))
        s = rng.uniform(0.75, 1.35)
        luma = np.outer(np.ones(3), LUMA_709)
        # rotate chroma about the grey axis by a, scale it by s
        k = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]) / np.sqrt(3)
        rot = np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * (k @ k)
        self.m = (luma + s * (rot - luma)).astype(np.float32)
        self.shadow = rng.normal(0, 0.035, 3).astype(np.float32)
        self.high = rng.normal(0, 0.035, 3).astype(np.float32)
        self.gamma = np.exp(rng.normal(0, 0.12, 3)).astype(np.float32)

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        x = np.asarray(rgb, np.float32) @ self.m.T
        lum = np.clip(np.asarray(rgb, np.float32) @ LUMA_709, 0, 1)[..., None]
        x = x + (1 - lum) ** 2 * self.shadow + lum**2 * self.high
        return np.clip(np.clip(x, 0, 1) ** self.gamma, 0, 1).astype(np.float32)


def looks(n: int) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for k in range(n):
        if k % 2 == 0:
            out.append(("cdl-curve", random_look(np.random.default_rng(9000 + k))))
        else:
            out.append(("split-tone", SplitTone(np.random.default_rng(9100 + k))))
    return out


def reinhard(src: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Reinhard et al. 2001 colour transfer in CIELAB (mean/std per channel)."""
    s = cv2.cvtColor(src.astype(np.float32), cv2.COLOR_RGB2Lab)
    r = cv2.cvtColor(ref.astype(np.float32), cv2.COLOR_RGB2Lab)
    rs = r.reshape(-1, 3)
    out = (s - s.mean((0, 1))) / (s.std((0, 1)) + 1e-6) * rs.std(0) + rs.mean(0)
    return np.clip(cv2.cvtColor(out.astype(np.float32), cv2.COLOR_Lab2RGB), 0, 1)


def edge_energy(rgb: np.ndarray) -> float:
    """Mean Sobel gradient magnitude of CIELAB a*, b*."""
    lab = to_lab(rgb)
    mags = [cv2.Sobel(lab[..., c], cv2.CV_32F, dx, dy, ksize=3) for c in (1, 2) for dx, dy in ((1, 0), (0, 1))]
    return float(np.mean(np.sqrt(sum(m * m for m in mags))))


def region_of(h: int, w: int) -> Region:
    x0, y0 = int(w * REGION[0]) // 2 * 2, int(h * REGION[1]) // 2 * 2
    return Region(x0, y0, int(w * REGION[2]) // 2 * 2, h - y0)


def score(out: list[np.ndarray], truth: list[np.ndarray], box: Region | None) -> tuple[float, float, float]:
    def crop(a: np.ndarray) -> np.ndarray:
        return a if box is None else a[box.y : box.y + box.height, box.x : box.x + box.width]

    de = float(np.mean([delta_e76(crop(o), crop(t)) for o, t in zip(out, truth, strict=True)]))
    er = float(
        np.mean([edge_energy(crop(o)) / max(edge_energy(crop(t)), 1e-6) for o, t in zip(out, truth, strict=True)])
    )
    d_out = np.mean([np.abs(crop(out[i + 1]) - crop(out[i])).mean() for i in range(0, len(out) - 1, 2)])
    d_true = np.mean([np.abs(crop(truth[i + 1]) - crop(truth[i])).mean() for i in range(0, len(truth) - 1, 2)])
    return de, er, float(d_out / max(d_true, 1e-9))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--looks", type=int, default=2)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--clips", default=",".join(HELD_OUT))
    ap.add_argument(
        "--tasks",
        default="full,region,cross,cross-sametake,cross-original,cross-original-export,cross-samesize,cross-unseen,"
        "cross-dailies,cross-dailies-export,cross-dailies-without",
    )
    ap.add_argument("--png", type=Path, default=None)
    ap.add_argument("--model-cache", type=Path, default=None, help="reuse (or write) the trained model file")
    ap.add_argument("--no-today", action="store_true", help="skip the v1 peer (its training costs as much again)")
    ap.add_argument("--per-case", action="store_true", help="also one line per case: new, the peers and none")
    ap.add_argument("--speed-only", action="store_true", help="only the 1080p apply speed (a fixed non-trivial grade)")
    args = ap.parse_args()
    if args.speed_only:
        speed(SmoothGrade(np.random.default_rng(7).normal(0.0, 0.1, N_PARAMS)))
        return
    variants = tuple(v for v in args.variants.split(",") if v)
    infos = [probe(FOOTAGE / n) for n in TRAIN]
    clips = [TrainingClip(i, hashlib.sha256(i.path.read_bytes()).hexdigest()) for i in infos]
    cache = args.model_cache
    if cache is not None and cache.is_file():
        model_file = cache.read_bytes()
        emit("model_reused", 1, "file", path=str(cache), steps=args.steps)
    else:
        t0 = time.perf_counter()
        model_file = train_lighting(clips, config=LightingConfig(steps=args.steps), progress=False).model_file
        emit("train_seconds", time.perf_counter() - t0, "s", method="new", steps=args.steps, clips=len(clips))
        if cache is not None:
            cache.write_bytes(model_file)
    net, exemplars = deserialise(unpack_model(model_file).payload)
    v1 = None
    if not args.no_today:
        t0 = time.perf_counter()
        v1 = lighting_v1.train_v1(infos, steps=args.steps)
        emit("train_seconds", time.perf_counter() - t0, "s", method="today", steps=args.steps)
    none = Exemplars.build([])
    rows: dict[tuple[str, str, str], list[tuple[float, float, float]]] = defaultdict(list)
    methods_used: dict[str, list[str]] = defaultdict(list)
    plan_s: list[float] = []
    names = args.clips.split(",")
    tests_of: dict[tuple[str, str], tuple[np.ndarray, list[np.ndarray]]] = {}
    ref_frame: dict[tuple[str, str], int] = {}
    paths: dict[tuple[str, str], Path] = {}
    for name, variant, path in clip_set(names, variants):
        paths[(name, variant)] = path
        info = probe(path)
        n = info.frame_count
        idx = [3, 4, n // 2, n // 2 + 1]  # two consecutive pairs (temporal ratio)
        tests_of[(name, variant)] = (read_frame(info, n - 5), [read_frame(info, i) for i in idx])
        ref_frame[(name, variant)] = n - 5
    same_take = {name: _same_take_frame(name) for name in names}
    for (name, variant), (ref_src, tests) in tests_of.items():
        split = "shared" if variant == "shared" else "heldout"
        other = names[(names.index(name) + 1) % len(names)]
        refs = {"cross": tests_of[(other, "shared")][0], "cross-sametake": same_take[other]}
        refs["cross-unseen"] = refs["cross-original"] = refs["cross-original-export"] = refs["cross"]
        # the dailies tasks: the reference graded from the other clip's file of this split, which the dailies hold
        refs["cross-dailies"] = refs["cross-dailies-export"] = tests_of[(other, variant)][0]
        refs["cross-dailies-without"] = refs["cross-dailies"]
        dailies = _dailies([paths[(c, variant)] for c in names])
        without = Dailies([d for d in dailies.clips if d.info.path.name != paths[(other, variant)].name])
        h, w = tests[0].shape[:2]
        refs["cross-samesize"] = at_size(refs["cross"], w, h)
        box = region_of(h, w)
        wts = rectangle_weights(box, w, h, auto_feather(box))[..., None]
        for family, look in looks(args.looks):
            truth_full = [look.apply(t) for t in tests]  # type: ignore[attr-defined]
            for task in args.tasks.split(","):
                if refs.get(task, ref_src) is None:
                    continue  # no training take of the other clip's set-up
                ref = look.apply(refs.get(task, ref_src))  # type: ignore[attr-defined]
                if task in ("cross-original-export", "cross-dailies-export"):
                    ref = _exported(ref)
                crossing = task in ("cross", "cross-sametake")
                region = task == "region"
                t = time.perf_counter()
                g = match_grade(
                    net,
                    none if task == "cross-unseen" else exemplars,
                    tests,
                    [ref],
                    weights=wts[..., 0] if region else None,
                    originals=[refs["cross"]] if task.startswith("cross-original") else None,
                    dailies=(without if task.endswith("-without") else dailies) if "dailies" in task else None,
                )
                plan_s.append(time.perf_counter() - t)
                methods_used[task].append(g.method)
                src_in = (
                    [t_[box.y : box.y + box.height, box.x : box.x + box.width] for t_ in tests] if region else tests
                )
                peers = {}
                if task == "cross-samesize":
                    peers["unguarded"] = match_grade(net, exemplars, tests, [ref], cover_min=0.0)
                if "dailies" in task:  # the dailies search as it was before stop 49
                    with motion_pick():
                        offered = without if task.endswith("-without") else dailies
                        peers["search_v1"] = match_grade(net, exemplars, tests, [ref], dailies=offered)
                outs = {
                    **{k: [p.lut.apply(t_) for t_ in tests] for k, p in peers.items()},
                    "new": [g.lut.apply(t_) for t_ in tests],
                    "reinhard": [reinhard(t_, ref) if not region else _reinhard_region(t_, ref, box) for t_ in tests],
                    "none": list(tests),
                }
                if v1 is not None:
                    outs["today"] = [lighting_v1.match_grade(v1, src_in, [ref]).lut.apply(t_) for t_ in tests]
                if crossing:
                    before = match_grade_to_bank(net, exemplars, tests, [ref], uniform=0.0, look_inlier_min=INLIER_MIN)
                    outs["before"] = [before.lut.apply(t_) for t_ in tests]
                    main_ = match_grade_to_bank(net, exemplars, tests, [ref], uniform=MAIN_UNIFORM)
                    outs["main"] = [main_.lut.apply(t_) for t_ in tests]
                    unchecked = g  # the same grade unless the exemplar look was refused (same code path otherwise)
                    if g.method == "model" and g.refused_look_inliers >= INLIER_MIN:
                        unchecked = match_grade(net, exemplars, tests, [ref], look_inlier_min=INLIER_MIN)
                    outs["unchecked"] = [unchecked.lut.apply(t_) for t_ in tests]
                truth = truth_full
                if region:
                    truth = [s + (tt - s) * wts for s, tt in zip(tests, truth_full, strict=True)]
                    outs = {k: [s + (o - s) * wts for s, o in zip(tests, v, strict=True)] for k, v in outs.items()}
                for m, o in outs.items():
                    rows[(task, split, m)].append(score(o, truth, box if region else None))
                    if args.per_case and m in ("new", "before", "unchecked", "main", "none", *peers):
                        de, er, tr = rows[(task, split, m)][-1]
                        used = {"new": g, **peers, **({"before": before, "unchecked": unchecked, "main": main_}
                                                      if crossing else {})}.get(m)  # fmt: skip
                        emit("case_delta_e76", de, "dE", task=task, clip=name, variant=variant, family=family,
                             method=m, grade_method=used.method if used else None,
                             grade_warning=used.short_warning if used else None,
                             colour_edge_ratio=round(er, 4), temporal_delta_ratio=round(tr, 4),
                             **(_found(used, paths[(other, variant)], ref_frame[(other, variant)])
                                if used and used.search else {}))  # fmt: skip
                if args.png is not None and family == "cdl-curve":
                    _png(args.png / f"{task}_{Path(name).stem[:16]}_{variant}.png", tests[0], truth[0], outs)
    for (task, split, m), vals in sorted(rows.items()):
        a = np.array(vals)
        extra = {"task": task, "split": split, "method": m, "cases": len(vals)}
        emit("delta_e76", a[:, 0].mean(), "dE", target="<=3", **extra)
        emit("delta_e76_worst", a[:, 0].max(), "dE", **extra)
        emit("colour_edge_ratio", a[:, 1].mean(), "ratio", target="<=1.15", **extra)
        emit("colour_edge_ratio_worst", a[:, 1].max(), "ratio", **extra)
        emit("temporal_delta_ratio", a[:, 2].mean(), "ratio", **extra)
    for task, used in methods_used.items():
        emit("grade_methods", len(used), "cases", task=task, methods={k: used.count(k) for k in sorted(set(used))})
    emit("plan_seconds_per_shot", float(np.median(plan_s)), "s", note="median; 4 frames, one reference frame")
    speed(g.smooth)


def _dailies(clip_paths: list[Path]) -> Dailies:
    """The project's dailies for the ``cross-dailies`` tasks: the training clips and this split's files of the
    held-out clips (content hashes of the files' bytes; prints kept in the process only)."""
    files = [FOOTAGE / n for n in TRAIN] + clip_paths
    return Dailies([Shot(probe(f), hashlib.sha256(f.read_bytes()).hexdigest()) for f in files])


def _found(g: object, original: Path, frame: int) -> dict[str, object]:
    """What a grade's search of the dailies found, for a per-case line: the clip's file name and frames, whether it
    is the reference's own original (``frame``: the one the reference was graded from), and its residual."""
    s = g.search  # type: ignore[attr-defined]
    out: dict[str, object] = {"dailies_searched": s.searched}
    if s.found is not None:
        out |= {"found": s.found.name, "found_frames": list(s.found.frames), "found_residual": s.found.residual,
                "found_is_original": s.found.name == original.name, "reference_frame": frame}  # fmt: skip
    if s.undecided is not None:
        out["undecided"] = [f.name for f in s.undecided]
    return out


def _exported(rgb: np.ndarray) -> np.ndarray:
    """A graded still as a colourist sends it: the centre 90 % re-framed to 1280 px wide, through 8-bit JPEG
    (quality 90, 4:2:0)."""
    h, w = rgb.shape[:2]
    c = rgb[round(h * 0.05) : round(h * 0.95), round(w * 0.05) : round(w * 0.95)]
    c = cv2.resize(c, (1280, round(1280 * c.shape[0] / c.shape[1])), interpolation=cv2.INTER_CUBIC)
    bgr = np.clip(np.rint(c[..., ::-1] * 255), 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].astype(np.float32) / 255.0


def _same_take_frame(name: str) -> np.ndarray | None:
    """A frame (2/5 into the clip) of the training take whose set-up ``name`` shows (same corpus prefix), or None."""
    take = next((t for t in TRAIN if t.split("_")[0] == name.split("_")[0]), None)
    if take is None:
        return None
    info = probe(FOOTAGE / take)
    return read_frame(info, info.frame_count * 2 // 5)


def _reinhard_region(src: np.ndarray, ref: np.ndarray, box: Region) -> np.ndarray:
    """Today's region behaviour for the peer too: the region's statistics moved to the whole reference's."""
    out = src.copy()
    sl = (slice(box.y, box.y + box.height), slice(box.x, box.x + box.width))
    out[sl] = reinhard(src[sl], ref)
    return out


def _png(path: Path, src: np.ndarray, truth: np.ndarray, outs: dict[str, list[np.ndarray]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tiles = [src, truth, outs["new"][0], outs.get("before", outs.get("today", outs["none"]))[0], outs["reinhard"][0]]
    strip = np.concatenate([cv2.resize(t, (320, round(320 * t.shape[0] / t.shape[1]))) for t in tiles], axis=1)
    cv2.imwrite(str(path), cv2.cvtColor((np.clip(strip, 0, 1) * 255).astype(np.uint8), cv2.COLOR_RGB2BGR))


def speed(grade: SmoothGrade) -> None:
    rng = np.random.default_rng(0)
    frame8 = rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    shot = ShotLut(grade.lut(33))
    t = time.perf_counter()
    shot.apply_u8(frame8)
    emit("lut_8bit_table_build_seconds", time.perf_counter() - t, "s", note="once per shot")
    reps = 10
    t = time.perf_counter()
    for _ in range(reps):
        shot.apply_u8(frame8)
    emit("apply_fps_1080p_8bit", reps / (time.perf_counter() - t), "fps", target=">=10")
    frame = (rng.integers(0, 1024, (1080, 1920, 3)) / 1023.0).astype(np.float32)
    grade.apply(frame), _apply_before(grade, frame)  # tables built outside the timing
    walls: dict[str, list[float]] = {"now": [], "before": []}
    cpus: dict[str, list[float]] = {"now": [], "before": []}
    for _ in range(9):  # interleaved, so a neighbour's load falls on both alike; medians
        for name, fn in (("now", grade.apply), ("before", lambda f: _apply_before(grade, f))):
            t, c = time.perf_counter(), time.process_time()
            fn(frame)
            walls[name].append(time.perf_counter() - t)
            cpus[name].append(time.process_time() - c)
    now, before = statistics.median(walls["now"]), statistics.median(walls["before"])
    emit("apply_fps_1080p_10bit", 1 / now, "fps", target=">=10", note="1D tables + affine 3×3 mix to 16-bit index",
         cpu_ms=round(1000 * statistics.median(cpus["now"]), 1), peer_fps=round(1 / before, 2),
         peer_cpu_ms=round(1000 * statistics.median(cpus["before"]), 1), ratio=round(before / now, 2),
         load_1min=os.getloadavg()[0])  # fmt: skip
    _blend_speed(grade, frame)


def _blend_speed(grade: SmoothGrade, frame: np.ndarray) -> None:
    """A region relight's per-frame work (grade + blend with the feathered weights) on a 1080p 10-bit frame: in the
    weights' box (``blend_in_support``, the product since 2026-12-04) against the whole frame (the peer, as
    before), for a region of a quarter and of a sixteenth of the frame; the outputs are checked to be identical."""
    for share, region in (("quarter", Region(480, 270, 960, 540)), ("sixteenth", Region(720, 405, 480, 270))):
        w3 = rectangle_weights(region, 1920, 1080, auto_feather(region))[..., None]
        box = support_region(w3[..., 0])
        runs = {"now": lambda w3=w3, box=box: blend_in_support(frame, grade.apply, w3, box),
                "before": lambda w3=w3: frame + (grade.apply(frame) - frame) * w3}  # fmt: skip
        if not np.array_equal(runs["now"](), runs["before"]()):
            raise SystemExit("blend_in_support differs from the whole-frame blend")
        walls: dict[str, list[float]] = {"now": [], "before": []}
        cpus: dict[str, list[float]] = {"now": [], "before": []}
        for _ in range(9):
            for name, fn in runs.items():
                t, c = time.perf_counter(), time.process_time()
                fn()
                walls[name].append(time.perf_counter() - t)
                cpus[name].append(time.process_time() - c)
        now, before = statistics.median(walls["now"]), statistics.median(walls["before"])
        emit(f"region_relight_fps_1080p_10bit_{share}", 1 / now, "fps", note="grade + blend in the weights' box",
             cpu_ms=round(1000 * statistics.median(cpus["now"]), 1), peer_fps=round(1 / before, 2),
             peer_cpu_ms=round(1000 * statistics.median(cpus["before"]), 1), ratio=round(before / now, 2),
             load_1min=os.getloadavg()[0])  # fmt: skip


def _apply_before(grade: SmoothGrade, rgb: np.ndarray) -> np.ndarray:
    """The 10-bit path as it was before 2026-12-03 (float 3×3 mix, then the index; the peer of the speed line)."""
    pre_t, mat, post_t, (lo, hi) = grade._tables
    x = np.ascontiguousarray(np.asarray(rgb, np.float32).reshape(-1, 1, 3))
    top = float(len(post_t) - 1)
    q = cv2.multiply(x, (top, top, top), dtype=cv2.CV_16U)
    c = cv2.merge([np.take(pre_t[k], plane) for k, plane in enumerate(cv2.split(q))])
    m = cv2.transform(c, mat)
    k = top / (float(hi) - float(lo))
    idx = cv2.multiply(cv2.subtract(m, (float(lo), float(lo), float(lo), 0.0)), (k, k, k), dtype=cv2.CV_16U)
    return np.clip(np.take(post_t, idx), 0.0, 1.0).reshape(rgb.shape)


if __name__ == "__main__":
    main()
