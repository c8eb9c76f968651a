"""How the light on a set changed between a supplied clean plate and its take, over the frame.

:mod:`editor.background._exposure` scales a supplied plate to its take's set by one gain per channel. This module
finds where one gain is not enough, from the log ratio ``log(take / plate)`` over the pixels where both show the
set (NaN elsewhere):

1. **Blocks.** The frame is cut into ``BLOCKS`` blocks along its longer side, each at least ``MIN_SIDE`` pixels
   across (a large frame is sampled every ``max(H, W) // 960`` pixels first: the light is smooth). A frame of 960
   pixels or more has blocks of 20 sampled pixels or more, a small one none finer than 10: the spread below is a
   median, and a block of few pixels is easily more than half one small texture (a 3-px check in blocks of 7 px
   passed for light). 48 blocks, not 32 as before stop 37: a pool's slope near the people is followed closer. A block
   counts where at least ``BLOCK_SHARE`` of its pixels compare. Per block: the median log ratio, and how far its
   pixels' ratios spread about it (the median of the largest channel's absolute deviation). A change of light
   multiplies every surface in a block alike, so its ratios barely spread; a change of content (a shadow that moved,
   another object) spreads them.
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
   where it looks like light. A block looks like light where it departs by at least ``POOL_MIN`` (largest
   channel), its ratios spread by at most ``POOL_UNIFORM`` of its departure plus the take's noise floor (the spread
   below which ``NOISE_SHARE`` of the blocks lie: a take recorded through a codec spreads every block's ratios),
   and every channel departs the same way, the least by at least ``POOL_TINT`` of the most (less ``POOL_MIN``, for
   the noise): more light is more light in every channel, even a warm lamp's on a daylight set (a lamp of colour
   1, 0.7, 0.4 adding as much light again gains 2, 1.7 and 1.4: its least channel departs 0.49 of its most), where
   a plain prop of another colour that the estimate took for the set moves them apart (the synthetic test set's
   green patch: −0.54, +0.04, −0.41).
   Such a block is a pool's where it departs by at most ``POOL_MAX`` and at least two of its eight neighbours are
   such blocks too; at least ``POOL_BLOCKS`` blocks must qualify. A block that looks like light beyond
   ``POOL_MAX`` with two of the pool's blocks beside it (the heart of a small, strong lamp) is the pool's too,
   taken at ``POOL_MAX``: step 4 refuses the plate where ``POOL_BLOCKS`` or more are beyond. Each of the pool's
   blocks keeps its own departure. Blocks departing by less than ``POOL_MIN`` hold the pool at 0 around it; the
   others the take saw (content that changed) say nothing, and take the pools' departures spread over the grid by
   a normalised Gaussian of ``POOL_SIGMA`` blocks. Where the blocks nearby weigh under ``POOL_SUPPORT``, a block the
   take saw is held at 0, and a block it never saw (where the people always stood) takes the mean of its
   neighbours (:func:`_filled`): the light runs on smoothly behind the people from around them, where it used to
   stop at their edge. Then the grid is brought to the frame's size.

   Until stop 38 the Gaussian spread the pool's own blocks too, and its heart beyond ``POOL_MAX`` was left out: a
   pool's slope was flattened, its heart under-followed and its fringe over-followed. A lamp of 4× with σ 0.05 of
   the frame's width was matched to 2.4× at most, the plate off by 0.041–0.056 of full scale on average over the
   pool where the take saw the set, and its matte failed (MAD 14–22 ×1e3 against 2.8–11.6 with the exact plate).
   Kept to its blocks, the same pool is matched to 3×, off by 0.013–0.021, and its matte's MAD is 6.3–15.0; wider
   lamps' halos fall too (``docs/benchmarks.md``). Behind the people the fill still cannot know a heart it never saw.
   Nor was there a noise floor: on the bench's close-up recorded through H.264 (CRF 18), a wide 0.4× lamp's pool
   passed on 334 of its 886 departing blocks (731 of 799 as composited) and the matte's halo was 20.4 ×1e3 against
   3.2 with the exact plate; with the floor 635 pass and the halo is 4.8.

   Measured on the ``bench/background.py`` composites at 32 blocks (stop 35): with the plate as the take's, no block
   of the bookshelf, close-up or wall set departs by 0.03; on the library under moving shadows 50 blocks do
   (departure 0.044), their ratios spreading by 0.035–0.11, most above a quarter of it; in a lamp's pool (peak 1.25×)
   154–196 blocks depart by about 0.1 with a spread of 0.007–0.014. On a take recorded through H.264 a pool's fringe
   spreads more and is partly missed (``docs/benchmarks.md``). ``POOL_MAX`` was 1.5 (``MAX_CHANGE``), and a lamp
   switched off for the plate (its pool's heart 2× in the take) was followed at its fringe only, to 1.4×: its matte
   failed over the pool (MAD 31–52 ×1e3 against 2.7–11.6). At 3× (and 48 blocks) its matte comes within 0.25 MAD of
   the exact plate's on the bookshelf, close-up and plain wall, shared and mirrored, and within 0.55 on the library,
   whose moving shadows are now followed too; a wide lamp of 2.5× is followed where the take shows the set, and
   behind the people only as far as the set around them says (``docs/benchmarks.md``).
4. **Beyond a pool, refused** (:func:`beyond`): at least ``POOL_BLOCKS`` blocks, each with two neighbours that look
   like light or are such blocks too, that depart by more than ``POOL_MAX`` and look like light, or that the plate
   shows black (a channel under 5 % of full scale, where no ratio is measured) while the take shows the set there lit
   (at least 10 %) and more than ``POOL_MAX`` times as bright. Left unfollowed, such a pool's heart reads as people
   to the matte, so the edit refuses the plate (``PlateMismatchError``, from
   :func:`editor.background._exposure.match_exposure`). Measured (``bench/background_plate_refusals.py``, the six
   sets on the three splits, 18 shots per plate): none of 198 plates of the take's set is refused (the exact plate, 6
   % brighter, lit by a ramp, lamps of 0.33–1.8×, wide ones of 0.4× and 2.5×); a lamp leaving a quarter of the light
   in its pool (σ 0.1 of the width), a wide one leaving a fifth and one on for the plate at 4× are each refused on 15
   of 18 shots, a 4× pool σ 0.05 of the width across on 11 of 18. The crowd of five covers the pools. The plain
   wall's plate under the 4× lamp is clipped (no ratio): it is kept, and behind the talker the take's estimate
   stands in where it extends the set (:mod:`editor.background._exposure`, step 3; before stop 39 the matte failed
   at his edge there).

A plain set of another colour is, to a ratio, the same as its set under other light; a pool follows it too. So the
edit judges whether a plate is the take's set at all on the plate matched by the gain or the plane only
(:func:`editor.background._exposure.match_exposure`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

BLOCKS = 48  # blocks along the frame's longer side (step 1) ...
MIN_SIDE = 10  # ... but a block at least this many (sampled) pixels across
BLOCK_SHARE = 0.25  # of a block's pixels comparable for its median to count
SLOPE_SPREAD = 0.2  # the blocks' coordinate spread (std, of the frame) that lets a slope be fitted on that axis
BETTER = 0.8  # the plane's median block residual, at most this share of one gain's ...
MIN_BETTER = 0.005  # ... and smaller by at least this (log gain: half a per cent of light)
MAX_CHANGE = 1.5  # the most the light may change across the frame, either way (a plane)
SAMPLES = 300  # random block triples tried by the least-median fit
POOL_MIN = 0.02  # log gain: a block departing by less is left to the gain or the plane (step 3)
POOL_MAX = 3.0  # the most the light may change in a pool, either way
POOL_TINT = 1 / 3  # a pool's weakest channel departs at least this share of its strongest, the same way
POOL_UNIFORM = 0.25  # a pool's block: its ratios spread by at most this share of its departure ...
NOISE_SHARE = 0.25  # ... plus the spread below which this share of the blocks lie (the take's noise; step 3)
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
    cells, b, (gh, gw) = _cells(sub, np.nan)
    keep = np.isfinite(cells[..., 0]).sum(1) >= BLOCK_SHARE * b * b
    gy, gx = np.divmod(np.flatnonzero(keep), gw)

    def centre(i: np.ndarray, size: int) -> np.ndarray:  # of the block's pixels (the last block may be cut)
        return (i * b + np.minimum((i + 1) * b, size)) / (2 * size) - 0.5

    medians = np.nanmedian(cells[keep], axis=1)
    spread = np.nanmedian(np.abs(cells[keep] - medians[:, None]).max(-1), axis=1)
    centres = np.stack([centre(gx, ws), centre(gy, hs)], axis=1)
    return Blocks(medians, centres, spread, np.stack([gy, gx], axis=1), (gh, gw), b * step)


def _cells(sub: np.ndarray, pad_value: float) -> tuple[np.ndarray, int, tuple[int, int]]:
    """``sub`` (h×w×c) cut into step 1's blocks: (blocks, pixels, c), padded with ``pad_value``; the block's side
    and the grid's shape."""
    hs, ws, c = sub.shape
    b = max(-(-max(hs, ws) // BLOCKS), MIN_SIDE)
    gh, gw = -(-hs // b), -(-ws // b)
    pad = np.full((gh * b, gw * b, c), pad_value, np.float32)
    pad[:hs, :ws] = sub
    return pad.reshape(gh, b, gw, b, c).transpose(0, 2, 1, 3, 4).reshape(gh * gw, b * b, c), b, (gh, gw)


def mostly(mask: np.ndarray) -> np.ndarray:
    """Step 4 on ``mask`` (sampled as for :func:`blocks`): the blocks (grid-shaped) at least ``BLOCK_SHARE`` of whose
    pixels it holds."""
    cells, b, grid = _cells(mask[..., None].astype(np.float32), 0.0)
    return (cells[..., 0].sum(1) >= BLOCK_SHARE * b * b).reshape(grid)


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


def _looks_like_light(found: Blocks, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps 3–4: each block's departure from ``predicted`` (n×3), its size (the largest channel's) and whether it
    looks like a change of light: departing by at least ``POOL_MIN``, its ratios spread by at most
    ``POOL_UNIFORM`` of that plus the blocks' noise floor (the spread of the ``NOISE_SHARE`` quietest blocks), and
    every channel departing the same way, the least by at least ``POOL_TINT`` of the most (less ``POOL_MIN``, for
    the noise)."""
    departure = found.medians - predicted
    size = np.abs(departure).max(1)
    way = np.sign(departure[np.arange(len(size)), np.abs(departure).argmax(1)])
    alike = (departure * way[:, None]).min(1) >= POOL_TINT * size - POOL_MIN
    floor = float(np.quantile(found.spread, NOISE_SHARE)) if len(size) else 0.0
    return departure, size, (found.spread <= POOL_UNIFORM * size + floor) & (size >= POOL_MIN) & alike


def _neighbours(flag: np.ndarray) -> np.ndarray:
    """Per cell of the grid ``flag`` (bool), how many of its eight neighbours are set."""
    count = cv2.filter2D(flag.astype(np.float32), -1, np.ones((3, 3), np.float32), borderType=cv2.BORDER_CONSTANT)
    return count - flag


def _with_neighbours(found: Blocks, among: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Of the blocks ``which``, those with at least two of their eight neighbours ``among``."""
    rows, cols = found.places[:, 0], found.places[:, 1]
    flag = np.zeros(found.grid, bool)
    flag[rows[among], cols[among]] = True
    return which & (_neighbours(flag)[rows, cols] >= 2)


def pools(found: Blocks, predicted: np.ndarray, shape: tuple[int, int]) -> np.ndarray | None:
    """Step 3: the log gain (H×W×3, ``shape`` = (H, W)) to add to ``predicted`` (the blocks' log gains by the gain
    or the plane, n×3) where pools of light changed, or None where there are none."""
    departure, size, like = _looks_like_light(found, predicted)
    light = like & (size <= np.log(POOL_MAX))
    pool = _with_neighbours(found, light, light)
    heart = _with_neighbours(found, pool, like & (size > np.log(POOL_MAX)))
    departure = np.where(heart[:, None], np.clip(departure, -np.log(POOL_MAX), np.log(POOL_MAX)), departure)
    pool |= heart
    if pool.sum() < POOL_BLOCKS:
        return None
    gh, gw = found.grid
    rows, cols = found.places[:, 0], found.places[:, 1]
    grid = np.zeros((gh, gw, 3), np.float32)
    weight = np.zeros((gh, gw), np.float32)
    own = np.zeros((gh, gw), bool)
    grid[rows[pool], cols[pool]] = departure[pool]
    own[rows[pool], cols[pool]] = True
    held = pool | (size < POOL_MIN)
    weight[rows[held], cols[held]] = 1
    blur = {"ksize": (0, 0), "sigmaX": POOL_SIGMA, "borderType": cv2.BORDER_CONSTANT}
    num = np.stack([cv2.GaussianBlur(grid[..., c], **blur) for c in range(3)], axis=-1)
    den = cv2.GaussianBlur(weight, **blur)[..., None]
    supported = den[..., 0] > POOL_SUPPORT
    seen = np.zeros((gh, gw), bool)
    seen[rows, cols] = True
    around = np.where(supported[..., None], num / np.maximum(den, 1e-6), 0)  # the pools spread to the blocks between
    field = _filled(np.where(own[..., None], grid, around), supported | seen | own)
    h, w = shape
    return cv2.resize(field, (gw * found.side, gh * found.side), interpolation=cv2.INTER_LINEAR)[:h, :w]


def beyond(found: Blocks, predicted: np.ndarray, black: np.ndarray) -> tuple[float | None, float] | None:
    """Step 4: where the light changed by more than a pool is followed, the strongest change measured (the gain
    from the plate to the take's set, largest channel; None where ``black`` blocks are among them) and the share of
    the frame the blocks beyond cover; None where fewer than ``POOL_BLOCKS`` blocks are beyond. ``black``
    (grid-shaped): the blocks too dark in the plate to compare where the take shows the set lit beyond
    ``POOL_MAX``."""
    departure, size, like = _looks_like_light(found, predicted)
    measured = like & (size > np.log(POOL_MAX))
    rows, cols = found.places[:, 0], found.places[:, 1]
    lit, strong = black.copy(), black.copy()
    lit[rows[like], cols[like]] = True
    strong[rows[measured], cols[measured]] = True
    strong &= _neighbours(lit) >= 2
    if strong.sum() < POOL_BLOCKS:
        return None
    measured &= strong[rows, cols]
    if (strong & black).any():  # the plate too dark to say how far
        return None, float(strong.mean())
    worst = np.flatnonzero(measured)[np.argmax(size[measured])]
    return float(np.exp(departure[worst, np.argmax(np.abs(departure[worst]))])), float(strong.mean())


def _filled(grid: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """``grid`` (gh×gw×3) kept where ``fixed``, and elsewhere the smoothest surface that meets it there: every other
    cell the mean of its neighbours (the discrete Laplace equation over the grid, solved directly; at the grid's
    edges the surface runs on flat)."""
    gh, gw = fixed.shape
    out = np.where(fixed[..., None], grid, 0).astype(np.float64).reshape(-1, 3)
    f = fixed.ravel()
    if f.all() or not f.any():
        return out.reshape(gh, gw, 3).astype(np.float32)
    cells = np.arange(gh * gw).reshape(gh, gw)
    pairs = np.concatenate([np.stack([cells[1:].ravel(), cells[:-1].ravel()], 1),
                            np.stack([cells[:, 1:].ravel(), cells[:, :-1].ravel()], 1)])  # fmt: skip
    laplace = np.zeros((gh * gw, gh * gw))
    for a, b in (pairs.T, pairs[:, ::-1].T):
        np.add.at(laplace, (a, a), 1)
        laplace[a, b] = -1
    out[~f] = np.linalg.solve(laplace[np.ix_(~f, ~f)], -laplace[np.ix_(~f, f)] @ out[f])
    return out.reshape(gh, gw, 3).astype(np.float32)
