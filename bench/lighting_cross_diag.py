"""Where the cross-scene relight's error sits, per case: one JSON line per (clip, variant, look, weight).

For each shot (``bench/lighting.py``'s held-out clips, as shared and held-out variants) graded toward a graded frame
of the *next* clip (another scene; the project's exemplars show it), with the hue-uniform prior's weight
``--uniform`` (a list: the sweep that chose ``editor.lighting.exemplars.UNIFORM``): ΔE76 / colour-edge ratio /
temporal ratio to the true look (as ``bench/lighting.py``), ΔE by CIELAB lightness band of the truth (dark < 25,
mid, hi ≥ 70: value and share of pixels), the mean Lab error (L*, a*, b*) and an **oracle**: the same grade family
fitted on the shot's own truth pairs (how well the family can represent the look at all). ``--png DIR`` writes
source | reference | truth | result | ΔE map (0–15, jet).

``--decompose`` adds where the error comes from, for the exemplar look (2026-12-03, branch light6):

- ``ideal_pairs_delta_e76``: the look fitted exactly as ``exemplars.look_from_exemplars`` does (same registered
  exemplar pixels, prior, ``uniform``), but with each pair's target the *true* look of its exemplar colour instead
  of the reference's colour there — what the grade family can do from the reference scene's colours alone (its
  extrapolation to the shot's colours included);
- ``pair_noise_delta_e76``: ΔE76 between the true look of the exemplar's colours and the reference's colours at
  the same registered pixels (0 when the exemplar shows the reference's take in the same ungraded state);
- ``take_difference_delta_e76`` / ``take_shift_lab``: the ungraded reference frame against the exemplar frame that
  registers to it (mean ΔE76 and mean L*, a*, b* difference over the registered pixels): how far the project's
  take of that set-up differs from the reference's own take *before* any look;
- ``vs_look_after_take_delta_e76``: the result against ``look(D(shot))``, D = that take difference fitted as a
  smooth grade (``uniform`` prior): small when the result is the look composed with the take difference.

``--same-take`` replaces each reference by a graded frame of the *training* clip of the same set-up (the take the
exemplars come from; the frame 2/5 into the clip): the look transfer without a take difference between exemplar
and reference.

Run: PYTHONPATH=. python bench/lighting_cross_diag.py --model-cache FILE [--uniform 0,0.01] [--looks 2]
  [--decompose] [--same-take]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cv2
import numpy as np
from _heldout import FOOTAGE, clip_set
from lighting import HELD_OUT, TRAIN, looks, score

from editor.lighting import TrainingClip, match_grade
from editor.lighting.exemplars import UNIFORM, Exemplars
from editor.lighting.fit import Correspondence, fit_pairs
from editor.lighting.metrics import delta_e76, to_lab
from editor.lighting.model import THUMB, GradeNet, deserialise
from editor.lighting.training import LightingConfig, train_lighting
from editor.models import unpack_model
from media import probe, read_frame


def bands(out: np.ndarray, truth: np.ndarray) -> dict[str, object]:
    lo, lt = to_lab(out), to_lab(truth)
    de = np.sqrt(((lo - lt) ** 2).sum(-1))
    light = lt[..., 0]
    res: dict[str, object] = {}
    for name, m in (("dark", light < 25), ("mid", (light >= 25) & (light < 70)), ("hi", light >= 70)):
        res[name] = [round(float(de[m].mean()), 2) if m.any() else None, round(float(m.mean()), 2)]
    res["mean_lab_error"] = [round(float(v), 2) for v in (lo - lt).reshape(-1, 3).mean(0)]
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-cache", type=Path, required=True, help="model file (trained here at 400 steps if absent)")
    ap.add_argument("--uniform", default="0,0.01")
    ap.add_argument("--looks", type=int, default=2)
    ap.add_argument("--variants", default="crop,prores10")
    ap.add_argument("--clips", default=",".join(HELD_OUT[:2]))
    ap.add_argument("--png", type=Path, default=None)
    ap.add_argument("--decompose", action="store_true", help="pair noise, take difference, ideal-pairs fit")
    ap.add_argument("--same-take", action="store_true", help="references from the exemplars' own takes")
    ap.add_argument("--no-shared", action="store_true", help="score only the held-out variants")
    args = ap.parse_args()
    if not args.model_cache.is_file():
        infos = [probe(FOOTAGE / n) for n in TRAIN]
        clips = [TrainingClip(i, hashlib.sha256(i.path.read_bytes()).hexdigest()) for i in infos]
        args.model_cache.write_bytes(train_lighting(clips, config=LightingConfig(steps=400), progress=False).model_file)
    net, exemplars = deserialise(unpack_model(args.model_cache.read_bytes()).payload)
    names = args.clips.split(",")
    tests_of = {}
    for name, variant, path in clip_set(names, tuple(v for v in args.variants.split(",") if v)):
        info = probe(path)
        n = info.frame_count
        tests_of[(name, variant)] = (read_frame(info, n - 5), [read_frame(info, i) for i in (3, 4, n // 2, n // 2 + 1)])
    ref_src_of = {name: tests_of[(name, "shared")][0] for name in names}
    if args.same_take:
        for name in names:
            take = next(t for t in TRAIN if t.split("_")[0] == name.split("_")[0])
            info = probe(FOOTAGE / take)
            ref_src_of[name] = read_frame(info, info.frame_count * 2 // 5)
    for (name, variant), (_, tests) in tests_of.items():
        if args.no_shared and variant == "shared":
            continue
        other = names[(names.index(name) + 1) % len(names)]
        for family, look in looks(args.looks):
            truth = [look.apply(t) for t in tests]  # type: ignore[attr-defined]
            ref_src = ref_src_of[other]
            ref = look.apply(ref_src)  # type: ignore[attr-defined]
            px = np.concatenate([t[::8, ::8].reshape(-1, 3) for t in tests])
            tp = np.concatenate([t[::8, ::8].reshape(-1, 3) for t in truth])
            pick = np.random.default_rng(0).choice(len(px), min(6000, len(px)), replace=False)
            oracle = fit_pairs(Correspondence(px[pick], tp[pick], np.ones(len(pick)), 1.0)).grade
            oracle_de = score([oracle.apply(t) for t in tests], truth, None)[0]
            for u in (float(v) for v in args.uniform.split(",")):
                t0 = time.perf_counter()
                g = match_grade(net, exemplars, tests, [ref], uniform=u)
                out = [g.lut.apply(t) for t in tests]
                de, er, tr = score(out, truth, None)
                row = {"bench": "lighting-cross-diag", "clip": name, "variant": variant, "family": family,
                       "reference": other, "uniform": u, "grade_method": g.method, "delta_e76": round(de, 3),
                       "colour_edge_ratio": round(er, 3), "temporal_delta_ratio": round(tr, 3),
                       "oracle_delta_e76": round(oracle_de, 3), **bands(out[0], truth[0]),
                       "plan_seconds": round(time.perf_counter() - t0, 1), "same_take": args.same_take}  # fmt: skip
                if args.decompose:
                    row.update(decompose(net, exemplars, tests, ref_src, look, out, truth, u))
                print(json.dumps(row), flush=True)
                if args.png is not None:
                    _png(
                        args.png / f"{Path(name).stem[:16]}_{variant}_{family}_u{u}.png",
                        tests[0],
                        ref,
                        truth[0],
                        out[0],
                    )


def decompose(
    net: GradeNet,
    exemplars: Exemplars,
    tests: list[np.ndarray],
    ref_src: np.ndarray,
    look: object,
    out: list[np.ndarray],
    truth: list[np.ndarray],
    uniform: float,
) -> dict[str, object]:
    """The exemplar look's error split into what the pairs carry and what the grade family does with them."""
    ref = look.apply(ref_src)  # type: ignore[attr-defined]
    thumb = lambda f: cv2.resize(np.asarray(f, np.float32), (THUMB, THUMB), interpolation=cv2.INTER_AREA)  # noqa: E731
    prior = net.predict(np.stack([thumb(f) for f in tests]), np.stack([thumb(ref)]))
    corr = exemplars.pairs_to([ref])
    take = exemplars.pairs_to([ref_src])
    if corr is None or take is None:
        return {"decompose": "no exemplar registers"}
    ideal = Correspondence(corr.src, look.apply(corr.src), corr.weight, corr.ncc)  # type: ignore[attr-defined]
    g_ideal = fit_pairs(ideal, init=prior, uniform=uniform).grade
    d = fit_pairs(take, uniform=UNIFORM).grade  # the take difference as a smooth grade, hue-uniform prior
    after_take = [look.apply(d.apply_exact(t)) for t in tests]  # type: ignore[attr-defined]
    shift = (to_lab(take.ref[None]) - to_lab(take.src[None]))[0].mean(0)
    return {
        "ideal_pairs_delta_e76": round(score([g_ideal.apply_exact(t) for t in tests], truth, None)[0], 3),
        "pair_noise_delta_e76": round(delta_e76(look.apply(corr.src), corr.ref), 3),  # type: ignore[attr-defined]
        "take_difference_delta_e76": round(delta_e76(take.src, take.ref), 3),
        "take_shift_lab": [round(float(v), 2) for v in shift],
        "take_difference_on_shot_delta_e76": round(float(np.mean([delta_e76(d.apply_exact(t), t) for t in tests])), 3),
        "vs_look_after_take_delta_e76": round(score(out, after_take, None)[0], 3),
    }


def _png(path: Path, src: np.ndarray, ref: np.ndarray, truth: np.ndarray, out: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    de = np.sqrt(((to_lab(out) - to_lab(truth)) ** 2).sum(-1))
    heat = cv2.applyColorMap(np.clip(de * 255 / 15, 0, 255).astype(np.uint8), cv2.COLORMAP_JET)[..., ::-1] / 255.0
    size = (320, round(320 * truth.shape[0] / truth.shape[1]))
    tiles = [cv2.resize(np.asarray(t, np.float32), size) for t in (src, ref, truth, out, heat)]
    strip = (np.clip(np.concatenate(tiles, axis=1), 0, 1) * 255).astype(np.uint8)
    cv2.imwrite(str(path), cv2.cvtColor(strip, cv2.COLOR_RGB2BGR))


if __name__ == "__main__":
    main()
