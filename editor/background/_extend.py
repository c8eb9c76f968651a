"""Where an estimated plate's inpainted set can stand in for the seen set: next to a smooth stretch of it.

An estimated plate is unknown wherever somebody always stood (:mod:`editor.background.plate`). There the matte
used to follow the people's *static* silhouette, which a moving head leaves behind: a strip of the old set inside
it is kept as performer (a rim of the old set's colour at the hair, a patch of it in a corner GrabCut gave to a
shoulder), and the compositing equation, which needs the set's colour, cannot be solved for the hair's soft edge.

Next to a plain stretch of set (a backdrop, a painted wall, a sky), the set's colour just inside the unknown region
is well predicted by inpainting from the seen set around it; next to a textured one (books, foliage) it is not. The
estimate checks this **on the plate itself**, where the answer is known:

1. the seen set is pulled back by ``REACH`` (a fraction of the frame's shorter side);
2. the strip it gave up is inpainted from what is left (Telea, as the plate's own fill) and compared with what was
   seen there: a strip pixel *extrapolates well* when the two differ by at most ``max(TOL_MIN, TOL_NOISE·σ)``
   (RGB distance, σ the set's temporal noise) — well under the difference key's lower threshold (``4σ``, at least
   0.04), so a well-extrapolated set is keyed as set;
3. an unknown pixel within ``REACH`` of the seen set is **extended** (keyed, and the compositing equation solved,
   against the inpainted plate as if seen) when at least ``GOOD_SHARE`` of the strip pixels within ``REACH`` of it
   extrapolated well.

Elsewhere the unknown region stays the static silhouette's, as before. The plate's ``known`` (what was seen, and
``set_recovered``, which decides refusal) are unchanged: extension changes only where the matte may use the plate.

``REACH`` = 0.0125 was chosen on held-out shots (``bench/background.py``, mirrored split): twice that halved the
halo as well but softened the near-opaque rim (MAD up); keying against the extension without solving the
compositing equation there was worse than both (``docs/benchmarks.md``, "The plate next to a plain set").
"""

from __future__ import annotations

import cv2
import numpy as np

U8 = np.ndarray  # uint8
Bool = np.ndarray  # bool

REACH = 0.0125  # how far into the unknown region the plate may be extended, as a fraction of the shorter side
TOL_NOISE = 2.0  # extrapolation error allowed, in multiples of the set's temporal noise ...
TOL_MIN = 0.02  # ... and at least this (RGB distance, [0, 1] units)
GOOD_SHARE = 0.9  # share of the nearby test strip that must have extrapolated well


def extendable(plate: U8, known: Bool, noise: float) -> Bool:
    """The unknown pixels of a plate (``plate``: H×W×3 uint8, the set as seen where ``known``) at which its
    inpainted set can be trusted, by the test in the module docstring; same shape as ``known``."""
    h, w = known.shape
    r = max(2, round(REACH * min(h, w)))
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    seen = known.astype(np.uint8)
    inner = cv2.erode(seen, disk, borderType=cv2.BORDER_REPLICATE) > 0
    strip = known & ~inner
    out = np.zeros_like(known)
    if not strip.any() or not inner.any() or known.all():
        return out
    trial = cv2.inpaint(plate, (~inner).astype(np.uint8), 3, cv2.INPAINT_TELEA)
    diff = (trial.astype(np.float32) - plate.astype(np.float32)) / 255.0
    err = np.sqrt((diff * diff).sum(axis=-1))
    good = strip & (err <= max(TOL_MIN, TOL_NOISE * noise))
    box = (2 * r + 1, 2 * r + 1)
    strip_n = cv2.boxFilter(strip.astype(np.float32), -1, box, normalize=False, borderType=cv2.BORDER_CONSTANT)
    good_n = cv2.boxFilter(good.astype(np.float32), -1, box, normalize=False, borderType=cv2.BORDER_CONSTANT)
    near = ~known & (cv2.dilate(seen, disk) > 0)
    return near & (strip_n > 0) & (good_n >= GOOD_SHARE * strip_n)
