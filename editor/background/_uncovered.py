"""The set a person uncovers, frame by frame, where an estimated plate never saw it: keyed next to a plain set.

An estimated plate is unknown wherever somebody stood in (nearly) every sampled frame (:mod:`editor.background.plate`);
there the matte follows the people's *static* silhouette, where they stood in most of it. A talker who leans away
from where he stood most of the take leaves part of it uncovered, and the matte keeps that part as him: on "but
here's the thing" (frames 37–49 of the first 50, as shared and as ProRes 10-bit) a pale glow of wall 15–25 px wide
by his ear and along his shoulder. The plate's thin ``extended`` strip (:mod:`editor.background._extend`, ``REACH``
≈ 9 px at 720p) is keyed, but not this far in, and it may not go farther: keyed throughout, a wider strip softened
the near-opaque rim of every still head (``docs/benchmarks.md``, "The plate next to a plain set").

What a frame shows there is evidence the static silhouette does not use: where the set it uncovers is the plain set
beside it continued, the frame matches the inpainted plate. Per frame, within the **zone**:

1. the zone (once per plate, at the estimate's work size; :func:`uncoverable`): the unknown pixels within ``REACH``
   of the seen set (a share of the frame's shorter side) whose seen set within ``REACH`` is plain over at least
   ``PLAIN_SHARE`` of it — a typical step to a neighbour (the median over 5×5 of each pixel's largest) of at most
   ``max(PLAIN_NOISE × σ, PLAIN_MIN)``, as :mod:`editor.background._shade` reads a plain set (on the plate with its
   unseen set inpainted, so the people's edge is no step). There the inpainted set continues a plain stretch; next
   to books, foliage or a flag it is a guess, and dark hair before dark books matches it (tried on "a bad situation"
   with no plainness test: the hair's top and a shoulder were cut). The plate keeps the zone where the static
   silhouette holds it (elsewhere the key is already the set's), less what the ``extended`` strip keys already and
   the people's interior;
2. per frame, a zone pixel whose difference key against the plate is below one half, **joined** (8-connected,
   through such pixels) to set the same frame keys as set where the plate is keyable, is keyed by that difference
   key instead of the silhouette's 1 (:func:`uncovered`; never above what the silhouette says: where it said set, a
   difference key against an inpainted set only adds noise, and it raised the GRID booth's halo). The join may pass
   through the **margin**: the estimate counts the set as covered a few pixels beyond the silhouette (the
   segmentation's uncertainty), so a ring of unseen set lies between the silhouette and the seen set, which the
   silhouette leaves to the set (a bridge where this frame's difference key is below one half there too; alone it
   joins nothing); where the ``extended`` strip does not key it (books or a shelf within its reach), a
   join through keyable pixels only was cut off there, and the wall "but here's the thing" uncovers along his
   shoulder stayed him (stop 59: the glow by the ear went, a fringe along the shoulder stayed). A person's colour
   that happens to match the plate inside them is not joined to the set; the people's interior (their silhouettes
   pulled in) is kept whatever the key says, as everywhere. The difference key is taken before the set in a person's
   shadow is keyed as set: against an inpainted wall a dark suit reads as the wall in shade.

Only the key changes: the compositing equation is not solved there (no plate was seen), and the guided filter treats
it as the unseen set it is (the narrower ``MatteParams.unseen_radius`` on a textured set). What it cannot tell: a
person whose edge is the plain set's own colour (a pale shirt before a pale wall) where they moved off their usual
place — any key fails there.

``REACH`` (0.05: the glow reached 25 px at 720p, 0.035 of the shorter side) and ``PLAIN_SHARE`` (0.9, the share
:mod:`editor.background._set_colour` takes for a plain set) were chosen on "but here's the thing" and checked on the
held-out composites of ``bench/background.py`` and "a bad situation" (``docs/benchmarks.md``, "A talker who leans
off his place").
"""

from __future__ import annotations

import cv2
import numpy as np

from editor.background._shade import _max_step, plain_steps

F32 = np.ndarray  # float32
Bool = np.ndarray  # bool

REACH = 0.05  # how far into the unknown region a frame's own set is keyed, as a share of the shorter side
PLAIN_SHARE = 0.9  # share of the seen set within REACH that must be plain


def uncoverable(seen: F32, known: Bool, noise: float) -> Bool:
    """The zone of step 1: unknown pixels of a plate (``seen``: H×W×3 float RGB in [0, 1], the set as seen where
    ``known``) where a frame's own set may be keyed; same shape as ``known``."""
    h, w = known.shape
    if known.all() or not known.any():
        return np.zeros_like(known)
    r = max(2, round(REACH * min(h, w)))
    plain = known & plain_steps(_max_step(seen.astype(np.float32)), noise)
    box = (2 * r + 1, 2 * r + 1)
    seen_n = cv2.boxFilter(known.astype(np.float32), -1, box, normalize=False, borderType=cv2.BORDER_CONSTANT)
    plain_n = cv2.boxFilter(plain.astype(np.float32), -1, box, normalize=False, borderType=cv2.BORDER_CONSTANT)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    near = ~known & (cv2.dilate(known.astype(np.uint8), disk) > 0)
    return near & (seen_n > 0) & (plain_n >= PLAIN_SHARE * seen_n)


def uncovered(difference: F32, key: F32, zone: Bool, keyable: Bool, left: Bool) -> Bool:
    """Step 2: the ``zone`` pixels of one frame keyed as the set it uncovered — ``difference`` (the difference key
    against the plate) below one half and joined, directly or through ``left`` (the unseen margin the silhouette leaves
    to the set), to pixels of ``keyable`` that ``key`` (the frame's key so far) holds as set; same shape as ``zone``."""
    candidate = zone & (difference < 0.5)
    if not candidate.any():
        return candidate
    seed = keyable & (key < 0.5)
    n, labels = cv2.connectedComponents((seed | left | candidate).astype(np.uint8), connectivity=8)
    joined = np.zeros(n, bool)
    joined[np.unique(labels[seed])] = True
    joined[0] = False
    return candidate & joined[labels]
