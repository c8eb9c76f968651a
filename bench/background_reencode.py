"""Whether the clean-plate estimate survives a near-lossless re-encode of its take: the set recovered and the
verdict, and the colour judge's reading of the set it doubts, against the k-means start of its colour models.

One JSON line per take, encode and metric. Not a test.

    PYTHONPATH=. python bench/background_reencode.py [--takes NAME,…] [--crfs 4,12,18] [--frames 50] [--seeds 6]

**Takes.** The weekly addresses' first ``--frames`` frames, as shared and written again with H.264 (``libx264``,
each CRF of ``--crfs``, at 25 fps and at the take's own rate): a copy an editor might make of the daily, which no
one would call another take. **Lines**: ``set_recovered`` (the estimate's, with ``refused``, ``reasked``,
``set_coloured``) per encode, the shared file's first (``encode: as-shared``); ``judge_llr`` — on the first GrabCut
answer's pixels the judge reads (:mod:`editor.background._set_colour`), in the box between his head and the mirror
(the wall the first answer takes for him), the median log-likelihood ratio set against people under the judge's
models as fitted (``seed`` 0, the product's) and with the k-means start seeded 1…``--seeds``−1 (the same pixels,
the same data); the judge doubts a pixel above ``log(UNSURE_RATIO)`` = 1.386.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from fractions import Fraction
from pathlib import Path
from unittest import mock

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from _heldout import FOOTAGE, write_h264  # noqa: E402

from editor.background import _set_colour as colour_steps  # noqa: E402
from editor.background import plate as plate_steps  # noqa: E402
from editor.background._people import UNSURE_RATIO, _gmm_loglik  # noqa: E402
from editor.background.edit import _frames_u8  # noqa: E402
from editor.background.plate import MIN_SET_RECOVERED  # noqa: E402
from media import probe, sample_indices  # noqa: E402

TAKES = ("obama-weekly-address_but-heres-the-thing.mp4", "obama-weekly-address_a-bad-situation.mp4")
BOX = (slice(20, 140), slice(250, 300))  # at the estimate's 480-px work size: between his head and the mirror


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "background_reencode", **kw}, sort_keys=True), flush=True)


def seeded_models(bgr: np.ndarray, people: np.ndarray, set_: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The judge's two mixtures (``_set_colour._models``) with GrabCut's k-means started from RNG seed ``seed``."""
    original = cv2.setRNGSeed
    with mock.patch.object(cv2, "setRNGSeed", lambda _s: original(seed)):
        return colour_steps._models(bgr, people, set_)


def run(name: str, encode: str, path: Path, frames_n: int, seeds: int) -> None:
    info = probe(path)
    frames = _frames_u8(info, sample_indices(info.frame_count, 24, start=0, end=min(frames_n, info.frame_count)))
    calls: list[tuple[np.ndarray, ...]] = []
    judge = plate_steps.set_coloured
    with mock.patch.object(plate_steps, "set_coloured", lambda *a: calls.append(a) or judge(*a)):
        plate = plate_steps.estimate_plate(frames, max_samples=24)
    ctx = {"take": name, "encode": encode, "frames": frames_n}
    emit(metric="set_recovered", value=round(plate.set_recovered, 4), refused=plate.set_recovered < MIN_SET_RECOVERED,
         reasked=plate.reasked, set_coloured=plate.set_coloured, **ctx)  # fmt: skip
    median8, candidates, people, set_ = calls[0]
    box = np.zeros(candidates.shape, bool)
    box[BOX] = True
    ys, xs = np.nonzero(box & candidates)
    if len(ys) == 0:
        emit(metric="judge_llr", value=None, pixels=0, **ctx)
        return
    bgr = cv2.cvtColor(median8, cv2.COLOR_RGB2BGR)
    px = bgr[ys, xs].astype(np.float64)
    for seed in range(seeds):
        fgd, bgd = seeded_models(bgr, people, set_, seed)
        llr = _gmm_loglik(bgd, px) - _gmm_loglik(fgd, px)
        emit(metric="judge_llr", value=round(float(np.median(llr)), 3), seed=seed, pixels=len(ys),
             doubted=round(float((llr > np.log(UNSURE_RATIO)).mean()), 3), **ctx)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--takes", default=",".join(TAKES))
    ap.add_argument("--crfs", default="4,12,18")
    ap.add_argument("--frames", type=int, default=50)
    ap.add_argument("--seeds", type=int, default=6)
    args = ap.parse_args()
    if not FOOTAGE.is_dir():
        emit(metric="skipped", reason=f"no footage at {FOOTAGE}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for name in [t for t in args.takes.split(",") if t]:
            src = FOOTAGE / name
            run(name, "as-shared", src, args.frames, args.seeds)
            info = probe(src)
            frames = _frames_u8(info, list(range(min(args.frames, info.frame_count))))
            for crf in [int(c) for c in args.crfs.split(",") if c]:
                for rate in (Fraction(25), info.frame_rate):
                    path = write_h264(frames, Path(tmp) / f"crf{crf}.mp4", crf, rate)
                    run(name, f"crf{crf}@{float(rate):.2f}", path, args.frames, args.seeds)


if __name__ == "__main__":
    main()
