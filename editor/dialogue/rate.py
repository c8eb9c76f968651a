"""Frame rates: a bank take's frames shown at a shot's higher rate, as a conform shows them.

Why (issue 18): a dialogue model's bank is timed in the frames of the takes it was trained on, and a dub's shot
may run at a higher rate (a 50 or 59.94 fps insert in a 25 or 29.97 production). The selection's join cost treats
the bank frame that followed the previous one in its take as the natural next mouth (``editor.dialogue.select``);
on a shot at twice the bank's rate, following the bank frame by frame plays its mouths at twice their speed. On the
CREMA-D and GRID held-out takes shown at twice their rate, the mouths chosen from the bank as it is moved at 1.40
and 1.25 times the take's speed through their runs (bank frames advanced per second of shot, against the take's
rate), where the same choice on the takes at their own rate moved at 0.93 and 0.87.

1. **Retiming** (``retimed``): frame ``j`` at rate ``dst`` shows the source frame on screen at its centre,
   ``floor((j + 1/2) · src / dst)``, for the whole frames at ``dst`` within the source's duration. At twice the
   rate each frame is shown twice. Exact rational arithmetic, so a rate that is the same gives every frame once, in
   order.
2. **The bank at the shot's rate** (``BankView``, ``bank_view``): each take of the bank at a lower rate than the
   shot's is retimed up to it, its frames numbered anew, so following the bank frame by frame follows the take in
   time (0.97 and 0.94 of the take's speed in the same runs). Every mouth of the take stays in the view.
   A take at the shot's rate or above is the bank itself, frame for frame: retimed down, a fifth of a 29.97 take's
   mouths would leave the view at 23.976 (tried: the rebuilt CREMA-D mouth lost 0.30 dB), while chosen from the
   bank as it is they already moved at 0.90–0.94 of the take's speed there, the sound's cost keeping them to it.

The sync scorer (``editor.dialogue.sync``) is left reading the shot's own frames: its audio window is 200 ms
whatever the rate, and on the CREMA-D and GRID held-out takes shown at twice their rate and at 23.976 it found
every known shift from −6 to +6 frames exactly (52 of 52). Retiming the mouths to its training rate first read
offsets only to one of its frames, and missed by one frame on 16 of the 52.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np


def retimed(n: int, src: Fraction, dst: Fraction) -> np.ndarray:
    """Step 1: for ``n`` frames at rate ``src``, the source frame shown by each frame at rate ``dst`` (at least one
    when ``n`` is at least one)."""
    if n <= 0:
        return np.zeros(0, np.int64)
    src, dst = Fraction(src), Fraction(dst)
    m = max(1, n * dst.numerator * src.denominator // (dst.denominator * src.numerator))
    j = np.arange(m, dtype=np.int64)
    num = (2 * j + 1) * (src.numerator * dst.denominator)
    return np.minimum(num // (2 * src.denominator * dst.numerator), n - 1)


@dataclass(frozen=True)
class BankView:
    """Step 2: the bank as the shot's frames see it. ``source[i]`` is the bank frame shown as view frame ``i``;
    ``take_ids`` and ``frame_ids`` number the view's frames per take (consecutive in time at the shot's rate)."""

    source: np.ndarray
    take_ids: np.ndarray
    frame_ids: np.ndarray
    retimed_takes: tuple[int, ...] = ()
    """The takes retimed up to the shot's rate."""


def bank_view(
    take_ids: np.ndarray, frame_ids: np.ndarray, take_rates: Sequence[Fraction] | None, rate: Fraction
) -> BankView:
    """Step 2: the bank (frames grouped by take, in frame order) as a shot at ``rate`` sees it: its takes at a lower
    rate retimed up to it. Without the takes' rates (a model trained before they were kept) or where no take is at
    a lower rate, the bank itself."""
    identity = BankView(np.arange(len(take_ids)), np.asarray(take_ids), np.asarray(frame_ids))
    if take_rates is None or all(Fraction(r) >= Fraction(rate) for r in take_rates):
        return identity
    sources, takes, frames, moved = [], [], [], []
    for t in range(len(take_rates)):
        rows = np.nonzero(np.asarray(take_ids) == t)[0]
        if not len(rows):
            continue
        rows = rows[np.argsort(np.asarray(frame_ids)[rows], kind="stable")]
        if Fraction(take_rates[t]) < Fraction(rate):
            rows = rows[retimed(len(rows), Fraction(take_rates[t]), Fraction(rate))]
            moved.append(t)
        sources.append(rows)
        takes.append(np.full(len(rows), t))
        frames.append(np.arange(len(rows)))
    return BankView(np.concatenate(sources), np.concatenate(takes), np.concatenate(frames), tuple(moved))
