"""How the light on a set changed between a supplied clean plate and its take, over the frame.

:mod:`editor.background._exposure` scales a supplied plate to its take's set by one gain per channel. This module
finds where one gain is not enough, from the log ratio ``log(take / plate)`` over the pixels where both show the
set (NaN elsewhere):

1. **Blocks.** The frame is cut into ``BLOCKS`` blocks along its longer side (a large frame is sampled every
   ``max(H, W) // 960`` pixels first: the light is smooth). A block counts where at least ``BLOCK_SHARE`` of its
   pixels compare. Per block: the median log ratio, and how far its pixels' ratios spread about it (the median of
   the largest channel's absolute deviation). A change of light multiplies every surface in a block alike, so its
   ratios barely spread; a change of content (a shadow that moved, another object) spreads them.
2. **A plane** (daylight from a window moving on, a cloud over part of a skylight): ``log gain = level +
   slope_x·x + slope_y·y`` per channel, fitted to the blocks by least median of squares (``SAMPLES`` random
   triples of blocks from a seeded generator, so a shot always gives the same plane; then least squares over the
   blocks it explains): up to half the blocks may be what the estimate got wrong. A slope is fitted only along an
   axis where the blocks spread over the frame (coordinate std at least ``SLOPE_SPREAD`` of it), so nothing is
   extrapolated from one side. The plane is taken only where it explains the blocks clearly better than one gain:
   its median block residual (largest channel) at most ``BETTER`` of one gain's and smaller by at least
   ``MIN_BETTER`` (half a per cent of light, under one 8-bit code value at mid-grey); and its gain may change by at
   most ``MAX_CHANGE`` from one edge of the frame to the other, either way: more is not the light of minutes later
   but another set's colours (a mirrored copy of the synthetic test set fitted a plane of 5.9× in red).
3. **Pools of light** (a practical lamp switched on or off, a sun patch): what is left beyond the gain or the plane,
   where it is light. A block is a pool's where it departs by at least ``POOL_MIN`` (largest channel), by at most
   ``MAX_CHANGE``, its ratios spread by at most ``POOL_UNIFORM`` of its departure, and at least two of its eight
   neighbours are such blocks too. Blocks departing by less than ``POOL_MIN`` hold the pool at 0 around it; the
   others (content that changed) say nothing. The pools' departures are spread over the grid by a normalised
   Gaussian of ``POOL_SIGMA`` blocks (0 where the blocks nearby weigh under ``POOL_SUPPORT``) and brought to the
   frame's size. At least ``POOL_BLOCKS`` blocks must qualify. Measured on the ``bench/background.py``
   composites: with the plate as the take's, no block of the bookshelf, close-up or wall set departs by 0.03; on the
   library under moving shadows 50 blocks do (departure 0.044), their ratios spreading by 0.035–0.11, most above a
   quarter of it; in a lamp's pool (peak 1.25×) 154–196 blocks depart by about 0.1 with a spread of 0.007–0.014.
   On a take recorded through H.264 a pool's fringe spreads more and is partly missed (``docs/benchmarks.md``).

A plain set of another colour is, to a ratio, the same as its set under other light; a pool follows it too. So the
edit judges whether a plate is the take's set at all on the plate matched by the gain or the plane only
(:func:`editor.background._exposure.match_exposure`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BLOCKS = 32  # blocks along the frame's longer side (step 1)
BLOCK_SHARE = 0.25  # of a block's pixels comparable for its median to count
SLOPE_SPREAD = 0.2  # the blocks' coordinate spread (std, of the frame) that lets a slope be fitted on that axis
BETTER = 0.8  # the plane's median block residual, at most this share of one gain's ...
MIN_BETTER = 0.005  # ... and smaller by at least this (log gain: half a per cent of light)
MAX_CHANGE = 1.5  # the most the light may change, either way: across the frame (a plane), or in a pool
SAMPLES = 300  # random block triples tried by the least-median fit
POOL_MIN = 0.02  # log gain: a block departing by less is left to the gain or the plane (step 3)
POOL_UNIFORM = 0.25  # a pool's block: its ratios spread by at most this share of its departure
POOL_SIGMA = 1.0  # blocks: the Gaussian that spreads the pools' departures over the grid
POOL_BLOCKS = 4  # the fewest blocks that make a pool
POOL_SUPPORT = 0.2  # the Gaussian's weight of blocks that speak below which the pool is 0 (one lone block: 0.16)
AXES = ("across", "down")  # the names of the plane's slopes in the edit result


@dataclass(frozen=True)
class Blocks:
    """The seen set in blocks (step 1): per kept block its median log ratio (n×3), its centre as fractions of the
    frame about its centre (n×2, x then y), how far its ratios spread (n) and its place in the grid (n×2, row then
    column); the grid's shape, and a block's side in the frame's pixels."""

    medians: np.ndarray
    centres: np.ndarray
    spread: np.ndarray
    places: np.ndarray
    grid: tuple[int, int]
    side: int


def sampling(shape: tuple[int, int]) -> int:
    """Step 1: every how many pixels a frame of ``shape`` (H, W) is sampled for the blocks."""
    return max(1, max(shape) // 960)


def blocks(sub: np.ndarray, step: int) -> Blocks:
    """Step 1 on ``sub``: the log ratios (NaN where the two do not compare) of every ``step``-th pixel of the frame
    (:func:`sampling`)."""
    hs, ws = sub.shape[:2]
    b = -(-max(hs, ws) // BLOCKS)
    gh, gw = -(-hs // b), -(-ws // b)
    pad = np.full((gh * b, gw * b, 3), np.nan, np.float32)
    pad[:hs, :ws] = sub
    cells = pad.reshape(gh, b, gw, b, 3).transpose(0, 2, 1, 3, 4).reshape(gh * gw, b * b, 3)
    keep = np.isfinite(cells[..., 0]).sum(1) >= BLOCK_SHARE * b * b
    gy, gx = np.divmod(np.flatnonzero(keep), gw)

    def centre(i: np.ndarray, size: int) -> np.ndarray:  # of the block's pixels (the last block may be cut)
        return (i * b + np.minimum((i + 1) * b, size)) / (2 * size) - 0.5

    medians = np.nanmedian(cells[keep], axis=1)
    spread = np.nanmedian(np.abs(cells[keep] - medians[:, None]).max(-1), axis=1)
    centres = np.stack([centre(gx, ws), centre(gy, hs)], axis=1)
    return Blocks(medians, centres, spread, np.stack([gy, gx], axis=1), (gh, gw), b * step)


def plane(found: Blocks) -> np.ndarray | None:
    """Step 2: the per-channel plane (3×3 rows: level, slope across, slope down) the blocks' log ratios follow, or
    None when one gain explains them as well."""
    medians, centres = found.medians, found.centres
    spread = centres.std(axis=0) >= SLOPE_SPREAD
    if len(medians) < 12 or not spread.any():
        return None
    design = np.concatenate([np.ones((len(centres), 1)), centres[:, spread]], axis=1)
    one = np.median(np.abs(medians - np.median(medians, axis=0)).max(1))
    rng = np.random.default_rng(0)
    best, best_coef = np.inf, None
    for _ in range(SAMPLES):
        pick = rng.choice(len(medians), design.shape[1], replace=False)
        try:
            coef = np.linalg.solve(design[pick], medians[pick])
        except np.linalg.LinAlgError:
            continue
        score = np.median(np.abs(design @ coef - medians).max(1))
        if score < best:
            best, best_coef = score, coef
    if best_coef is None:
        return None
    inliers = np.abs(design @ best_coef - medians).max(1) <= max(2.5 * 1.4826 * best, MIN_BETTER)
    coef = np.linalg.lstsq(design[inliers], medians[inliers], rcond=None)[0]
    fitted = np.median(np.abs(design @ coef - medians).max(1))
    if not (fitted <= BETTER * one and one - fitted >= MIN_BETTER) or np.abs(coef[1:]).max() > np.log(MAX_CHANGE):
        return None
    full = np.zeros((3, 3))
    full[[0, *(1 + np.flatnonzero(spread))]] = coef
    return full


def pools(found: Blocks, predicted: np.ndarray, shape: tuple[int, int]) -> np.ndarray | None:
    """Step 3: the log gain (H×W×3, ``shape`` = (H, W)) to add to ``predicted`` (the blocks' log gains by the gain
    or the plane, n×3) where pools of light changed, or None where there are none."""
    departure = found.medians - predicted
    size = np.abs(departure).max(1)
    light = (found.spread <= POOL_UNIFORM * size) & (size >= POOL_MIN) & (size <= np.log(MAX_CHANGE))
    gh, gw = found.grid
    rows, cols = found.places[:, 0], found.places[:, 1]
    flag = np.zeros((gh, gw), np.float32)
    flag[rows[light], cols[light]] = 1
    neighbours = cv2.filter2D(flag, -1, np.ones((3, 3), np.float32), borderType=cv2.BORDER_CONSTANT) - flag
    pool = light & (neighbours[rows, cols] >= 2)
    if pool.sum() < POOL_BLOCKS:
        return None
    grid = np.zeros((gh, gw, 3), np.float32)
    weight = np.zeros((gh, gw), np.float32)
    grid[rows[pool], cols[pool]] = departure[pool]
    held = pool | (size < POOL_MIN)
    weight[rows[held], cols[held]] = 1
    blur = {"ksize": (0, 0), "sigmaX": POOL_SIGMA, "borderType": cv2.BORDER_CONSTANT}
    num = np.stack([cv2.GaussianBlur(grid[..., c], **blur) for c in range(3)], axis=-1)
    den = cv2.GaussianBlur(weight, **blur)[..., None]
    field = np.where(den > POOL_SUPPORT, num / np.maximum(den, 1e-6), 0).astype(np.float32)
    h, w = shape
    return cv2.resize(field, (gw * found.side, gh * found.side), interpolation=cv2.INTER_LINEAR)[:h, :w]
