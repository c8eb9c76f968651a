"""Does the exemplar look's acceptance separate a reference the project has shot from one that only resembles it?

Cross-scene relight fits the look on pairs (the project's ungraded exemplar frame → the graded reference). Per
reference — each held-out clip's graded frame (``bench/lighting.py``'s looks, both families), as shared and as
held-out versions (``bench/_heldout.py``: re-framed, ProRes 10-bit, mirrored) — one line per shot (each *other*
held-out clip, shared) with what the acceptance sees and what it yields:

- ``look_inliers``: share of the look's pairs within ``fit.INLIER_TOL`` of the fitted look (the criterion,
  ``editor.lighting.exemplars.LOOK_INLIER_MIN``); ``registered_share``: share of the best exemplar frame whose
  registration to the reference holds (forward–backward flow; how much of the exemplar's content matches the
  reference's); ``ncc``: the registration's grey correlation; ``exemplar_clip``: the training clip it came from;
- ``delta_e76`` / ``colour_edge_ratio`` to the true look for ``new`` (the acceptance now) and ``unchecked`` (the
  acceptance before 2026-12-03: inliers ≥ ``fit.INLIER_MIN``, 0.5), with each one's ``grade_method``; when both
  accept, ``unchecked`` is the same grade (same code path, deterministic) and is not recomputed.

Run: PYTHONPATH=. python bench/lighting_exemplar_check.py --model-cache FILE [--variants crop,prores10,mirror]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from _heldout import clip_set
from lighting import HELD_OUT, TRAIN, looks, score

from editor.lighting import match_grade
from editor.lighting.exemplars import FRAMES_PER_CLIP, LOOK_INLIER_MIN, Exemplars
from editor.lighting.fit import INLIER_MIN, NCC_MIN
from editor.lighting.model import deserialise
from editor.lighting.register import register
from editor.models import unpack_model
from media import probe, read_frame


def best_exemplar(exemplars: Exemplars, ref: np.ndarray) -> dict[str, object]:
    """The exemplar the look is fitted on (``Exemplars.pairs_to``'s choice) and how much of it registers."""
    best, key = None, None
    for k, flip in exemplars._candidates(ref):
        ex = exemplars.frames[k][:, ::-1] if flip else exemplars.frames[k]
        reg = register(ex.astype(np.float32) / 255.0, ref)
        if reg.ncc >= NCC_MIN and (best is None or reg.ncc > best.ncc):
            best, key = reg, (k, flip)
    if best is None or key is None:
        return {"exemplar_clip": None}
    return {
        "exemplar_clip": TRAIN[key[0] // FRAMES_PER_CLIP] if len(exemplars) == FRAMES_PER_CLIP * len(TRAIN) else None,
        "exemplar_flipped": key[1],
        "ncc": round(best.ncc, 3),
        "registered_share": round(float(best.valid.mean()), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-cache", type=Path, required=True, help="a model file bench/lighting.py trained")
    ap.add_argument("--looks", type=int, default=2)
    ap.add_argument("--variants", default="crop,prores10,mirror", help="held-out versions of the reference")
    ap.add_argument("--clips", default=",".join(HELD_OUT))
    args = ap.parse_args()
    net, exemplars = deserialise(unpack_model(args.model_cache.read_bytes()).payload)
    names = args.clips.split(",")
    frames: dict[tuple[str, str], tuple[np.ndarray, list[np.ndarray]]] = {}
    for name, variant, path in clip_set(names, tuple(v for v in args.variants.split(",") if v)):
        info = probe(path)
        n = info.frame_count
        frames[(name, variant)] = (read_frame(info, n - 5), [read_frame(info, i) for i in (3, 4, n // 2, n // 2 + 1)])
    for (rname, rvariant), (ref_src, _) in frames.items():
        for family, look in looks(args.looks):
            ref = look.apply(ref_src)  # type: ignore[attr-defined]
            seen = best_exemplar(exemplars, ref)
            for shot in names:
                if shot == rname:
                    continue
                tests = frames[(shot, "shared")][1]
                truth = [look.apply(t) for t in tests]  # type: ignore[attr-defined]
                t0 = time.perf_counter()
                g = match_grade(net, exemplars, tests, [ref])
                de, er, _ = score([g.lut.apply(t) for t in tests], truth, None)
                inl = g.inliers if g.method == "exemplar" else g.refused_look_inliers
                row: dict[str, object] = {
                    "bench": "lighting-exemplar-check", "reference": rname, "ref_variant": rvariant, "shot": shot,
                    "family": family, **seen, "look_inliers": None if not np.isfinite(inl) else round(float(inl), 4),
                    "threshold": LOOK_INLIER_MIN, "new_grade_method": g.method, "new_delta_e76": round(de, 3),
                    "new_colour_edge_ratio": round(er, 3), "grade_warning": g.short_warning,
                }  # fmt: skip
                old = g
                if g.method == "model" and np.isfinite(g.refused_look_inliers) and inl >= INLIER_MIN:
                    old = match_grade(net, exemplars, tests, [ref], look_inlier_min=INLIER_MIN)
                    de, er, _ = score([old.lut.apply(t) for t in tests], truth, None)
                row |= {
                    "unchecked_grade_method": old.method,
                    "unchecked_delta_e76": round(de, 3),
                    "unchecked_colour_edge_ratio": round(er, 3),
                    "seconds": round(time.perf_counter() - t0, 1),
                }
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
