"""Which supplied clean plates the edit refuses for their light, and which it follows: one line per shot and plate.

One JSON line per shot, plate and method. Not a test.

    PYTHONPATH=. python bench/background_plate_refusals.py [--variants shared,mirror,recorded] [--conditions …]

**Shots.** ``bench/background.py``'s composites (960×540): the bookshelf and library sets with three talkers, the
close-up and the plain wall with one, the three frozen and the crowd of five; ``shared`` (the shared GRID takes),
``mirror`` (held out: mirrored) and ``recorded`` (the composite recorded through H.264 CRF 18, the take's estimate
made from the recording). **Plates:** the true empty plate, its light changed as ``--plate-light`` does
(``spot:GAIN,X,Y,SIGMA``: a lamp's pool of peak GAIN over the plate's light; ``ramp:…``) or by one gain
(``gain:G``); ``exact`` is the plate as it is.

**Methods, same take estimate, same run.** ``new``: the supplied plate as the edit builds it (registered, then
brought to the take's light: :mod:`editor.background._exposure`, :mod:`editor.background._light`), refused or
not; ``pools1``: main 2a5e2a5's light matching (32 blocks across, pools followed to 1.5×, 0 where no block nearby
speaks, nothing refused for its light). **Fields:** ``value`` 1 where the plate was refused (``reason``: the
message), 0 where it was kept; then ``set_difference``, and the lowest and highest gains its pools reach (none: no
pool). Whether a kept plate gives a good matte is ``bench/background.py --plate-light``'s question.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from unittest import mock

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import background as composites  # noqa: E402

from editor.background import _light as light_steps  # noqa: E402
from editor.background import estimate_plate, plate_from_shot  # noqa: E402
from editor.background._exposure import match_exposure  # noqa: E402
from editor.background._register import register_plate  # noqa: E402
from editor.background.errors import PlateMismatchError  # noqa: E402

CASES = ("three-bookshelf", "three-library-shadows", "one-closeup", "one-wall", "three-frozen", "crowd-five")
CONDITIONS = (
    "exact;gain:1.06;ramp:0.9,1.06;spot:0.8,0.3,0.2,0.1;spot:1.25,0.3,0.2,0.1;spot:0.65,0.3,0.2,0.1;"
    "spot:1.8,0.3,0.2,0.1;spot:0.5,0.3,0.2,0.1;spot:0.4,0.6,0.3,0.15;spot:2.5,0.6,0.3,0.15;spot:0.33,0.3,0.2,0.1;"
    "spot:0.25,0.3,0.2,0.1;spot:0.2,0.6,0.3,0.15;spot:4,0.3,0.2,0.1;spot:0.25,0.7,0.15,0.05"
)
PEERS = {"new": {}, "pools1": composites.MAIN_LIGHT}


def plate_light(plate: np.ndarray, condition: str) -> np.ndarray:
    """The empty plate (uint8) under the light ``condition`` names."""
    if condition.startswith("gain:"):
        field = np.full(plate.shape[:2], float(condition[5:]), np.float32)
    else:
        composites.PLATE_LIGHT = "" if condition == "exact" else condition
        field = composites.light_field(plate.shape[:2])
    return np.clip(np.rint(plate * field[..., None]), 0, 255).astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", default="shared,mirror,recorded")
    parser.add_argument("--conditions", default=CONDITIONS, help="';'-separated plate lights (see the docstring)")
    parser.add_argument("--frames", type=int, default=8)
    args = parser.parse_args()
    for variant in args.variants.split(","):
        shots = composites.cases(variant, args.frames)
        for name in CASES:
            shot, _ = shots[name]
            frames = composites.recorded(shot.frames) if variant == "recorded" else shot.frames
            take = estimate_plate(frames)
            for condition in args.conditions.split(";"):
                raw = plate_from_shot([plate_light(shot.plate, condition)], frames[0].shape[:2])
                for method, patches in PEERS.items():
                    row = {"bench": "background_plate_refusals", "metric": "plate_refused", "unit": "",
                           "method": method, "case": name, "variant": variant, "condition": condition}  # fmt: skip
                    try:
                        with mock.patch.multiple(light_steps, **patches) if patches else contextlib.nullcontext():
                            matched = match_exposure(register_plate(raw, take), take)
                    except PlateMismatchError as exc:
                        print(json.dumps({**row, "value": 1, "reason": str(exc)}), flush=True)
                        continue
                    pools = matched.exposure_pools or {}
                    low, high = pools.get("lowest_gain"), pools.get("highest_gain")
                    print(json.dumps({**row, "value": 0, "set_difference": matched.set_difference,
                                      "pools_lowest": min(low) if low else None,
                                      "pools_highest": max(high) if high else None}), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
