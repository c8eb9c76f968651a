"""Diagnostic (issue 18, branch ears): face-derived ear and neck priors for the static GrabCut silhouette.

Not a test and not a method of the product: it patches the clean-plate estimate's seeding
(``editor.background.plate._face_seeds`` / ``_silhouette``) in this process only, runs ``estimate_plate`` with the
faces the face path finds, mattes with this code's ``ShotMatter`` and scores with ``bench/background.py``'s metrics.
One JSON line per (config, case, variant). Geometry is in units of the face's landmark scale ``s`` (the canonical
box side / 3: the eye distance corrected for head turn), from the eye midpoint. Configs (``CONFIGS``):

* ``ear-fgd``: a rectangle each side of the face (``inner``–``outer`` s out, ``top``–``bot`` s below the eyes) as
  certain foreground in GrabCut's seeding; ``ear-freeze``: the same rectangle forced foreground after GrabCut
  converged, one more graph cut with the colour models frozen;
* ``ear-paste``: an ellipse each side (centre ``cx`` s out, ``cy`` s below the eyes, semi-axes ``a``, ``b`` s)
  added to GrabCut's silhouette; ``vote``: only where every searched sample puts it; ``cover``: only where the
  silhouette covers less than that share of it;
* ``neck-prbgd`` / ``neck-bgd``: beside the neck (``half``–``reach`` s out, ``top``–``bot`` s below the eyes)
  probable / certain background instead of probable foreground.

    PYTHONPATH=. python bench/background_seed_priors.py --frames 8 --variants mirror,prores10 --configs base,...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import background as bench  # noqa: E402

import editor.background._people as people  # noqa: E402
import editor.background.plate as plate_mod  # noqa: E402
from editor.background import BackgroundParams, ShotMatter  # noqa: E402
from editor.background.foreground import estimate_foreground  # noqa: E402
from editor.cast import detect_faces  # noqa: E402

CASES = ("three-bookshelf", "three-library-shadows", "one-closeup")
EAR_RECT = {"inner": 0.95, "outer": 1.2, "top": -0.1, "bot": 0.9}
CONFIGS: dict[str, dict[str, Any]] = {
    "base": {},
    "ear-fgd": {"ear": {"mode": "fgd", **EAR_RECT}},
    "ear-fgd-wide": {"ear": {"mode": "fgd", "inner": 0.9, "outer": 1.3, "top": -0.2, "bot": 1.0}},
    "ear-freeze": {"ear": {"mode": "freeze", **EAR_RECT}},
    "ear-paste": {"ear": {"mode": "paste", "cx": 1.12, "a": 0.15, "cy": 0.4, "b": 0.55}},
    "ear-paste-vote15": {"ear": {"mode": "paste", "vote": 1, "cx": 1.12, "a": 0.15, "cy": 0.4, "b": 0.55}},
    "ear-paste-vote12": {"ear": {"mode": "paste", "vote": 1, "cx": 1.08, "a": 0.12, "cy": 0.4, "b": 0.5}},
    "ear-paste-cover15": {
        "ear": {"mode": "paste", "vote": 1, "cover": 0.5, "cx": 1.12, "a": 0.15, "cy": 0.4, "b": 0.55}
    },
    "ear-paste-cover12": {
        "ear": {"mode": "paste", "vote": 1, "cover": 0.5, "cx": 1.08, "a": 0.12, "cy": 0.4, "b": 0.5}
    },
    "neck-prbgd": {"neck": {"mode": "prbgd", "half": 1.0, "reach": 2.2, "top": 1.0, "bot": 2.0}},
    "neck-bgd": {"neck": {"mode": "bgd", "half": 1.15, "reach": 1.8, "top": 1.1, "bot": 1.8}},
}
_ORIG_SEEDS, _ORIG_SIL = people._face_seeds, people._silhouette
_STATE: dict[str, Any] = {"cfg": {}}


def _geo(f: Any, scale: float) -> tuple[float, float, float]:
    (lx, ly), (rx, ry) = f.eyes()
    side = f.canonical_box()[2]
    return (lx + rx) / 2 * scale, (ly + ry) / 2 * scale, side / 3 * scale


def _each(faces: Any, scale: float) -> list[tuple[float, float, float]]:
    return [_geo(f, scale) for fl in faces for f in fl or () if f.landmarks is not None]


def _rects(faces: Any, scale: float, shape: tuple[int, int], e: dict[str, float]) -> np.ndarray:
    m = np.zeros(shape, bool)
    for mx, my, s in _each(faces, scale):
        y0, y1 = max(0, round(my + e["top"] * s)), max(0, round(my + e["bot"] * s))
        for sgn in (-1, 1):
            xa, xb = mx + sgn * e["inner"] * s, mx + sgn * e["outer"] * s
            m[y0:y1, max(0, round(min(xa, xb))) : max(0, round(max(xa, xb)))] = True
    return m


def _ellipses(faces: Any, scale: float, shape: tuple[int, int], e: dict[str, float]) -> np.ndarray:
    if e.get("vote"):
        ms = [_ellipses([fl], scale, shape, {**e, "vote": 0}) for fl in faces if fl is not None]
        return np.logical_and.reduce(ms) if ms else np.zeros(shape, bool)
    m = np.zeros(shape, bool)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    for mx, my, s in _each(faces, scale):
        for sgn in (-1, 1):
            dx, dy = (xx - mx - sgn * e["cx"] * s) / (e["a"] * s), (yy - my - e["cy"] * s) / (e["b"] * s)
            m |= dx**2 + dy**2 <= 1
    return m


def _neck(faces: Any, scale: float, shape: tuple[int, int], n: dict[str, float]) -> np.ndarray:
    m = np.zeros(shape, bool)
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    for mx, my, s in _each(faces, scale):
        band = (yy >= my + n["top"] * s) & (yy <= my + n["bot"] * s)
        m |= band & (np.abs(xx - mx) > n["half"] * s) & (np.abs(xx - mx) < n["reach"] * s)
    return m


def _seeds(faces: Any, scale: float, shape: tuple[int, int]) -> np.ndarray:
    _STATE["faces"], _STATE["scale"] = faces, scale
    cores = _ORIG_SEEDS(faces, scale, shape)
    e = _STATE["cfg"].get("ear")
    if e and e["mode"] == "fgd":
        cores |= _rects(faces, scale, shape, e)
    return cores


def _silhouette(median8: np.ndarray, prior: np.ndarray, zones: np.ndarray, cores: np.ndarray) -> tuple[Any, Any]:
    e, n = _STATE["cfg"].get("ear"), _STATE["cfg"].get("neck")
    faces, scale, shape = _STATE["faces"], _STATE["scale"], median8.shape[:2]
    if e and e["mode"] == "paste":
        fg, unsure = _ORIG_SIL(median8, prior, zones, cores)
        ell = _ellipses(faces, scale, shape, e) & prior
        if e.get("cover") is not None:
            count, lab = cv2.connectedComponents(ell.astype(np.uint8))
            for i in range(1, count):
                c = lab == i
                if (fg & c).sum() >= e["cover"] * c.sum():
                    ell &= ~c
        return fg | ell, unsure
    if not (e and e["mode"] == "freeze") and not n:
        return _ORIG_SIL(median8, prior, zones, cores)
    mask = np.full(shape, cv2.GC_BGD, np.uint8)  # as _people._silhouette, with the extra labels
    mask[prior] = cv2.GC_PR_BGD
    mask[prior & zones] = cv2.GC_PR_FGD
    if n:
        mask[_neck(faces, scale, shape, n) & prior & ~cores] = cv2.GC_BGD if n["mode"] == "bgd" else cv2.GC_PR_BGD
    mask[cores] = cv2.GC_FGD
    cv2.setRNGSeed(0)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = cv2.cvtColor(median8, cv2.COLOR_RGB2BGR)
    cv2.grabCut(bgr, mask, None, bgd, fgd, people.GRABCUT_ITERS, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]
    if e and e["mode"] == "freeze":
        mask[_rects(faces, scale, shape, e) & prior] = cv2.GC_FGD
        cv2.grabCut(bgr, mask, None, bgd, fgd, 1, cv2.GC_EVAL_FREEZE_MODEL)  # type: ignore[call-overload]
    fg = people._fill((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD))
    ys, xs = np.nonzero(prior & ~cores)
    unsure = np.zeros(shape, bool)
    if len(ys):
        px = bgr[ys, xs].astype(np.float64)
        ratio = np.abs(people._gmm_loglik(fgd, px) - people._gmm_loglik(bgd, px))
        unsure[ys, xs] = ratio < np.log(people.UNSURE_RATIO)
    return people._fill(fg), unsure


def score(cfg_name: str, case: str, variant: str, shot: Any, faces: Any) -> dict[str, Any]:
    _STATE["cfg"] = CONFIGS[cfg_name]
    frames, ref = shot.frames, shot.alphas
    p = plate_mod.estimate_plate(frames, faces=faces)
    matter = ShotMatter(p, BackgroundParams())
    est = [matter.step(f.astype(np.float32) / 255) for f in frames]
    sc = bench.scores(est, ref)
    unk = ~p.known
    mpu = sum(float(np.abs(a - r)[unk].sum()) for a, r in zip(est, ref, strict=True)) / (len(est) * unk.size)
    fl = [f.astype(np.float32) / 255 for f in frames]
    rec = [estimate_foreground(f, a, p.image, p.known) for f, a in zip(fl, est, strict=True)]
    cs, _, _ = bench.colour_scores(frames, est, ref, shot.plate.astype(np.float32) / 255, rec)
    truth = np.median(np.stack(ref), axis=0) > 0.5
    split = "shared" if variant == "shared" else "heldout"
    return {
        "bench": "background-seed-priors", "config": cfg_name, "case": case, "variant": variant, "split": split,
        "frames": len(frames), "matte_mad": round(sc["matte_mad"], 4), "mad_plate_unknown": round(mpu * 1e3, 4),
        "matte_dtssd": round(sc["matte_dtssd"], 4), "halo": round(sc["halo"], 3),
        "old_set_leak": round(cs["old_set_leak"], 3), "edge_colour_err": round(cs["edge_colour_err"], 3),
        "set_replaced": round(sc["set_replaced"], 5), "person_kept": round(sc["person_kept"], 5),
        "silhouette_fp_unknown": int((p.performer & ~truth & unk).sum()),
        "silhouette_fn_unknown": int((~p.performer & truth & unk).sum()), "set_recovered": p.set_recovered,
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--variants", default="mirror,prores10")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--configs", default="base")
    args = ap.parse_args()
    cv2.setNumThreads(2)
    plate_mod._face_seeds, plate_mod._silhouette = _seeds, _silhouette  # type: ignore[assignment]
    every = plate_mod.FACE_EVERY
    for variant in args.variants.split(","):
        shots = bench.cases(variant, args.frames)
        for case in args.cases.split(","):
            shot = shots[case][0]
            faces = [detect_faces(f, i) if i % every == 0 else None for i, f in enumerate(shot.frames)]
            for cfg_name in args.configs.split(","):
                print(json.dumps(score(cfg_name, case, variant, shot, faces)), flush=True)


if __name__ == "__main__":
    main()
