"""The pools of light as main 5ee95ce (stop 37) found and spread them, for the benchmarks' peers and the tests'
stand-ins.

Steps 3–4 of :mod:`editor.background._light` before stop 38: a block looked like light only where its ratios spread
by at most ``POOL_UNIFORM`` of its departure (no noise floor); every block of a pool was averaged with its
neighbours (a normalised Gaussian of ``POOL_SIGMA`` blocks) and a block beyond ``POOL_MAX`` was left out of the pool.
Verbatim but for reading the module's constants and helpers at call time, so that a peer patching them
(``bench/background.py`` ``MAIN_LIGHT``: main 2a5e2a5) gets them. ``V37`` is the patch for ``mock.patch.multiple``.
"""

from __future__ import annotations

import cv2
import numpy as np

from editor.background import _light as light


def looks_like_light_v37(found: light.Blocks, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``editor.background._light._looks_like_light`` as main 5ee95ce."""
    departure = found.medians - predicted
    size = np.abs(departure).max(1)
    way = np.sign(departure[np.arange(len(size)), np.abs(departure).argmax(1)])
    alike = (departure * way[:, None]).min(1) >= light.POOL_TINT * size - light.POOL_MIN
    return departure, size, (found.spread <= light.POOL_UNIFORM * size) & (size >= light.POOL_MIN) & alike


def pools_v37(found: light.Blocks, predicted: np.ndarray, shape: tuple[int, int]) -> np.ndarray | None:
    """``editor.background._light.pools`` as main 5ee95ce."""
    departure, size, like = light._looks_like_light(found, predicted)
    lit = like & (size <= np.log(light.POOL_MAX))
    pool = light._with_neighbours(found, lit, lit)
    if pool.sum() < light.POOL_BLOCKS:
        return None
    gh, gw = found.grid
    rows, cols = found.places[:, 0], found.places[:, 1]
    grid = np.zeros((gh, gw, 3), np.float32)
    weight = np.zeros((gh, gw), np.float32)
    grid[rows[pool], cols[pool]] = departure[pool]
    held = pool | (size < light.POOL_MIN)
    weight[rows[held], cols[held]] = 1
    blur = {"ksize": (0, 0), "sigmaX": light.POOL_SIGMA, "borderType": cv2.BORDER_CONSTANT}
    num = np.stack([cv2.GaussianBlur(grid[..., c], **blur) for c in range(3)], axis=-1)
    den = cv2.GaussianBlur(weight, **blur)[..., None]
    supported = den[..., 0] > light.POOL_SUPPORT
    seen = np.zeros((gh, gw), bool)
    seen[rows, cols] = True
    field = light._filled(np.where(supported[..., None], num / np.maximum(den, 1e-6), 0), supported | seen)
    h, w = shape
    return cv2.resize(field, (gw * found.side, gh * found.side), interpolation=cv2.INTER_LINEAR)[:h, :w]


V37 = {"pools": pools_v37, "_looks_like_light": looks_like_light_v37}
