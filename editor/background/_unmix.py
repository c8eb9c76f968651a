"""A soft edge's alpha bounded by the colour it shows, where the set behind it was never seen but is plain.

Where the set was seen (the plate keyable) the matte solves the compositing equation ``I = αF + (1 − α)B`` in its
unknown band (:func:`editor.background.matte._projected_alpha`). Where it was never seen, the static silhouette
decides and the guided filter spreads its step over a window (``MatteParams.radius``): beside a performer who moved
off where he mostly stood, the soft tail of that step keeps a glow of the old set at partial alpha just outside him
("but here's the thing", frame 45, leaning: the pale wall beside his hair at alpha 0.6–0.7, and along his shoulder
0.3–0.9 over 10–14 px, where the frame matches the plate within 0.01–0.06).

Beside a plain set the unseen set is the plain stretch continued (the inpainted plate; :mod:`editor.background
._uncovered` keys it on the same ground), so the equation's ``B`` is known there after all, and the pixel's colour
bounds its alpha. Per frame, on the soft edge (``0 < α < 1``) where the plate is unseen, within ``_uncovered.REACH``
of a stretch of seen set that is plain (:func:`editor.background._uncovered.uncoverable`: not the inpainted plate's
own smoothness, which books have too), not the people's interior, and where the difference key, too, holds the
pixel near the set (``|I − B|`` at most the key's upper threshold):

1. ``F``, the solid performer nearby (``α ≥ SOLID``), read twice: a Gaussian-weighted mean at the edge itself
   (σ = ``band_px``/2: a jaw darker than the cheek) and beyond the edge band (σ = 2·``band_px``, farther than
   ``band_px`` from ``α ≤ 0.5``, as :mod:`editor.background.despill` takes its chroma: no codec bleed);
2. for each, ``t = (I − F)·(B − F) / |B − F|²``, how far along the line from the performer's colour to the set's
   the pixel lies (0 the performer, 1 the set);
3. where that reading is well-posed — ``|B − F|`` at least ``CONTRAST`` (a clear step, as a dark suit before a pale
   wall: before a dark set a shaded jaw lies on the line from the lit cheek and read as half set), the pixel within
   ``LINE·|B − F|`` of the line, ``t`` at most ``BEYOND`` — the bound ``1 − t + SLACK``; the looser of the two
   readings (a reading with no solid performer within its reach is not counted; one ill-posed: no bound);
4. ``α ← α − e·max(0, α − bound)``, ``e`` easing in as the matte softens (0 at ``α = 1``, 1 at ``α ≤ 1 − EASE``):
   a solid pixel the matte holds at 0.99 in one frame and 1 in the next is not dropped to the bound in one of them.

Only a bound: alpha is never raised, and a pixel the unmixing reads as mostly performer keeps the matte's alpha (a
mean ``F`` is no single strand's colour: a strand lighter than the hair's mean reads as partly set, which the
``SLACK`` absorbs). What it cannot tell: a performer's edge in the plain set's own colour (the same as any key).
``CONTRAST``, ``LINE`` and ``EASE`` were set on the bench's composites with a known matte (``bench/background.py``,
peer ``bound59``: a dark shirt and a shaded jaw before the library's dark red set were cut and flickered with looser
ones), the rest on the weekly address.
"""

from __future__ import annotations

import cv2
import numpy as np

from editor.background._uncovered import uncoverable
from editor.background.clean_plate import CleanPlate
from editor.background.despill import band_px
from editor.background.matte import bounding_box

F32 = np.ndarray  # float32
Bool = np.ndarray  # bool

SOLID = 0.98  # alpha at and above which a pixel is solid performer (its colour is the performer's)
CONTRAST = 0.5  # |B − F| (RGB distance, [0, 1] units) below which the unmixing is not read
LINE = 0.15  # the pixel's distance from the line F → B, as a share of |B − F|, beyond which it is no mix of the two
BEYOND = 1.5  # t above this: a highlight of neither colour, left alone
SLACK = 0.2  # the bound: α ≤ 1 − t + SLACK
EASE = 0.2  # the bound eased in over alpha 1 → 1 − EASE (none on a solid pixel, all of it at and below 1 − EASE)


def unmixable(plate: CleanPlate) -> Bool | None:
    """Where the bound may act for ``plate`` (once per plate): unseen, beside a plain stretch of the seen set, not the
    people's interior; None where nowhere (a supplied plate, a set with no plain stretch near the people)."""
    keyable = plate.keyable
    if keyable.all():
        return None
    # Beside a plain stretch of the set as seen (the inpainted plate is smooth wherever it is, books or wall).
    where = ~keyable & uncoverable(plate.image.astype(np.float32), plate.known, plate.noise)
    if plate.interior is not None:
        where &= ~plate.interior
    return where if where.any() else None


def bounded(frame: F32, alpha: F32, plate: F32, where: Bool, near_set: float) -> F32:
    """``alpha`` (H×W float32) of ``frame`` (H×W×3 RGB float32 in [0, 1]) bounded by steps 1–4 of the module
    docstring against ``plate`` (the set's colour, same size) on the edge band within ``where``; a new array."""
    r = band_px(alpha.shape)
    outside = (alpha <= 0.5).astype(np.uint8)
    if not outside.any() or outside.all():
        return alpha
    soft = np.nonzero((alpha > 0) & (alpha < 1) & where)
    diff = frame[soft] - plate[soft]
    near_plate = np.sqrt((diff * diff).sum(-1)) <= near_set  # the difference key, too, holds it near the set
    band = np.zeros(alpha.shape, bool)
    band[soft[0][near_plate], soft[1][near_plate]] = True
    box = bounding_box(band, 6 * r)  # the solid performer within 3σ of the band
    if box is None:
        return alpha
    near = cv2.dilate(outside, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))) > 0
    img, a = frame[box], alpha[box]
    at = np.nonzero(band[box])  # the band's pixels only: N×3 colours from here on
    i, b, ab = img[at], plate[box][at], a[at]
    solid = a >= SOLID
    cap = np.full(len(ab), -np.inf, np.float32)
    # Step 1's F, twice: the solid performer right at the edge (its own shade: a jaw darker than the cheek), and
    # beyond the edge band (a wider mean, which a codec's bleed into the edge does not colour). The bound is the
    # looser of the two: a pixel counts as set only where each reading with a performer within its reach says so.
    for sigma, pure in ((0.5 * r, solid), (2.0 * r, solid & ~near[box])):
        weight = cv2.GaussianBlur(pure.astype(np.float32), (0, 0), sigma)[at]
        performer = cv2.GaussianBlur(img * pure[..., None], (0, 0), sigma)[at] / np.maximum(weight, 1e-6)[:, None]
        axis = b - performer
        length2 = (axis * axis).sum(-1)
        t = ((i - performer) * axis).sum(-1) / np.maximum(length2, 1e-12)
        miss = (i - performer) - t[:, None] * axis
        off = np.sqrt((miss * miss).sum(-1) / np.maximum(length2, 1e-12))
        posed = (length2 >= CONTRAST * CONTRAST) & (off <= LINE) & (t <= BEYOND)
        bound = np.where(posed, np.clip(1.0 - t + SLACK, 0.0, 1.0), np.inf)  # ill-posed: no bound
        cap = np.maximum(cap, np.where(weight > 1e-3, bound, -np.inf))  # no performer that near: not counted
    # Eased in as the matte softens (fully from 1 − EASE down), so a solid pixel the matte holds at 0.99 in one
    # frame and 1 in the next does not drop to the bound and back: the bound is continuous in alpha.
    ease = np.clip((1.0 - ab) / EASE, 0.0, 1.0)
    act = np.isfinite(cap)  # a reading counted and well-posed
    out = np.array(alpha, np.float32, copy=True)
    sub = out[box]
    sub[at[0][act], at[1][act]] = (ab - ease * np.maximum(ab - cap, 0.0))[act]
    return out
