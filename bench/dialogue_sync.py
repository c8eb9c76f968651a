"""How far the dialogue edits' sync reading can be trusted: the project's scorer on takes it never saw, by line length.

Every dub and re-time signs ``after_av_offset_frames`` and ``av_offset_target_met`` (|offset| ≤ 1 frame) from the
performer's own sync scorer (``editor.dialogue.sync``), on the dubbed range alone: a line of one to a few seconds.
The model's own check (``heldout_av_offset_residual_*``) reads one whole held-out take. This bench reads lines.

Per performer (takes as in ``bench/dialogue.py``), each take held out in turn: the scorer is trained on the other
takes as ``train_dialogue`` trains it (``new``: ``train_scorer``, ``NETS`` nets of 300 steps, negatives ±6 frames,
their curves averaged), once per seed. The held-out
take's sound is shifted by known offsets (``SHIFTS``) and read as a line of each length: the whole take, and pieces
a half and a third of it long as training's check cuts them (``line_check.cuts``: since stop 55 one starting every
half piece; before, the disjoint halves and thirds), each piece's sound cut out and normalised on its own, as a
line is. A reading is *right* when it is
within 1 frame of the shift. Same run, same pieces, two peers: ``single`` (one net: the scorer before stop 54) and
``wide`` (one net, negatives ±15 frames, the search's own reach). In the first run (``run: sync-lines``, code
ef0be4d) ``new`` was one net and ``ensemble3`` three: the scorer this bench led to.

JSON lines: ``sync_line_right`` (per performer, held take, method, length: the share of readings right, and
``gross``: the share 5 frames or more off) and ``sync_take_reading`` (the whole take's reading with its sound
unshifted, per seed: the take's own offset as the scorer sees it, against the takes it was trained on).

Usage: ``PYTHONPATH=. python bench/dialogue_sync.py [--performers crema,grid,obama] [--seeds 0,1,2]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _heldout import FOOTAGE
from dialogue import GROUPS

from editor.dialogue.line_check import cuts, line_features
from editor.dialogue.model import analyse_take
from editor.dialogue.sync import NETS, SyncNet, SyncTake, score, shift_features, train_scorer, train_sync

SHIFTS = (-8, -4, 0, 4, 8)
STEPS = 300
LENGTHS = {"whole": 1, "half": 2, "third": 3}  # training's LINE_PARTS, named
METHODS = {"new": (6, NETS), "single": (6, 1), "wide": (15, 1)}  # negatives' reach, nets averaged


def emit(**kw: object) -> None:
    print(json.dumps({"bench": "dialogue_sync", **kw}, sort_keys=True), flush=True)


def scorer(method: str, train: list[SyncTake], seed: int) -> tuple[SyncNet, ...]:
    if method == "new":
        return train_scorer(train, steps=STEPS, seed=seed)[0]
    reach, _ = METHODS[method]
    return (train_sync(train, steps=STEPS, max_shift=reach, seed=seed)[0],)


def pieces(n: int) -> list[tuple[str, int, int]]:
    """The take whole, and its half and third pieces, as training's check cuts it (``editor.dialogue.line_check``)."""
    return [(kind, a, b) for kind, part in LENGTHS.items() for a, b in cuts(n, part)]


def run(performer: str, seeds: list[int]) -> None:
    files = GROUPS[performer]
    data = [analyse_take(FOOTAGE / f, performer=f"{performer}-performer") for f in files]
    takes = [d.sync_take() for d in data]
    for held in range(len(takes)):
        train = [t for i, t in enumerate(takes) if i != held]
        take, audio = takes[held], data[held].sound
        cut = pieces(len(take.grey))
        lines = [(kind, a, b, line_features(audio.samples, audio.rate, take.fps, a, b)) for kind, a, b in cut]
        tally: dict[tuple[str, str], list[int]] = {}
        for seed in seeds:
            for method in METHODS:
                nets = scorer(method, train, seed)
                for kind, a, b, feats in lines:
                    for s in SHIFTS:
                        piece = SyncTake(take.grey[a:b], shift_features(feats, s, take.fps), take.fps)
                        got = score(nets, piece).offset_frames
                        tally.setdefault((method, kind), []).append(got - s)
                        if kind == "whole" and s == 0:
                            emit(metric="sync_take_reading", performer=performer, held=files[held], method=method,
                                 seed=seed, frames=b - a, value=got)  # fmt: skip
        for (method, kind), errors in tally.items():
            err = np.abs(np.array(errors))
            frames = sorted({b - a for kd, a, b, _ in lines if kd == kind})
            emit(metric="sync_line_right", performer=performer, held=files[held], method=method, length=kind,
                 frames=frames, readings=len(err), value=round(float(np.mean(err <= 1)), 3),
                 gross=round(float(np.mean(err >= 5)), 3), seeds=len(seeds))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--performers", default="crema,grid,obama")
    ap.add_argument("--seeds", default="0,1,2")
    args = ap.parse_args()
    for performer in args.performers.split(","):
        run(performer, [int(s) for s in args.seeds.split(",")])


if __name__ == "__main__":
    main()
