"""Eye geometry, eye patches, iris localisation and the eye model that turns iris offsets into degrees.

- Eye boxes: the engine's face landmarks (``editor.cast``: two corners per eye) on each observed face; per
  performer, the median eye centre and corner-to-corner width *relative to the landmark-derived face box* is
  learnt from the dailies (``EyeGeometry``). Patches are cut at that learnt place from the temporally smoothed
  face track, so they do not jitter with per-frame landmarks.
- Landmarks: a patch is ``corner distance / CORNER_SPREAD`` wide, so the eye corners sit at ± ``CORNER_SPREAD`` ×
  patch width/2 from its centre; the iris centre is where a disc of the iris's radius in the eye model is darkest
  against the ring around it, the catchlights taken out first, refined by a weighted centroid (``iris_centre``).
- Eye model (stated): palpebral fissure (corner to corner) ``FISSURE_MM`` = 28 mm, eyeball radius
  ``EYEBALL_MM`` = 12 mm. An iris offset ``d`` px from the eye centre on an eye whose corners are ``c`` px apart
  is a rotation of ``asin(d / R)`` with ``R = c × 12 / 28`` px.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
Box = tuple[float, float, float, float]
PATCH_W, PATCH_H = 48, 32
EYEBALL_MM = 12.0
FISSURE_MM = 28.0
CORNER_SPREAD = 0.7
IRIS_MM = 11.7  # the iris's diameter in the stated eye model (``editor.eyeline.iris``, step 2)
LIMBUS = IRIS_MM / 2 / FISSURE_MM * CORNER_SPREAD  # the iris's radius, fraction of the patch width (≈ 0.146)
CATCHLIGHT_OPEN = 3  # px: bright spots this small are taken out before the iris is looked for (``iris_centre``)
RING = 1.5  # iris radii: the iris is found darkest against the ring around it out to here (``iris_centre``)
DEFAULT_EYES = ((1 / 3, 5 / 12), (2 / 3, 5 / 12))  # where the canonical face box puts the eyes
DEFAULT_SIZE = (0.22, 0.22 * 32 / 48)


@dataclass(frozen=True)
class EyeGeometry:
    """Where a performer's eyes sit in their face box: centres (x, y) and patch size (w, h), face-relative."""

    centres: tuple[tuple[float, float], tuple[float, float]]
    size: tuple[float, float]
    detections: int

    def patch_boxes(self, face: Box) -> list[Box]:
        """The two eye patches (left then right in the image) for a face box, in frame pixels."""
        x, y, w, h = face
        pw, ph = self.size[0] * w, self.size[1] * w
        return [(x + cx * w - pw / 2, y + cy * h - ph / 2, pw, ph) for cx, cy in self.centres]

    def as_json(self) -> dict[str, object]:
        return {"centres": [list(c) for c in self.centres], "size": list(self.size), "detections": self.detections}


def learn_geometry(observations: list[tuple[Box, tuple[F32, F32]]]) -> EyeGeometry:
    """Median face-relative eye centres and patch size over (face box, (left eye corners, right eye corners)).

    Each eye's corners are a 2×2 array (frame pixels, image-left eye first, as ``FaceBox.eye_corners``). With
    fewer than 3 observations the geometry falls back to typical frontal-face proportions.
    """
    sides: list[list[tuple[float, float, float]]] = [[], []]
    for (x, y, w, h), corners in observations:
        for k, eye in enumerate(corners):
            cx, cy = (float(eye[:, 0].mean()) - x) / w, (float(eye[:, 1].mean()) - y) / h
            width = float(np.linalg.norm(eye[1] - eye[0])) / CORNER_SPREAD / w
            if 0.1 < cy < 0.7 and 0.05 < width < 0.6:
                sides[k].append((cx, cy, width))
    centres = []
    sizes = []
    for k in (0, 1):
        if len(sides[k]) >= 3:
            arr = np.array(sides[k])
            centres.append((float(np.median(arr[:, 0])), float(np.median(arr[:, 1]))))
            sizes.append(float(np.median(arr[:, 2])))
        else:
            centres.append(DEFAULT_EYES[k])
    pw = float(np.mean(sizes)) if sizes else DEFAULT_SIZE[0]
    return EyeGeometry((centres[0], centres[1]), (pw, pw * PATCH_H / PATCH_W), len(sides[0]) + len(sides[1]))


def cut_patch(rgb: F32, box: Box, size: tuple[int, int] = (PATCH_W, PATCH_H)) -> F32:
    """The patch ``box`` of a float RGB frame, resampled to ``size`` (w, h) with sub-pixel accuracy."""
    x, y, w, h = box
    sx, sy = w / size[0], h / size[1]
    m = np.array([[sx, 0, x + 0.5 * sx - 0.5], [0, sy, y + 0.5 * sy - 0.5]], np.float64)
    return cv2.warpAffine(
        rgb, m, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE
    ).astype(np.float32)


@lru_cache(maxsize=8)
def _disc(radius: int) -> F32:
    k = np.zeros((2 * radius + 1, 2 * radius + 1), np.float32)
    cv2.circle(k, (radius, radius), radius, 1.0, -1)
    return k / k.sum()


def iris_centre(patch: F32) -> tuple[float, float]:
    """The iris centre (x, y) in patch pixels: the disc of the iris's radius in the stated eye model (``LIMBUS``)
    darkest against the ring around it (out to ``RING`` radii), with the catchlights taken out first (a grey
    opening ``CATCHLIGHT_OPEN`` px across), refined by the dark-weighted centroid over the disc's square.

    Until stop 53 it was the darkest disc of 0.11 of the patch width, 5 of the iris's 7 px radius, catchlights left
    in: on a large dark iris a smaller disc fits anywhere inside it and the catchlights decided where, so the found
    centre swung left and right of them from frame to frame. Two eyes move together, so the difference of their
    frame-to-frame moves is the finder's noise; its 90th percentile over frames where both eyes are open, five
    versions of each held-out take (``bench/eyeline_finder.py``): Obama's 3.4-4.4 patch px before, 0.70-0.98 now;
    CREMA-D's 0.92-3.37 and 0.74-0.93; GRID's small soft eyes 0.57-0.74 and 0.78-0.89. The ring keeps the disc off a
    dark skin's corner, which a disc larger than the iris otherwise prefers to the iris beside the white. The blink's
    reading keeps the small disc (``blink.sclera_contrast``: on a shut eye it finds the lashes' line)."""
    return dark_disc(patch, LIMBUS, spots=CATCHLIGHT_OPEN, ring=RING)


def dark_disc(patch: F32, radius: float, *, spots: int = 0, ring: float = 0.0) -> tuple[float, float]:
    """The centre (x, y), patch px, of the darkest disc ``radius`` of the patch width across (away from the patch's
    edges): darkest on its own, or with ``ring`` > 1 darkest against the ring around it out to ``ring`` radii;
    bright spots under ``spots`` px across taken out first (0: none). Refined by the dark-weighted centroid over
    the disc's square."""
    gray = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY) if patch.ndim == 3 else patch
    gray = gray.astype(np.float32)
    if spots:
        gray = cv2.morphologyEx(gray, cv2.MORPH_OPEN, _spot(spots))
    h, w = gray.shape
    r = max(2, round(w * radius))
    kernel = _disc(r) if ring <= 1.0 else _against_ring(w * radius, ring)
    score = cv2.filter2D(gray, -1, kernel, borderType=cv2.BORDER_REPLICATE)
    my, mx = int(h * 0.2), int(w * 0.18)
    inner = score[my : h - my, mx : w - mx]
    iy, ix = np.unravel_index(int(np.argmin(inner)), inner.shape)
    cy, cx = iy + my, ix + mx
    y0, y1, x0, x1 = max(0, cy - r), min(h, cy + r + 1), max(0, cx - r), min(w, cx + r + 1)
    win = gray[y0:y1, x0:x1].astype(np.float64)
    wts = np.clip(win.max() - win, 0, None) ** 2 + 1e-9
    yy, xx = np.mgrid[y0:y1, x0:x1]
    return float((wts * xx).sum() / wts.sum()), float((wts * yy).sum() / wts.sum())


@lru_cache(maxsize=8)
def _against_ring(radius: float, ring: float) -> F32:
    """A disc's mean minus the mean of the ring around it out to ``ring`` radii (a filter kernel)."""
    reach = int(np.ceil(radius * ring))
    ys, xs = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    d = np.hypot(ys, xs)
    disc, around = (d <= radius).astype(np.float32), ((d > radius) & (d <= radius * ring)).astype(np.float32)
    return (disc / disc.sum() - around / around.sum()).astype(np.float32)


@lru_cache(maxsize=4)
def _spot(size: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))


def gaze_of(patch: F32) -> tuple[float, float]:
    """(yaw, pitch) in degrees of the eye in a patch under the stated eye model (positive = image right/down)."""
    h, w = patch.shape[:2]
    ix, iy = iris_centre(patch)
    radius_px = CORNER_SPREAD * w * EYEBALL_MM / FISSURE_MM
    dx, dy = (ix - (w - 1) / 2) / radius_px, (iy - (h - 1) / 2) / radius_px
    return float(np.degrees(np.arcsin(np.clip(dx, -1, 1)))), float(np.degrees(np.arcsin(np.clip(dy, -1, 1))))


def px_to_degrees(px: float, patch_w: float) -> float:
    """The rotation (degrees) that moves the iris ``px`` patch pixels (``degrees_to_px``'s inverse)."""
    radius = CORNER_SPREAD * patch_w * EYEBALL_MM / FISSURE_MM
    return float(np.degrees(np.arcsin(np.clip(px / radius, -1.0, 1.0))))


def degrees_to_px(deg: float, patch_w: float) -> float:
    """Iris displacement in patch pixels for a rotation of ``deg`` from straight ahead (small-angle inverse)."""
    return float(np.sin(np.radians(deg)) * CORNER_SPREAD * patch_w * EYEBALL_MM / FISSURE_MM)
