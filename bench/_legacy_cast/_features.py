"""Face descriptors for identity: HOG + uniform-LBP histograms of an aligned, equalised grey face crop.

The crop is the detector's box shrunk to the inner face (forehead to chin, cheek to cheek) so that hair, collar
and background weigh little; it is resized to 64×64 and histogram-equalised, which removes most of the exposure
and white-balance differences between set-ups. Descriptor: OpenCV HOG (16×16 blocks, 8×8 cells, 9 bins) and
59-bin uniform LBP histograms on a 4×4 grid, each part L2-normalised, concatenated and L2-normalised again.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
SIZE = 64
GRID = 4
FEATURE_VERSION = "hog16-lbpu4x4/1"


@lru_cache(maxsize=1)
def _hog() -> cv2.HOGDescriptor:
    return cv2.HOGDescriptor((SIZE, SIZE), (16, 16), (8, 8), (8, 8), 9)


@lru_cache(maxsize=1)
def _uniform_lut() -> NDArray[np.int64]:
    """Map each 8-bit LBP code to one of 58 uniform patterns or bin 58 (all non-uniform codes)."""
    lut = np.full(256, 58, np.int64)
    k = 0
    for code in range(256):
        bits = [(code >> i) & 1 for i in range(8)]
        if sum(bits[i] != bits[(i + 1) % 8] for i in range(8)) <= 2:
            lut[code] = k
            k += 1
    return lut


def _lbp(gray: NDArray[np.uint8]) -> F32:
    g = gray.astype(np.int16)
    c = g[1:-1, 1:-1]
    h, w = g.shape
    code = np.zeros(c.shape, np.int64)
    offsets = [(-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1)]
    for bit, (dy, dx) in enumerate(offsets):
        code |= (g[1 + dy : h - 1 + dy, 1 + dx : w - 1 + dx] >= c).astype(np.int64) << bit
    u = _uniform_lut()[code]
    ch, cw = u.shape[0] // GRID, u.shape[1] // GRID
    hists = []
    for gy in range(GRID):
        for gx in range(GRID):
            cell = u[gy * ch : (gy + 1) * ch, gx * cw : (gx + 1) * cw]
            hists.append(np.bincount(cell.ravel(), minlength=59).astype(np.float32))
    out = np.concatenate(hists)
    return out / (np.linalg.norm(out) + 1e-6)


def face_crop(rgb: NDArray[np.uint8], box: tuple[int, int, int, int]) -> NDArray[np.uint8]:
    """The inner face of ``box`` (x, y, w, h) as a 64×64 equalised grey image (edge-padded at frame borders)."""
    x, y, w, h = box
    ix, iy, iw, ih = x + w * 0.12, y + h * 0.10, w * 0.76, h * 0.85
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    m = np.array([[SIZE / iw, 0, -ix * SIZE / iw], [0, SIZE / ih, -iy * SIZE / ih]], np.float64)
    crop = cv2.warpAffine(gray, m, (SIZE, SIZE), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(cv2.equalizeHist(crop), np.uint8)


def describe(crop: NDArray[np.uint8]) -> F32:
    """The L2-normalised descriptor of one 64×64 face crop."""
    hog = np.asarray(_hog().compute(crop), np.float32).ravel()
    hog /= np.linalg.norm(hog) + 1e-6
    out = np.concatenate([hog, _lbp(crop)])
    return (out / (np.linalg.norm(out) + 1e-6)).astype(np.float32)


def descriptors(rgb: NDArray[np.uint8], box: tuple[int, int, int, int], *, mirror: bool = False) -> list[F32]:
    """The descriptor of a face (and of its mirror image when ``mirror``: training augmentation)."""
    crop = face_crop(rgb, box)
    out = [describe(crop)]
    if mirror:
        out.append(describe(np.ascontiguousarray(crop[:, ::-1])))
    return out
