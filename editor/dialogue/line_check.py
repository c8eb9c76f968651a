"""How often the project's sync scorer reads a line of a given length right, measured on the model's held-out take.

Every dub and re-time signs the scorer's AV offset of its line and whether it meets the ≤ 1 frame target
(``editor.dialogue._common``). The model's held-out residual is read on a whole take, but a dub's line is often a
second or two, and on lines that short the reading is much less sure: on takes the scorer never saw, a whole
take's reading was within 1 frame of a known shift far more often than a half's or a third's
(``bench/dialogue_sync.py``; the numbers in ``docs/benchmarks.md``, "The sync reading on a line"). No training
set-up tried there made short lines sure. So that a verdict never reads surer than the project's own evidence,
training measures the scorer per line length, and each dialogue edit signs beside its verdict how often a line of
its length was read right:

1. **Lines** (``LINE_PARTS``, ``cuts``): the held-out take whole, and pieces a half and a third of it long, one
   starting every half piece (3 halves, 5 thirds: a line may start anywhere in a take). Each piece's sound is cut
   out of the take's and normalised on its own (``utterance_features``), as a dub's line is; a piece under
   ``MIN_FRAMES`` is not read.
2. **Readings**: each piece's sound shifted by every whole frame within ±6 (``LINE_SHIFTS``, the reach of the
   scorer's training negatives; ``shift_features``) and read by ``score``; a reading is right within 1 frame of
   its shift (the edits' target). Stop 54 read disjoint pieces at the five ``HELD_OUT_SHIFTS``: 5, 10 and 15
   readings per length, so a share moved in steps of 0.2, 0.1 and 0.07; now 13, 39 and 65.
3. **Stored** with the model's metrics, per part ``k``: ``heldout_line_frames_<k>`` (the part's shortest piece)
   and ``heldout_line_right_<k>`` (the share of its readings that were right).
4. **Signed** (``for_line``): the share of the longest measured length not longer than the edit's line
   (``sync_check_line_frames``, ``sync_check_right_share``). A line shorter than every measured piece gets the
   shortest's, and ``sync_check_line_shorter`` = 1: measured on longer lines, it is likely above the line's own.
   A model trained before this check (or on one take: nothing held out) has none, and nothing is signed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from editor.dialogue.features import utterance_features
from editor.dialogue.sync import SyncNet, SyncTake, score, shift_features

HELD_OUT_SHIFTS = (-6, -3, 0, 3, 6)  # the sound's known offsets for the model's residual, frames
LINE_SHIFTS = tuple(range(-6, 7))  # the sound's known offsets for the line check: every frame the scorer trains on
LINE_PARTS = (1, 2, 3)  # the held-out take whole, in halves, in thirds
MIN_FRAMES = 8  # a piece shorter than this is not read (the scorer's window is 5 frames)
TARGET_FRAMES = 1  # a reading within this of the truth is right (the edits' AV-offset target)


@dataclass(frozen=True)
class LineCheck:
    """The scorer on one line length: the shortest piece's frames, readings made, and the share right."""

    frames: int
    readings: int
    right: float


def cuts(n: int, part: int) -> list[tuple[int, int]]:
    """Step 1: the frames ``[a, b)`` of the lines ``1/part`` of a take of ``n`` frames long (``n // part`` frames),
    one starting every half line: ``2·part − 1`` of them, the first at 0 and the last ending at ``n``."""
    length = n // part
    if part == 1:
        return [(0, n)]
    starts = [round(j * (n - length) / (2 * part - 2)) for j in range(2 * part - 1)]
    return [(a, a + length) for a in starts]


def line_features(samples: np.ndarray, rate: int, fps: Fraction, a: int, b: int) -> np.ndarray:
    """Step 1: the sound of frames ``a``..``b`` cut out of the take's and normalised on its own, as a dub's line is."""
    lo, hi = (round(Fraction(k) / fps * rate) for k in (a, b))
    return utterance_features(samples[lo:hi], rate)


def measure(
    scorer: SyncNet | Sequence[SyncNet], take: SyncTake, samples: np.ndarray, rate: int
) -> dict[int, LineCheck]:
    """Steps 1–2: ``{part: LineCheck}`` for the held-out ``take`` (its grey mouths) and its sound ``samples``."""
    out = {}
    for part in LINE_PARTS:
        lines = cuts(len(take.grey), part)
        if min(b - a for a, b in lines) < MIN_FRAMES:
            continue
        right = []
        for a, b in lines:
            feats = line_features(samples, rate, take.fps, a, b)
            for s in LINE_SHIFTS:
                got = score(scorer, SyncTake(take.grey[a:b], shift_features(feats, s, take.fps), take.fps))
                right.append(abs(got.offset_frames - s) <= TARGET_FRAMES)
        out[part] = LineCheck(min(b - a for a, b in lines), len(right), round(float(np.mean(right)), 4))
    return out


def as_metrics(checks: dict[int, LineCheck]) -> dict[str, float]:
    """Step 3: the model's metrics."""
    metrics = {}
    for part, c in checks.items():
        metrics[f"heldout_line_frames_{part}"] = float(c.frames)
        metrics[f"heldout_line_right_{part}"] = c.right
    return metrics


def for_line(model_metrics: dict[str, float], frames: int) -> dict[str, float]:
    """Step 4: what an edit of a ``frames``-long line signs; empty when the model measured no line."""
    measured = sorted(
        (int(model_metrics[f"heldout_line_frames_{p}"]), model_metrics[f"heldout_line_right_{p}"])
        for p in LINE_PARTS
        if f"heldout_line_frames_{p}" in model_metrics and f"heldout_line_right_{p}" in model_metrics
    )
    if not measured:
        return {}
    fitting = [m for m in measured if m[0] <= frames]
    length, right = fitting[-1] if fitting else measured[0]
    return {
        "sync_check_line_frames": float(length),
        "sync_check_right_share": right,
        "sync_check_line_shorter": float(not fitting),
    }
