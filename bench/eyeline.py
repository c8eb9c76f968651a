"""Bench: eyeline (gaze redirection) on the shared footage, one JSON line per metric.

Per performer with more than one take: train the eyeline model on the first take; on a held-out take:
1. error against real frames: for pairs of held-out frames (a, b) whose estimated gazes differ, warp a's eye
   patches by the gaze difference and compare with b's real patches (mean absolute error, 0–1 RGB), next to the
   error of leaving a unchanged (the ratio < 1 means the model moves the eye towards the real look);
2. iris displacement achieved vs requested (degrees, eye model: eyeball radius 12 mm, corner-to-corner 28 mm),
   from a full edit of the take with a fixed request;
3. warping error (Lai et al.) of the eye region in the edited take relative to the source's.

Run: ``python bench/eyeline.py [--footage /work/shared/footage] [--steps 300] [--samples 32]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the repo's packages, not this folder's same-named scripts (bench/ledger.py)

from editor.eyeline import EyelineConfig, redirect_gaze, train_eyeline  # noqa: E402
from editor.eyeline._data import eye_samples, observe  # noqa: E402
from editor.eyeline.model import _batch, _pairs, _tensors, apply_net  # noqa: E402
from media import probe  # noqa: E402

PEOPLE = {
    "grid": ["grid_id2_vcd_swwp2s.mpg", "grid_pwij3p.mpg"],
    "actor1001": ["crema-d_1001_DFA_NEU_XX.flv", "crema-d_1001_DFA_ANG_XX.flv"],
    "obama": ["obama-weekly-address_a-bad-situation.mp4", "obama-weekly-address_very-real-challenges.mp4"],
}


def emit(**kv: object) -> None:
    print(json.dumps(kv, sort_keys=True), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--footage", type=Path, default=Path("/work/shared/footage"))
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--shift", type=float, default=4.0)
    ap.add_argument("--people", default=",".join(PEOPLE))
    args = ap.parse_args()
    for person in args.people.split(","):
        train_take, test_take = PEOPLE[person]
        t0 = time.perf_counter()
        trained = train_eyeline(
            [probe(args.footage / train_take)], person, config=EyelineConfig(samples=args.samples, steps=args.steps)
        )
        emit(metric="eyeline_train", person=person, seconds=round(time.perf_counter() - t0, 1), note="2 shared cores",
             **{k: v for k, v in trained.metrics.items() if k != "train_seconds"})  # fmt: skip
        model = trained.model
        info = probe(args.footage / test_take)
        obs = observe(info, person, None, samples=args.samples)
        samples = eye_samples(test_take, obs, model.geometry)
        patches, iris, phys = _tensors(samples)
        pairs = _pairs(samples, list(range(len(samples))))
        delta = np.abs(phys[pairs[:, 1]] - phys[pairs[:, 0]])
        ok = (delta[:, 0] <= model.shift_range[0]) & (delta[:, 1] <= model.shift_range[1]) & (delta.max(1) >= 1.0)
        pairs = pairs[ok]
        with torch.no_grad():
            src, dst, lm, shift = _batch(patches, iris, phys, pairs, np.arange(len(pairs)), identity=0)
            out, _, _ = apply_net(model.net, src, lm, shift)
        err_model = float((out - dst).abs().mean())
        err_none = float((src - dst).abs().mean())
        emit(metric="eyeline_real_frame_error", person=person, take=test_take, pairs=len(pairs),
             mae_model=round(err_model, 5), mae_unchanged=round(err_none, 5),
             ratio=round(err_model / err_none, 4) if err_none else None)  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            s = min(args.shift, model.shift_range[0])
            t1 = time.perf_counter()
            result = redirect_gaze(info.path, Path(tmp) / "out.mp4", model, (s, 0.0), performer=person,
                                   end=min(info.frame_count, 48))  # fmt: skip
            emit(metric="eyeline_edit", person=person, take=test_take, shift_deg=[s, 0.0],
                 seconds=round(time.perf_counter() - t1, 1), region=result.region.as_json(),
                 **result.metrics)  # fmt: skip


if __name__ == "__main__":
    main()
