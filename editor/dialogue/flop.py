"""Is the shot flopped against the bank? An editor flops a shot (mirrors it left to right) to keep screen direction;
its mouth is then the mirror image of the one the performer's takes show.

Why (issue 18): the dub placed the bank's mouths as they were shot. On the CREMA-D and GRID held-out takes flopped
(``bench/_heldout.py``, ``mirror``) the rebuilt mouth fell from 28.10 to 24.68 dB (CREMA-D) and from 29.55 to
23.83 dB (GRID) mouth PSNR on the replaced frames: a mouth whose corners, lips and light lean the other way.

1. **The test** (``flop_test``): up to ``SAMPLE`` of the pool's mouths, evenly spaced, are fitted to the shot's
   mouths as they are and mirrored (``editor.dialogue.fit.mouth_fits``: colour-matched as the blend does, the
   error over the mouth ellipse). ``margin_db`` is the median fit mirrored less as they are; ``share`` the share of
   those mouths that fit better mirrored.
2. **The decision.** The shot is taken as flopped when the mirrored fit is better by at least ``MARGIN_DB``
   (0.75 dB) *and* for at least ``MIN_SHARE`` (three quarters) of the mouths. Measured on every take of the footage
   held out in turn, against the other takes (a one-off probe; shared, re-framed and flopped versions, 24 cases):
   the flopped versions 2.19–7.05 dB better mirrored with every mouth (CREMA-D, GRID) and 1.06 dB with 87 % of them
   (one Obama take); the unflopped −1.13 to −6.38 dB, but +0.25 to +0.29 dB with 54–56 % of the mouths on two Obama
   takes, whose near-symmetric, turning face leaves the test undecided (their flopped versions: −0.29 and −0.32,
   not taken as flopped). The constants were set after seeing these cases: the harmful error is flopping an
   unflopped shot (−2.5 to −6.3 dB of fit here), so the margin is over twice the largest undecided value.
3. **The dub** then draws its mouths from the bank mirrored (``DialogueModel.flopped``): fit, selection, plan and
   placement all see the mirrored mouths; the sync scorer, trained on the takes as shot, reads the shot's mouths
   mirrored back.

What the test tells is that the mirrored mouths fit the shot better, not why: on the bench's halves of Obama's
held-out take, as shot, it chose the mirrored mouths (his other takes are lit from the other side), and they scored
0.34 dB over the mouths as shot with under half the side-light error (``bench/dialogue.py``, ``side_light``). The
signed result says what was done (``bank_flopped``, ``selection_flop_*``), and the CLI and the console ask the editor
to check the mouth's own asymmetries (``editor.notes.flop_note``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editor.dialogue.fit import mouth_fits

SAMPLE = 48  # pool mouths compared
MARGIN_DB = 0.75  # the mirrored fit must be better by this much (median) …
MIN_SHARE = 0.75  # … and for this share of the mouths


@dataclass(frozen=True)
class FlopTest:
    """Step 1–2's evidence and decision."""

    flopped: bool
    margin_db: float  # median fit mirrored less as they are
    share: float  # share of the compared mouths that fit better mirrored
    mouths: int  # pool mouths compared

    def as_metrics(self) -> dict[str, float]:
        return {
            "selection_flop_margin_db": round(self.margin_db, 3),
            "selection_flop_share": round(self.share, 4),
            "selection_flopped": float(self.flopped),
        }


def flop_test(bank: np.ndarray, pool: np.ndarray, shot: np.ndarray) -> FlopTest:
    """Steps 1–2: is ``shot`` (``(T, h, w, 3)`` uint8 crops of the shot's mouth box) the mirror image of the bank's
    takes? ``pool``: ``(N,)`` bool, the bank mouths the dub may draw from."""
    index = np.nonzero(pool)[0]
    if not len(index) or not len(shot):
        return FlopTest(False, 0.0, 0.0, 0)
    sample = index[np.linspace(0, len(index) - 1, min(SAMPLE, len(index))).round().astype(int)]
    sample = np.unique(sample)
    as_is, _ = mouth_fits(bank, sample, shot)
    mirrored, _ = mouth_fits(bank, sample, np.ascontiguousarray(shot[:, :, ::-1]))
    margin = float(np.median(mirrored) - np.median(as_is))
    share = float(np.mean(mirrored > as_is))
    return FlopTest(margin >= MARGIN_DB and share >= MIN_SHARE, margin, share, len(sample))
