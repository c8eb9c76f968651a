"""The matte's temporal stabilisation at another frame rate: one shot composited at 25 and at 50 fps, its matte
stabilised with the weights as times (this code) and as counts of frames (the code before, in the same run).

One JSON line per metric. Not a test.

    PYTHONPATH=. python bench/background_rates.py [--frames 24] [--grain 0.01] [--cases one-closeup,three-bookshelf]

**The shot.** ``bench/background.py``'s composites (the GRID talkers keyed from their blue booth over an empty set,
``tests/editor/_wide_shot.py``, so the matte is known exactly), made from the takes at twice their rate with a
frame between each two moved halfway along the optical flow (``bench/_heldout.py``'s ``rate2x-flow``: material the
project never saw): ``--frames`` × 2 frames at 50 fps. The same shot at 25 fps is its even frames, the very same
pixels. Each frame gets its own camera grain (Gaussian, σ ``--grain``, seeded; the 25 fps frames share the 50 fps
even frames' grain), as a camera's sensor gives every frame its own. Two cases: ``one-closeup`` (one talker filling
the frame before a bookshelf) and ``three-bookshelf`` (three talkers). Plates: ``estimated`` from the 25 fps frames
and ``supplied`` (the true empty set, registered and exposure-matched as the edit does); the same plate at both rates.

**Methods.** At 25 fps ``new`` (the weights as set: 0.6 and 0.85 kept per frame). At 50 fps ``timed`` (this code:
``temporal.per_frame``, 0.775 and 0.922) and ``frames`` (0.6 and 0.85 per frame, as before: the memory half as long
in seconds).

**Metrics** (``editor.background.metrics``; ×1e3 and ×1e2 as in ``bench/background.py``): ``matte_mad``;
``matte_dtssd`` between consecutive frames; ``matte_dtssd_40ms``, between frames 40 ms apart (at 50 fps every
other frame: the 25 fps measure, on the same frames); ``matte_mad_even``, MAD on the even frames only (the frames
both rates have); ``warm_up_frames`` a segment-parallel render runs before its first frame; ``cpu_seconds_per_frame``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _heldout import FOOTAGE, make_variant

from editor.background import BackgroundParams, ShotMatter, estimate_plate, plate_from_shot
from editor.background._exposure import match_exposure
from editor.background._register import register_plate
from editor.background.metrics import dtssd, mad
from editor.background.pipeline import stabiliser
from tests.editor._wide_shot import GRID_TAKES, Person, set_plates, wide_shot

SIZE = (960, 540)
LAYOUTS = {  # bench/background.py's: (take, centre x, height, start frame at 25 fps, mirrored)
    "one-closeup": [(0, 0.5, 1.0, 0, False)],
    "three-bookshelf": [(0, 0.2, 0.55, 0, False), (1, 0.52, 0.62, 0, True), (0, 0.82, 0.48, 30, False)],
}


def emit(metric: str, value: float, **extra: Any) -> None:
    print(json.dumps({"bench": "background_rates", "metric": metric, "value": round(float(value), 4), **extra}),
          flush=True)  # fmt: skip


def shot_50(case: str, n: int, grain: float) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """The case at 50 fps: ``2n`` frames (uint8, grain added), their true mattes, and the empty set."""
    takes = [make_variant(FOOTAGE / t, "rate2x-flow") for t in GRID_TAKES]
    people = [Person(takes[k].name, x, hgt, 2 * start, mirror) for k, x, hgt, start, mirror in LAYOUTS[case]]
    shot = wide_shot(takes[0].parent, set_plates(FOOTAGE, SIZE)["bookshelf"], people, 2 * n)
    rng = np.random.default_rng(50)
    frames = [np.clip(np.rint(f + rng.normal(0, grain * 255, f.shape)), 0, 255).astype(np.uint8) for f in shot.frames]
    return frames, shot.alphas, shot.plate


def run(matter: ShotMatter, frames: list[np.ndarray]) -> tuple[list[np.ndarray], float]:
    c0 = time.process_time()
    out = [matter.step(f.astype(np.float32) / 255) for f in frames]
    return out, (time.process_time() - c0) / len(frames)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=24, help="frames at 25 fps (twice as many at 50)")
    ap.add_argument("--grain", type=float, default=0.01)
    ap.add_argument("--cases", default=",".join(LAYOUTS))
    args = ap.parse_args()
    params = BackgroundParams()
    for case in args.cases.split(","):
        frames50, truth50, empty = shot_50(case, args.frames, args.grain)
        frames25, truth25 = frames50[::2], truth50[::2]
        estimated = estimate_plate(frames25)
        raw = plate_from_shot([empty], frames25[0].shape[:2])
        supplied = match_exposure(register_plate(raw, estimated), estimated).with_interior(estimated.interior)
        for plate_name, plate in (("estimated", estimated), ("supplied", supplied)):
            ctx = {"case": case, "plate": plate_name, "grain": args.grain, "frames_25": len(frames25)}
            for method, rate, frames, truth in (
                ("new", 25.0, frames25, truth25),
                ("timed", 50.0, frames50, truth50),
                ("frames", 25.0, frames50, truth50),  # at 50 fps, the weights per frame as at 25
            ):
                fps = 25 if method == "new" else 50
                est, cpu = run(ShotMatter(plate, params, frame_rate=rate), frames)
                step = 1 if fps == 25 else 2
                kept = stabiliser(params, rate)
                c = {**ctx, "method": method, "fps": fps, "stabilise": round(kept.strength, 4),
                     "stabilise_posed": round(kept.carry, 4)}  # fmt: skip
                emit("matte_mad", mad(est, truth), **c)
                emit("matte_mad_even", mad(est[::step], truth[::step]), **c)
                emit("matte_dtssd", dtssd(est, truth), **c)
                emit("matte_dtssd_40ms", dtssd(est[::step], truth[::step]), **c)
                emit("warm_up_frames", kept.warm_up_frames(), **c)
                emit("cpu_seconds_per_frame", cpu, **c)


if __name__ == "__main__":
    main()
