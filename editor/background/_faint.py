"""The edge of a person who hardly moves, traced by the faint motion the per-frame test misses.

A talker at a desk barely moves. The estimate's per-frame test (:mod:`editor.background.plate`, step 2: over
``max(4σ, 0.04)`` from the take's median, in blobs of at least 0.05 % of the frame) sees the face and the mouth,
not the ears or the hair's edge; GrabCut on the median gives an ear the colour of the books behind it to the set;
nothing the estimate knows of covered the ear, so the plate takes it for the set seen, and the matte replaces it
("a bad situation", stop 56: the ear gone but for a faint ghost, the hair's top cut flat).

The head still turns by a pixel or two now and then, and its edge moves with it. Counted over the samples, a pixel
that differs from the median by a fainter amount (``max(3σ, FAINT)``) in at least ``OFTEN`` of them is where
something moved now and then; inside the person-shaped zones and touching the silhouette, those pixels trace the
person's own edge, and the silhouette is grown to them and to what they enclose (:func:`faint_outline`). A set
does not move in a locked-off take (the camera check, :mod:`editor.background._still`, refuses one that does), and
its noise passes ``3σ`` in far fewer than a fifth of the samples: on the weekly addresses 0–1 % of the set beyond
the people changes that often (every version; the most, 1.0 %, on "very real challenges", whose camera drifts). Where
more than ``SET_CHANGING`` of it does (a flickering light, a screen or foliage on the set, a camera that breathes),
faint change says nothing about where a person's edge is, and nothing is traced.

Used on a textured set only (:func:`editor.background._set_colour.plain_share`): on a plain one GrabCut's colour
models tell a person from the set by themselves (the set is one tight colour) and the per-frame test sees every move
against it; there the count adds only the band a swaying head covers now and then, which the plate sees in the
frames it is uncovered and which, held in the silhouette, keeps the booth as the talker in every frame
(``docs/benchmarks.md``, "A still person's edge, and the matte where a textured set was never seen": on the keyed
takes the booth kept as the talker went from 274 to 813 px on CREMA-D, from 87 to 240 on GRID at CRF 28). A
textured set can be plain where a head is: the pale wall round the speaker's head in "but here's the thing", whose
set is a flag, a mirror and a lamp. There the same band was traced (a rim of wall kept as him round the hair, about
8 px wide at 720p), so the trace leaves out what is the plain set beside it, continued (:func:`set_continued`: the
test by which :mod:`editor.background._extend` lets the matte key against the inpainted set); by the books of "a bad
situation" nothing is left out, and his ear stays traced.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from editor.background._extend import TOL_MIN, TOL_NOISE, extendable
from editor.background._people import F32, U8, Bool, _fill

FAINT = 0.03  # RGB distance (of at most √3) below which a change from the median is not counted, whatever the noise
OFTEN = 0.2  # share of the samples in which a pixel must have changed for it to count as moving now and then
SET_CHANGING = 0.05  # share of the set beyond the people that changing that often makes faint change no evidence


def often_changed(changes: Sequence[F32], noise: float, away: Sequence[Bool] | None = None) -> Bool:
    """Where a sample differs from the take's median by more than ``max(3σ, FAINT)`` in at least ``OFTEN`` of them;
    ``changes``: each sample's RGB distance from the median, 0 where it is the set in a person's shadow
    (:func:`editor.background._people.shadow_mask`), as the estimate's per-frame test computes them; ``away``: per
    sample, where a person was followed off their place (:func:`editor.background._lean.followed`), not counted there:
    a talker who leans for a fifth of the take is no edge that moves now and then."""
    thresh = max(3.0 * noise, FAINT)
    count = np.zeros(changes[0].shape, np.float32)
    for i, change in enumerate(changes):
        hit = change > thresh
        count += hit if away is None else hit & ~away[i]
    return count >= OFTEN * len(changes)


def faint_outline(changed: Bool, silhouette: Bool, zones: Bool, set_: Bool) -> Bool:
    """What the silhouette gains from ``changed`` (:func:`often_changed`): its pieces inside ``zones`` (where people
    may be) that touch ``silhouette`` (8-connected), and what they and the silhouette enclose together; nothing where
    more than ``SET_CHANGING`` of ``set_`` (the set beyond every person-shaped zone) changed as often."""
    faint = changed & zones & ~silhouette
    if not faint.any() or not silhouette.any() or (set_.any() and changed[set_].mean() > SET_CHANGING):
        return np.zeros_like(silhouette)
    n, labels = cv2.connectedComponents(faint.astype(np.uint8), connectivity=8)
    ring = cv2.dilate(silhouette.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    touching = np.zeros(n, bool)
    touching[np.unique(labels[ring & faint])] = True
    touching[0] = False
    return _fill(silhouette | touching[labels]) & ~silhouette


def set_continued(median8: U8, traced: Bool, silhouette: Bool, noise: float) -> Bool:
    """The ``traced`` pixels that are the plain set beside them, continued: within reach of a stretch of set whose
    inpainting extrapolates it well (:func:`editor.background._extend.extendable`, the take's median ``median8``
    standing for the set seen beyond ``silhouette`` and ``traced``), and whose median colour that inpainting matches
    within the same tolerance (``max(TOL_MIN, TOL_NOISE·σ)``). There the faint change was a head covering the set
    now and then, not the edge of something the set's colour hides."""
    if not traced.any():
        return np.zeros_like(traced)
    beyond = ~(silhouette | traced)
    near = extendable(median8, beyond, noise) & traced
    if not near.any():
        return near
    guess = cv2.inpaint(median8, (~beyond).astype(np.uint8), 3, cv2.INPAINT_TELEA)
    diff = (guess.astype(np.float32) - median8.astype(np.float32)) / 255.0
    return near & (np.sqrt((diff * diff).sum(axis=-1)) <= max(TOL_MIN, TOL_NOISE * noise))
