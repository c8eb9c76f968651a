"""The lids follow a vertical look: the eyeline edit's vertical flow carries the lids with the iris.

Why (issue 18, stop 52): the iris warp (``iris``) moved the iris disc whole and faded its flow out over the next
iris radius, whatever the direction. On a look up or down the lids stayed where they were except just over and
under the iris, where the falloff dragged a bump of the lid margin along: at −9° on GRID the iris rose under the
upper lid and the lid's edge over it darkened and thickened (stop 47's frames). In life the upper lid rides with the
eye: on a look down it comes down with the iris, on a look up it lifts, and the lower lid follows part of the way.

Eye model (stated, for the small looks the edit makes, at most ``model.MAX_SHIFT_DEG``):

- **Upper lid**: moves ``UPPER`` = 1 × the iris's vertical displacement. Becker & Fuchs (1988, "Lid-eye
  coordination during vertical gaze changes in man and monkey", search coils on three people): during steady
  fixation the eye and the upper lid take essentially equal positions.
- **Lower lid**: moves ``LOWER`` ≈ 0.57 × the iris's. Read et al. (2006, Optom. Vis. Sci. 83(10), 76 young
  subjects): the palpebral aperture narrows from 9.7 mm in primary gaze to 6.4 mm at 40° downgaze. In the edit's
  eye model (``_eyes``: a 12 mm eyeball) the iris centre moves 12 × sin 40° = 7.71 mm there; with the upper lid
  following it, the lower lid moved 7.71 − 3.3 = 4.41 mm, 0.57 of the iris. The same share is taken for a look up:
  Mastropietro et al. (2009, Arq. Bras. Oftalmol.) found the aperture widening on upgaze, the lower lid lagging.
- **Corners** (canthi) stay: the lid margins are pinned there. Across the eye the follow falls as a cosine arch
  from the patch's centre to 0 at the corners (``_eyes.CORNER_SPREAD``).

The follow ``lid_weight``, per patch pixel, the share of the iris's vertical displacement it gets:

1. **Rows, from the shot's iris** (``anchor``: the iris's centre row, the median over the shot's frames where the
   edit gives it, so the band does not jump with a per-frame estimate):
   - above it: 1 up to ``UP_HOLD`` iris radii (past the limbus's top: the upper margin rests 2–3 mm under it over
     the iris and about as high beside it, its lashes above), then a raised cosine to 0 over ``UP_FALL`` radii: the
     lid's skin up toward the crease is squeezed on a look up and stretched on a look down, as it folds in life;
   - below it: from 1 to ``LOWER`` by ``LOW_TURN`` radii, on the white above the lower margin (the eyeball: no
     texture to show the change; beside the iris the margin curves up, to 0.85 of a radius under the iris's centre
     on the tests' drawn eye), held to ``LOW_HOLD`` radii past the iris's lower edge (the margin sits at that edge
     under the iris, and its lashes), then a raised cosine to 0 over ``LOW_FALL`` radii.
2. **Columns**: times ``cos(π/2 · u)``, ``u`` the distance from the patch's centre column over the corners'.
3. The vertical flow is the iris's displacement times the larger of this and the iris's own weight
   (``iris.iris_weight``), so the iris still moves whole wherever it is. The horizontal flow is unchanged: on a
   look aside the lids stay.

The follow's steepest slope is the upper fall's, π/2 per ``UP_FALL`` radii: on the patch's 7 px radius, 0.22 per px
(the turn to ``LOWER`` 0.19, the lower fall 0.13, the arch 0.09). At the largest look (10°, 2.5 px) the flow then
changes by under 0.6 px per px, so the warp never folds (a hypothesis test checks it with the iris's weight, looks
both ways in both directions).
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from editor.eyeline._eyes import CORNER_SPREAD, F32

UPPER = 1.0  # the upper lid's vertical move per unit of the iris's (Becker & Fuchs 1988; module docstring)
LOWER = (12.0 * math.sin(math.radians(40.0)) - (9.7 - 6.4)) / (12.0 * math.sin(math.radians(40.0)))  # ≈ 0.572
UP_HOLD = 1.2  # iris radii above the iris's centre over which the upper lid moves whole
UP_FALL = 1.0  # iris radii over which the upper lid's follow falls to 0 above that
LOW_TURN = 0.5  # iris radii below the iris's centre by which the follow has come down to ``LOWER``
LOW_HOLD = 0.7  # iris radii below the iris's lower edge over which the lower lid moves ``LOWER``
LOW_FALL = 1.0  # iris radii over which the lower lid's follow falls to 0 below that


def _fall(t: np.ndarray) -> np.ndarray:
    """A raised cosine from 1 at ``t`` ≤ 0 to 0 at ``t`` ≥ 1."""
    return 0.5 * (1.0 + np.cos(np.pi * np.clip(t, 0.0, 1.0)))


@cache
def _columns(w: int) -> F32:
    """Step 2: the follow across the eye, 1 at the patch's centre column, 0 at the corners and beyond."""
    u = np.abs(np.arange(w, dtype=np.float64) - (w - 1) / 2) / (CORNER_SPREAD * w / 2)
    col = np.where(u < 1.0, np.cos(0.5 * np.pi * np.clip(u, 0.0, 1.0)), 0.0).astype(np.float32)
    col.flags.writeable = False
    return col


def _rows(h: int, anchor: float, radius: float) -> np.ndarray:
    """Step 1: the follow down the eye for an iris centred on row ``anchor`` with ``radius`` px."""
    y = (np.arange(h, dtype=np.float64) - anchor) / radius  # iris radii below the iris's centre
    up = _fall((-y - UP_HOLD) / UP_FALL)
    low = LOWER + (UPPER - LOWER) * _fall(y / LOW_TURN)
    low = np.where(y <= 1.0, low, LOWER * _fall((y - 1.0 - LOW_HOLD) / LOW_FALL))
    return np.where(y <= 0.0, UPPER * up, low)


def lid_weight(h: int, w: int, anchor: float, radius: float) -> F32:
    """The share of the iris's vertical displacement each pixel of an ``h × w`` patch gets from the lids' follow
    (steps 1 and 2), for the iris's centre on row ``anchor`` and its radius ``radius`` (patch px)."""
    return (_rows(h, anchor, radius)[:, None] * _columns(w)[None, :]).astype(np.float32)


__all__ = ["LOWER", "UPPER", "lid_weight"]
