"""Faces the project generates for calibration: degraded views of a performer, and chimeras of nobody.

``views(frame, face)`` shows a tagged face the way footage the project has not seen will: the whole frame
downscaled until the face is 40 or 60 px wide (``small40``, ``small60``), re-graded (``grade``: gamma 0.7 and a
warm cast), darkened with lifted blacks (``dark``), blurred (``blur``: σ = face width / 60), and crushed by JPEG at
quality 15 (``codec``). Landmarks are found again on each view (from the known box), so each vector carries the
landmark error that view would have.

``chimeras(chips)``: for every pair of aligned chips of two *different* identities, the upper half (forehead,
eyes, nose) of one over the lower half (mouth, chin) of the other, blended over a soft seam — and the reverse.
Each chimera carries the two identities it is made of: it is an impostor only for the others (half of it *is*
each of its two).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from editor.cast import _dlib
from editor.cast.detect import F32, FaceBox

VIEWS = ("small40", "small60", "grade", "dark", "blur", "codec")
SEAM = 0.58  # chip row (fraction) between the nose and the mouth
MAX_CHIMERAS = 16


def _variants(frame: NDArray[np.uint8], face: FaceBox) -> list[tuple[NDArray[np.uint8], float]]:
    """(image, scale of the face box in it) for each of ``VIEWS``."""
    f = frame.astype(np.float32) / 255.0
    out: list[tuple[NDArray[np.uint8], float]] = []
    for side in (40, 60):
        s = min(1.0, side / max(face.width, 1))
        out.append((cv2.resize(frame, None, fx=s, fy=s, interpolation=cv2.INTER_AREA), s))
    graded = np.power(f, 0.7) * np.array([1.08, 1.0, 0.85], np.float32)
    out.append((np.clip(graded * 255 + 0.5, 0, 255).astype(np.uint8), 1.0))
    out.append((np.clip((0.08 + 0.45 * f) * 255 + 0.5, 0, 255).astype(np.uint8), 1.0))
    sigma = max(0.8, face.width / 60)
    out.append((cv2.GaussianBlur(frame, (0, 0), sigma), 1.0))
    ok, enc = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 15])
    if ok:
        out.append((cv2.cvtColor(cv2.imdecode(enc, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB), 1.0))
    return out


def views(frame: NDArray[np.uint8], face: FaceBox) -> list[F32]:
    """Identity vectors of the generated views of ``face`` on ``frame`` (mirror-averaged, as ``embed_faces``)."""
    chips = []
    for img, s in _variants(frame, face):
        pts = _dlib.five_points(img, (face.x * s, face.y * s, face.width * s, face.height * s))
        chips.extend(_dlib.chips(img, [pts]))
    return _mirror_mean(chips)


def chimeras(chips: list[tuple[str, NDArray[np.uint8]]]) -> list[tuple[frozenset[str], F32]]:
    """(identities it is made of, identity vector) of chimeras between chips of different labels (at most
    ``MAX_CHIMERAS``, spread evenly over the pairs)."""
    pairs = [
        (la, a, lb, b) for i, (la, a) in enumerate(chips) for j, (lb, b) in enumerate(chips) if la != lb and i != j
    ]
    if not pairs:
        return []
    picks = np.unique(np.linspace(0, len(pairs) - 1, min(MAX_CHIMERAS, len(pairs))).astype(int))
    size = _dlib.CHIP
    rows = np.arange(size, dtype=np.float32)[:, None, None]
    alpha = np.clip((rows - SEAM * size) / (0.06 * size) + 0.5, 0, 1)  # 0 above the seam, 1 below
    made, owners = [], []
    for p in picks:
        top_label, top, bottom_label, bottom = pairs[p]
        made.append(np.clip(top * (1 - alpha) + bottom * alpha + 0.5, 0, 255).astype(np.uint8))
        owners.append(frozenset((top_label, bottom_label)))
    return list(zip(owners, _mirror_mean(made), strict=True))


def _mirror_mean(chips: list[NDArray[np.uint8]]) -> list[F32]:
    if not chips:
        return []
    both = _dlib.embed_chips([*chips, *(np.ascontiguousarray(c[:, ::-1]) for c in chips)])
    n = len(chips)
    return [((both[k] + both[n + k]) / 2).astype(np.float32) for k in range(n)]
