"""Frame rates: a bank take's frames shown at a shot's rate, as a conform shows them.

Why (issue 18): a dialogue model's bank is timed in the frames of the takes it was trained on, and a dub's shot
may run at another rate (a 50 or 59.94 fps insert in a 25 or 29.97 production, a 29.97 take conformed to 23.976).
The selection's join cost treats the bank frame that followed the previous one in its take as the natural next
mouth (``editor.dialogue.select``). On a shot at twice the bank's rate, following the bank frame by frame plays its
mouths at twice their speed; at 23.976 from 29.97 takes, at four fifths of it. Measured on the held-out takes
(``bench/dialogue.py``, ``rebuild_mouth_speed``: bank frames advanced per shot frame through the chosen runs, times
the shot's rate over the take's), the mouths chosen from the bank as it is moved at 1.45 (CREMA-D) and 1.36 (GRID)
of the take's speed at twice its rate, and at 0.80 (CREMA-D) and 0.71 (Obama) at 23.976; at the takes' own rate,
0.85–0.95.

1. **Retiming** (``retimed``): frame ``j`` at rate ``dst`` shows the source frame on screen at its centre,
   ``floor((j + 1/2) · src / dst)``, for the frames at ``dst`` that start within the source's duration (the last
   source frame where a centre falls past its end). At twice the rate each frame is shown twice. Exact rational
   arithmetic, so a rate that is the same gives every frame once, in order.
2. **Phases** (``phases``): at a lower rate one such run drops frames (a fifth of a 29.97 take at 23.976: tried,
   the rebuilt CREMA-D mouth lost 0.30 dB), so the take is shown in ``K = ceil(src / dst)`` phases, phase ``i``
   showing frame ``floor(j · src / dst + i · src / (dst · K))`` as its frame ``j``: each advances as the take did in
   time, and together they show every frame.
3. **The bank at the shot's rate** (``BankView``, ``bank_view``): each take at another rate than the shot's shown at
   it, in every phase, each phase's frames numbered apart (following the bank frame by frame stays in one phase, at
   the take's speed). A take at the shot's rate is the bank itself, frame for frame, and so is one within
   ``SAME_RATE`` (1 %) of it: 29.97 and 30, 23.976 and 24, or one rate written two ways (the footage's CREMA-D
   takes probe at 30000/1001, their re-encodes at 989/33) differ by a speed no one sees, and two phases of the same
   frames would only double the pool. Measured the same way, the mouths then moved at 0.97 and 0.98 at twice
   the rate (Obama's at 0.81, from 0.99) and 0.92 and 0.81 at 23.976, and mouth PSNR on the replaced frames was
   −0.04 to +0.50 dB from the bank as it is, like for like (docs/benchmarks.md, "A shot at another frame rate").

The sync scorer (``editor.dialogue.sync``) is left reading the shot's own frames: its audio window is 200 ms
whatever the rate, and on the CREMA-D and GRID held-out takes shown at twice their rate and at 23.976 it found
every known shift from −6 to +6 frames exactly (52 of 52). Retiming the mouths to its training rate first read
offsets only to one of its frames, and missed by one frame on 16 of the 52.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

SAME_RATE = Fraction(1, 100)  # rates this close (relative) are shown frame for frame


def same_rate(a: Fraction, b: Fraction) -> bool:
    """Step 3: whether a take at ``a`` is shown frame for frame at ``b`` (within ``SAME_RATE`` of it)."""
    return abs(Fraction(a) / Fraction(b) - 1) <= SAME_RATE


def retimed(n: int, src: Fraction, dst: Fraction) -> np.ndarray:
    """Step 1: for ``n`` frames at rate ``src``, the source frame shown by each frame at rate ``dst`` (at least one
    when ``n`` is at least one)."""
    if n <= 0:
        return np.zeros(0, np.int64)
    src, dst = Fraction(src), Fraction(dst)
    m = max(1, -(-n * dst.numerator * src.denominator // (dst.denominator * src.numerator)))
    j = np.arange(m, dtype=np.int64)
    num = (2 * j + 1) * (src.numerator * dst.denominator)
    return np.minimum(num // (2 * src.denominator * dst.numerator), n - 1)


@dataclass(frozen=True)
class BankView:
    """Step 3: the bank as the shot's frames see it. ``source[i]`` is the bank frame shown as view frame ``i``;
    ``take_ids`` and ``frame_ids`` number the view's frames per take (consecutive in time at the shot's rate)."""

    source: np.ndarray
    take_ids: np.ndarray
    frame_ids: np.ndarray
    retimed_takes: tuple[int, ...] = ()
    """The takes shown at the shot's rate from another."""


def phases(n: int, src: Fraction, dst: Fraction) -> list[np.ndarray]:
    """Steps 1–2: ``n`` frames at ``src`` shown at ``dst`` in every phase needed for each frame to be shown at least
    once: one (``retimed``) where ``dst`` is at least ``src``; else ``K = ceil(src / dst)`` phases, phase ``i``
    showing frame ``floor(j · r + i · r / K)`` as its frame ``j`` (``r = src / dst``), each a run that advances as the
    take did in time (at 50 → 25 fps, the even frames and the odd ones). The points ``j · r + i · r / K`` are ``r / K``
    apart, at most one frame, so every frame is shown in some phase."""
    src, dst = Fraction(src), Fraction(dst)
    if dst >= src or n <= 0:
        return [retimed(n, src, dst)]
    r = src / dst
    k = math.ceil(r)
    j = np.arange(n * r.denominator // r.numerator + 1, dtype=np.int64)  # enough frames at dst to pass frame n
    out = []
    for i in range(k):
        idx = (r.numerator * (j * k + i)) // (r.denominator * k)
        out.append(idx[idx < n])
    return out


def bank_view(
    take_ids: np.ndarray, frame_ids: np.ndarray, take_rates: Sequence[Fraction] | None, rate: Fraction
) -> BankView:
    """Step 3: the bank (frames grouped by take, in frame order) as a shot at ``rate`` sees it: each take at another
    rate shown at it, in every phase (``phases``), each phase's frames numbered apart so that following the bank
    frame by frame stays in one phase. Without the takes' rates (a model trained before they were kept) or where
    every take is at ``rate``, the bank itself."""
    identity = BankView(np.arange(len(take_ids)), np.asarray(take_ids), np.asarray(frame_ids))
    if take_rates is None or all(same_rate(r, rate) for r in take_rates):
        return identity
    sources, takes, frames, moved = [], [], [], []
    for t in range(len(take_rates)):
        rows = np.nonzero(np.asarray(take_ids) == t)[0]
        if not len(rows):
            continue
        rows = rows[np.argsort(np.asarray(frame_ids)[rows], kind="stable")]
        runs = [np.arange(len(rows))]
        if not same_rate(take_rates[t], rate):
            runs = phases(len(rows), Fraction(take_rates[t]), Fraction(rate))
            moved.append(t)
        at = 0
        for run in runs:
            sources.append(rows[run])
            takes.append(np.full(len(run), t))
            frames.append(at + np.arange(len(run)))
            at += len(run) + 1  # a gap: the last frame of a phase is not followed by the next phase's first
    return BankView(np.concatenate(sources), np.concatenate(takes), np.concatenate(frames), tuple(moved))
