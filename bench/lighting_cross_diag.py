"""Where the cross-scene relight's error sits, per case: one JSON line per (clip, variant, look, weight).

For each shot (``bench/lighting.py``'s held-out clips, as shared and held-out variants) graded toward a graded frame
of the *next* clip (another scene; the project's exemplars show it), with the hue-uniform prior's weight
``--uniform`` (a list: the sweep that chose ``editor.lighting.exemplars.UNIFORM``): ΔE76 / colour-edge ratio /
temporal ratio to the true look (as ``bench/lighting.py``), ΔE by CIELAB lightness band of the truth (dark < 25,
mid, hi ≥ 70: value and share of pixels), the mean Lab error (L*, a*, b*) and an **oracle**: the same grade family
fitted on the shot's own truth pairs (how well the family can represent the look at all). ``--png DIR`` writes
source | reference | truth | result | ΔE map (0–15, jet).

Run: PYTHONPATH=. python bench/lighting_cross_diag.py --model-cache FILE [--uniform 0,0.01] [--looks 2]
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
from editor.lighting.fit import Correspondence, fit_pairs
from editor.lighting.metrics import to_lab
from editor.lighting.model import deserialise
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
    for (name, variant), (_, tests) in tests_of.items():
        other = names[(names.index(name) + 1) % len(names)]
        for family, look in looks(args.looks):
            truth = [look.apply(t) for t in tests]  # type: ignore[attr-defined]
            ref = look.apply(tests_of[(other, "shared")][0])  # type: ignore[attr-defined]
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
                       "plan_seconds": round(time.perf_counter() - t0, 1)}  # fmt: skip
                print(json.dumps(row), flush=True)
                if args.png is not None:
                    _png(
                        args.png / f"{Path(name).stem[:16]}_{variant}_{family}_u{u}.png",
                        tests[0],
                        ref,
                        truth[0],
                        out[0],
                    )


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
