"""The dailies search's narrowing (``editor.lighting.search._narrow``): its time per reference frame, against the
way it read the clip before (``bench/_peers/narrow_v1.py``) in the same run. One JSON line per metric.

For each clip (the shared footage, and held-out versions the project never saw: re-framed, ProRes 10-bit), three
reference frames — a frame of the clip graded with a known gain (R × 1.1, G × 0.95, B × 0.85) — are narrowed from
a start frame elsewhere in the clip, new and peer alternately, each ``--repeats`` times (median wall seconds).
Reported per clip: both medians and their ratio, the frames each found (they must agree) and the true frame.

Usage: ``PYTHONPATH=. python bench/lighting_narrow.py [--repeats 3]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _heldout import FOOTAGE, make_variant
from _peers.narrow_v1 import narrow as narrow_v1

from editor.lighting.search import _ClipFrames, _narrow
from media import probe, read_frame

CLIPS = (
    "obama-weekly-address_but-heres-the-thing.mp4",
    "obama-weekly-address_a-bad-situation.mp4",
    "grid_pwij3p.mpg",
    "crema-d_1001_DFA_SAD_XX.flv",
)
CASES = ((0.6, 0.55), (0.2, 0.3), (0.85, 0.1))  # (the reference's frame, the start), as shares of the clip
GAIN = np.array([1.1, 0.95, 0.85], np.float32)


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "lighting_narrow", **kw}, sort_keys=True), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    for name in CLIPS:
        for variant in ("shared", "crop", "prores10"):
            info = probe(FOOTAGE / name if variant == "shared" else make_variant(FOOTAGE / name, variant))
            n = info.frame_count
            new_t, old_t, found = [], [], []
            for ref_share, start_share in CASES:
                k, start = int(n * ref_share), int(n * start_share)
                target = np.clip(np.asarray(read_frame(info, k), np.float32) * GAIN, 0, 1)
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    got = _narrow(_ClipFrames(info, [start]), start, target)
                    new_t.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    was = narrow_v1(info, start, target)
                    old_t.append(time.perf_counter() - t0)
                found.append((k, got, was))
            new_s, old_s = statistics.median(new_t), statistics.median(old_t)
            ctx = {"clip": name, "variant": variant, "frames": n, "codec": info.codec_family}
            emit(metric="narrow_seconds", method="new", value=round(new_s, 3), **ctx)
            emit(metric="narrow_seconds", method="read_each_round", value=round(old_s, 3), **ctx)
            emit(metric="narrow_speedup", value=round(old_s / new_s, 2), **ctx)
            emit(metric="narrow_found", true=[f[0] for f in found], new=[f[1] for f in found],
                 read_each_round=[f[2] for f in found], agree=all(f[1] == f[2] for f in found), **ctx)  # fmt: skip


if __name__ == "__main__":
    main()
