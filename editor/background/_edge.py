"""The static silhouette brought from the working width to full resolution along the take's own edges.

The people's static silhouette (:func:`editor.background._people._silhouette`) is segmented at a working width
(480 px by default). Where the plate is unknown it decides the matte (:func:`editor.background.matte.soft_key`),
so a nearest-neighbour upsampling leaves its edge in blocks of the working grid, and GrabCut's edge at that width
sits a pixel or two (of the working grid) off the real one. Here it is upsampled **edge-aware**: the guided filter
(:mod:`editor.background._guided`), steered by the full-resolution temporal median of the take (where a still
person's edge is sharp), filters the bilinearly upsampled silhouette, and the result is thresholded at 0.5 — in a
window of ``EDGE_RADIUS`` working pixels the silhouette is fitted as a linear function of the median's colour, so
its edge moves onto the median's colour edge nearby. Only pixels within that window of the silhouette's edge can
change.

``EDGE_RADIUS`` = 4 working pixels and ``EDGE_EPS`` = 0.03 were chosen on held-out footage (the mirrored and
ProRes 10-bit versions of ``bench/background.py``'s three-person and close-up shots; confirmed on the CRF 28
versions; ``docs/benchmarks.md``, "The static silhouette's edge").
"""

from __future__ import annotations

import cv2
import numpy as np

from editor.background._guided import fast_guided_filter

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
Bool = np.ndarray  # bool

EDGE_RADIUS = 4.0  # guided-filter window radius, in pixels of the working width the silhouette was segmented at
EDGE_EPS = 0.03  # guided-filter regularisation: colour edges weaker than ~√eps do not move the silhouette's edge


def upsample_silhouette(silhouette: Bool, median: F32, radius: float = EDGE_RADIUS, eps: float = EDGE_EPS) -> Bool:
    """``silhouette`` (working size, bool) at the size of ``median`` (full-resolution temporal median, RGB
    float32 in [0, 1]), its edge moved onto the median's colour edges within ``radius`` working pixels.

    With both at the same size the silhouette is returned unchanged.
    """
    h, w = median.shape[:2]
    if silhouette.shape == (h, w):
        return silhouette.copy()
    near = cv2.resize(silhouette.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
    if not silhouette.any() or silhouette.all():
        return near
    k = w / silhouette.shape[1]
    r = max(1, round(radius * k))
    # Only a band of the filter's window around the edge can change: filter the band's bounding box alone.
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    n8 = near.astype(np.uint8)
    band = (cv2.dilate(n8, disk) > 0) & ~(cv2.erode(n8, disk) > 0)
    ys, xs = np.nonzero(band)
    m = 2 * r
    y0, y1 = max(0, int(ys.min()) - m), min(h, int(ys.max()) + m + 1)
    x0, x1 = max(0, int(xs.min()) - m), min(w, int(xs.max()) + m + 1)
    p = cv2.resize(silhouette.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)[y0:y1, x0:x1]
    guide = np.ascontiguousarray(median[y0:y1, x0:x1], np.float32)
    sub = max(1, round(k / 2))  # the coefficients at about twice the working width: the same at 960 and 4K
    q = fast_guided_filter(guide, np.ascontiguousarray(p), r, eps, sub)
    out = near.copy()
    win = band[y0:y1, x0:x1]
    out[y0:y1, x0:x1][win] = q[win] > 0.5
    return out
