"""Edge despill: the old set's colour taken out of the performer's edge, where the codec smeared it in.

Almost every take is recorded with its colour at a lower resolution than its brightness (4:2:0 in H.264, MPEG-1
and -2; 4:2:2 in ProRes and DNxHR): each chroma sample covers two pixels or four. Along a performer's edge the old
set's colour therefore bleeds a pixel or two into the performer, at full opacity, where no matte (a matte is the
*share* of performer, 1 there) and no foreground estimate (which only acts where the matte is fractional) can take
it out. Composited over a new set it shows as a thin rim of the old set's colour: a cyan line around hair shot
before a blue backdrop.

Method (a keyer's despill, generalised from a key colour to the clean plate): on a band of ``r`` pixels inside the
performer's edge (``α > 0`` within ``r`` of the set, ``α ≤ 0.5``), each pixel's chroma ``c`` (Cr, Cb of BT.601
YCbCr) is compared with

* ``c_F``, the chroma of the performer nearby: a Gaussian-weighted mean (σ = 2r) of the solid performer
  (``α ≥ 0.98``) beyond the band, and
* ``c_B``, the chroma of the old set at that pixel (the clean plate),

and the part of ``c − c_F`` that points toward the set, ``t = clip((c − c_F)·(c_B − c_F) / |c_B − c_F|², 0, 1)``,
is removed: ``c ← c − t·(c_B − c_F)``. Brightness is untouched (it is recorded at full resolution), and so is any
chroma across that axis (the hair's own colour variations). Nothing changes where the set's chroma is within
``CHROMA_MIN`` of the performer's (then the bleed is invisible and the axis undefined), where no solid performer
is near enough to say what its colour is, or anywhere deeper inside the performer than ``r``.

``r`` = ``max(MIN_PX, EDGE·shorter side)``: 4 px up to 1080p's 6 (a 4:2:0 chroma sample spans 2 px; the codec's
filters and the matte's own error a pixel or two more).

Where the set behind the edge was never seen (``unseen``: an estimated plate's unknown region, where the matte
follows the performer's static silhouette rather than the frame), the band reaches ``UNSEEN_BAND·r`` in. That
silhouette holds everywhere the performer ever stood, so a moving head's hair tips lie some pixels inside its edge,
solid in the matte, with the old set showing between them. On the demo's GRID take (360×288) the teal left on the
hair tips after the despill lay 4–8 px inside the matte's edge, beyond the 4 px band, in the unseen region. On the
bench's plain teal wall, against a warm new set, the wider band left a third less of the old set's colour than the
band alone, at 7–14 % more edge colour error (``docs/benchmarks.md``, "The despill where the set was never seen").
"""

from __future__ import annotations

import cv2
import numpy as np

from editor.background.matte import bounding_box

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays

EDGE = 0.0055  # band width as a fraction of the frame's shorter side (1080 → 6 px) ...
MIN_PX = 4  # ... and at least this many pixels
SOLID = 0.98  # alpha at and above which a pixel is solid performer (its chroma is the performer's)
CHROMA_MIN = 0.02  # chroma distance (YCbCr, [0, 1] units) between set and performer below which nothing is removed
UNSEEN_BAND = 2.0  # the band's reach, in multiples of r, where the set behind the edge was never seen


def band_px(shape: tuple[int, ...]) -> int:
    """The despill band's width in pixels for a frame of ``shape``."""
    return max(MIN_PX, round(EDGE * min(shape[:2])))


def despill(foreground: F32, alpha: F32, plate: F32, unseen: np.ndarray | None = None) -> F32:
    """``foreground`` (H×W×3 RGB float32 in [0, 1], the colour to composite) with the old set's chroma removed
    from its edge band, given the matte ``alpha`` and the old set ``plate`` (see the module docstring); ``unseen``
    (bool H×W): where the plate was never seen, the band reaching ``UNSEEN_BAND·r`` in. A new array; pixels outside
    the band are unchanged."""
    out = np.array(foreground, np.float32, copy=True)
    r = band_px(alpha.shape)
    outside = (alpha <= 0.5).astype(np.uint8)
    if not outside.any() or outside.all():
        return out
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    near = cv2.dilate(outside, disk) > 0
    if unseen is not None and unseen.any():
        wide = round(UNSEEN_BAND * r)
        far = cv2.dilate(outside, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * wide + 1, 2 * wide + 1))) > 0
        near |= far & unseen
    band = near & (alpha > 0)
    box = bounding_box(band, 6 * r)  # the solid performer within 3σ of the band
    if box is None:
        return out
    fg = out[box]
    ycc = cv2.cvtColor(np.clip(fg, 0, 1), cv2.COLOR_RGB2YCrCb)
    chroma = ycc[..., 1:]
    solid = ((alpha[box] >= SOLID) & ~near[box]).astype(np.float32)
    sigma = 2.0 * r
    weight = cv2.GaussianBlur(solid, (0, 0), sigma)
    c_f = cv2.GaussianBlur(chroma * solid[..., None], (0, 0), sigma) / np.maximum(weight, 1e-6)[..., None]
    c_b = cv2.cvtColor(np.clip(plate[box], 0, 1).astype(np.float32), cv2.COLOR_RGB2YCrCb)[..., 1:]
    axis = c_b - c_f
    length2 = (axis * axis).sum(-1)
    t = np.clip(((chroma - c_f) * axis).sum(-1) / np.maximum(length2, 1e-12), 0.0, 1.0)
    act = band[box] & (weight > 1e-3) & (length2 > CHROMA_MIN * CHROMA_MIN) & (t > 0)
    t = np.where(act, t, np.float32(0.0)).astype(np.float32)
    ycc[..., 1:] = chroma - t[..., None] * axis
    cleaned = np.clip(cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB), 0, 1)
    out[box] = np.where(act[..., None], cleaned, fg)
    return out
