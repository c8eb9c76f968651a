"""How long the sync scorer takes to read a line, and training's line check with it. One JSON line per metric.

    PYTHONPATH=. python bench/sync_score.py [--repeats 7]

The scorer (``editor.dialogue.sync.score``) reads a line at every offset within ±15 frames with each of its three
nets. ``new``: this code, the offsets' audio windows embedded in batches of up to ``SCORE_BATCH`` windows;
``stop54``: each offset in its own call (``bench/_peers/score_v54.py``), in the same run. The nets are untrained
(a read costs the same whatever the weights) and the lines random mouths and sound: speed only. Both must give the
same reading; the bench says whether they did (``same_reading``).

- ``score_ms``: per line length (frames), the median wall time of one read (``--repeats`` reads);
- ``line_check_seconds``: training's line check (``editor.dialogue.line_check.measure``) on a held-out take of 61
  and of 144 frames (the shared takes' shortest and longest), with each ``score``; and, as stop 54 checked
  (disjoint pieces, five shifts), with ``stop54``'s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from fractions import Fraction
from pathlib import Path
from unittest import mock

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import torch  # noqa: E402
from _peers import score_v54  # noqa: E402

from editor.dialogue import line_check  # noqa: E402
from editor.dialogue.sync import GREY_H, GREY_W, SyncNet, SyncTake, score  # noqa: E402

SCORERS = {"new": score, "stop54": score_v54.score}


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "sync_score", **kw}, sort_keys=True), flush=True)


def take(n: int, rng: np.random.Generator) -> SyncTake:
    grey = rng.standard_normal((n, GREY_H, GREY_W)).astype(np.float32)
    return SyncTake(grey, rng.standard_normal((n * 4, 14)).astype(np.float32), Fraction(25))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    torch.manual_seed(0)
    nets = tuple(SyncNet() for _ in range(3))
    rng = np.random.default_rng(0)
    for n in (20, 30, 48, 61, 144):
        line = take(n, rng)
        readings = {}
        for method, read in SCORERS.items():
            read(nets, line)  # warm
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                readings[method] = read(nets, line)
                times.append(time.perf_counter() - t0)
            emit(metric="score_ms", method=method, frames=n, value=round(1000 * float(np.median(times)), 1))
        new, old = readings["new"], readings["stop54"]
        same = new.offset_frames == old.offset_frames and np.allclose(new.curve, old.curve, atol=1e-4)
        emit(metric="same_reading", frames=n, value=bool(same))
    disjoint = mock.patch.multiple(
        line_check,
        cuts=lambda n, p: [(n * i // p, n * (i + 1) // p) for i in range(p)],
        LINE_SHIFTS=line_check.HELD_OUT_SHIFTS,
    )
    for n in (61, 144):
        held = take(n, rng)
        sound = (0.1 * rng.standard_normal(16000 * n // 25)).astype(np.float32)
        for method, read in SCORERS.items():
            with mock.patch.object(line_check, "score", read):
                t0 = time.perf_counter()
                line_check.measure(nets, held, sound, 16000)
                emit(metric="line_check_seconds", method=method, check="stop55", frames=n,
                     value=round(time.perf_counter() - t0, 2))  # fmt: skip
                with disjoint:
                    t0 = time.perf_counter()
                    line_check.measure(nets, held, sound, 16000)
                    emit(metric="line_check_seconds", method=method, check="stop54", frames=n,
                         value=round(time.perf_counter() - t0, 2))  # fmt: skip


if __name__ == "__main__":
    main()
