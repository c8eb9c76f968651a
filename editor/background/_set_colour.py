"""The static silhouette's pixels in the set's colours, judged by colour models its answer did not teach (step 6 of
the clean-plate estimate, :mod:`editor.background.plate`: how much of the set was recovered).

GrabCut (:func:`editor.background._people._silhouette`) learns its colour models from its own answer: the people's
model from what it calls the people. A flag or a shelf it took for a person teaches that model the flag's and the
shelf's colours, and its likelihood ratio then calls them a person with a clear margin. The count of the set
recovered, which trusted those models alone, called such a take recovered: the first second of "very real
challenges" (the camera still there) came out at 0.93, with the flag's lower half, a shelf and the books beside the
speaker's head kept as him, and the edit ran.

A second pair of Gaussian mixtures (GrabCut's own kind, five components), learned only where the answer is not in
doubt, judges the silhouette:

* the **people's**, from the face and chest cores, the inside of a person who moved
  (:func:`editor.background._people.moved_inside`), and the torso under each face, ±``TORSO_HALF`` face-box widths
  from 0.7 to 2 face-box heights below its centre: an upright talker's shirt and jacket (their shoulders reach
  farther). At ±0.3, the chest core's own width, the weekly address's dark jacket is left out and its colour,
  common among the books, reads as the set's;
* the **set's**, from the set outside every person-shaped zone, where nobody can be.

A pixel of the silhouette that nothing moved over, that is no core, and that the set never uncovered, with a colour
more than ``UNSURE_RATIO`` times likelier under the set's model than under the people's, is kept as a person by
the zone's shape alone: a guess, which the count of the set recovered counts as one. A person wearing the set's
colours is not one of these (the torso puts those colours in the people's model too); one whose clothes are the
set's colours away from the torso (a sleeve, a skirt) is, and the estimate is refused sooner for it. What it holds
is where colour cannot vouch for the silhouette, not where the set is: on ``bench/background.py``'s composites of
talkers before bookshelves, 76–92 % of it is the talkers by the true matte, and it lowers their count by at most
0.019 (none refused); on the weekly addresses it refuses the estimates whose composites keep a flag, shelves or a
desk (stop 56, ``docs/benchmarks.md``).

**On a plain set they are given back** (``PLAIN_SET``, ``plain_share``). Where at least 0.9 of the set seen beyond the
zones is a plain stretch (as :mod:`editor.background._shade` reads one: a booth, a green screen, a painted wall measured
0.96–1.0 on GRID, CREMA-D and the composites; the bookshelves, libraries and offices 0.10–0.73), the set's model is one
tight colour, and a colour it explains that much better is the set's own: those pixels go back to the set
(``set_coloured_returned``) instead of counting as guessed — the GRID booth above a talker's head and the rim of it
round his hair, which the static silhouette took for him — unless the rest of the silhouette encloses them
(``given_back``: then they stay, counted as guessed). On a textured set the set's model is broad enough to explain the
people's colours too, so what it holds stays, counted as guessed.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from editor.background._people import F32, U8, UNSURE_RATIO, Bool, _fill, _gmm_loglik, chest
from editor.background._shade import _max_step, plain_steps
from editor.cast import FaceBox

TORSO_HALF = 0.55  # the torso column's half width, in face-box widths
MAX_FIT = 60_000  # at most this many pixels (evenly strided) teach each model
PLAIN_SET = 0.9  # a set plain over at least this share of what is seen beyond the zones: its colours are its own


def torso(faces: Sequence[Sequence[FaceBox] | None], scale: float, shape: tuple[int, int]) -> Bool:
    """The column under every face found, ±``TORSO_HALF`` face-box widths, from 0.7 to 2 face-box heights below its
    centre (at the estimate's work size: the faces' boxes times ``scale``)."""
    return chest(faces, scale, shape, TORSO_HALF)


def _strided(bgr: U8, mask: Bool) -> np.ndarray:
    px = bgr[mask]
    return px[:: max(1, len(px) // MAX_FIT)][:MAX_FIT]


def _models(bgr: U8, people: Bool, set_: Bool) -> tuple[np.ndarray, np.ndarray]:
    """GrabCut's two mixtures, learned from the ``people`` and ``set_`` pixels alone (its own k-means start, with no
    iteration: nothing else is labelled)."""
    fg, bg = _strided(bgr, people), _strided(bgr, set_)
    image = np.ascontiguousarray(np.concatenate([fg, bg])[:, None, :])
    labels = np.concatenate([np.full(len(fg), cv2.GC_FGD), np.full(len(bg), cv2.GC_BGD)]).astype(np.uint8)[:, None]
    fgd, bgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(0)
    cv2.grabCut(image, labels, None, bgd, fgd, 0, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]
    return fgd, bgd


def set_coloured(median8: U8, candidates: Bool, people: Bool, set_: Bool) -> Bool:
    """The ``candidates`` (silhouette pixels nothing moved over, no core, never uncovered) whose colour in the take's
    median (RGB uint8) is more than ``UNSURE_RATIO`` times likelier under a model of the ``set_`` pixels than under
    one of the ``people`` pixels (module docstring). None of them where either has too few pixels to learn from."""
    out = np.zeros(candidates.shape, bool)
    if not candidates.any() or people.sum() < 10 or set_.sum() < 10:
        return out
    bgr = cv2.cvtColor(median8, cv2.COLOR_RGB2BGR)
    fgd, bgd = _models(bgr, people, set_)
    ys, xs = np.nonzero(candidates)
    px = bgr[ys, xs].astype(np.float64)
    out[ys, xs] = _gmm_loglik(bgd, px) - _gmm_loglik(fgd, px) > np.log(UNSURE_RATIO)
    return out


def plain_share(median: F32, set_: Bool, noise: float) -> float:
    """The share of the ``set_`` pixels of the take's median (float RGB in [0, 1]) on a plain stretch: the typical
    step to a neighbour (the median over 5×5 of each pixel's largest) at most ``max(PLAIN_NOISE × σ, PLAIN_MIN)``, as
    :mod:`editor.background._shade` reads a plain set; 0 where there is no set."""
    if not set_.any():
        return 0.0
    return float(plain_steps(_max_step(median.astype(np.float32)), noise)[set_].mean())


def given_back(silhouette: Bool, held: Bool) -> Bool:
    """The ``held`` pixels (of ``silhouette``, in a plain set's colours) that go back to the set: all but those the
    rest of the silhouette encloses — a patch in the set's colour inside a person (a blue badge on a shirt before a
    blue booth) stays theirs, as GrabCut's own holes are filled."""
    return held & ~_fill(silhouette & ~held)
