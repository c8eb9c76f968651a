"""A supplied clean plate brought to its take's exposure and white balance.

A clean plate is shot before or after the take, often minutes apart: the daylight drifts, the camera's exposure or
white balance is touched, a lamp warms up. The matte keys the take against the plate, so a plate a few per cent
brighter than the take's set reads as "not the set" everywhere (issue 18, ``bench/background.py --plate-gain``:
a plate 6 % brighter raised the supplied-plate matte's halo around the people from 2.9 to 18.1 ×1e3 on the
bookshelf set, and from 0.4 to 10.0 on the plain wall).

1. **Where the two agree by construction:** the pixels where the take's own estimate saw the set (``known``: the
   median of frames in which no person covered it), each channel at least ``MIN_LEVEL`` (a ratio of two
   near-blacks is noise) and below ``CLIPPED`` (a clipped highlight says nothing of the light) in both.
2. **Gain:** per RGB channel, ``exp(median(log(take / plate)))`` over those pixels. A change of exposure or white
   balance multiplies each channel's light, and a power-law transfer curve keeps it a product in code values
   (``(k·L)^γ = k^γ·L^γ``); the median ignores what the estimate got wrong (a still person baked into it, a prop
   moved between the plate and the take).
3. **Clipped highlights:** where a plate channel is at ``CLIPPED`` or above and the take saw the set, the take's own
   set is used there. A gain says nothing of what a burnt-out window or lamp really was: below 1 it would grey a
   highlight the take shows clipped too, and a plate clipped only because it was shot brighter hides the value
   the take shows. Where the take never saw the set, the scaled plate stands.
4. **Only with evidence:** at least ``MIN_SHARE`` of the frame must qualify; otherwise the plate is left as shot
   and ``exposure_gain`` is not recorded. The gains are recorded in the plate's description
   (``CleanPlate.describe``), so the edit result says how far the supplied plate was moved.
5. **Light that changed across the set** (a window's daylight moving on, a cloud over part of it): a gain that is
   a plane over the frame, ``log gain = level + slope_x·x + slope_y·y`` per channel, can replace the one gain. The
   seen set is cut into blocks (``BLOCKS`` along the longer side), each block's median log ratio taken, and the plane
   fitted to the blocks by least median of squares (random triples of blocks, a seeded generator so a shot always
   gives the same plane; then least squares over the blocks it explains): up to half the blocks may be what the
   estimate got wrong. A slope is fitted only along an axis where the seen blocks spread over the frame (their
   coordinate's spread at least ``SLOPE_SPREAD`` of it), so nothing is extrapolated from one side. The plane is
   taken only if it explains the blocks clearly better than one gain: its median block residual (largest channel)
   at most ``BETTER`` of one gain's, and smaller by at least ``MIN_BETTER`` (half a per cent of light, under one
   8-bit code value at mid-grey), and its gain must change by at most ``MAX_GRADIENT`` from one edge of the frame
   to the other: more is not the light of minutes later but another set's colours (a mirrored set fits a plane of
   5.9× in red). Then ``exposure_gain`` is the plane's gain at the frame's centre and
   ``exposure_gradient`` the gain's ratio across the frame (right edge ÷ left, bottom ÷ top). A lamp's pool of
   light, or light changed over a small part of the set, is not a plane and is not followed (``bench/background.py
   --plate-light``).
6. **Is it the take's set at all?** (``set_difference``) Over the same pixels, the median of the largest channel
   difference between the take's set and the matched plate, recorded in the plate's description. The edit refuses
   a plate above ``MISMATCH`` (``PlateMismatchError``): another set-up, another framing, or light that changed
   across the set, against which the matte would be wrong everywhere. Measured on the ``bench/background.py``
   composites (four sets; each take's estimate against its own plate and the other sets' plates): another set's
   plate 0.128–0.259; its own plate 0, and 0.004–0.031 with grain of σ 1–4 % of full scale on the take and on the
   plate's frames, with or without an H.264 re-encode; the frozen and crowded takes whose own estimates are refused
   (the ones that need a plate), against their plate 8 % darker, 0.002. 0.08 lies between the two.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from editor.background.plate import CleanPlate

MIN_LEVEL = 0.05  # both values at least this (of full scale) in every channel
CLIPPED = 254 / 255  # at or above this a channel is taken as clipped
MIN_SHARE = 0.05  # of the frame: fewer matching pixels say nothing about the light
MISMATCH = 0.08  # the least median difference (of full scale) that says a plate is not the take's set (step 6)
BLOCKS = 32  # blocks along the frame's longer side, for the light's plane (step 5)
BLOCK_SHARE = 0.25  # of a block's pixels comparable for its median to count
SLOPE_SPREAD = 0.2  # the seen blocks' coordinate spread (std, of the frame) that lets a slope be fitted on that axis
BETTER = 0.8  # the plane's median block residual, at most this share of one gain's ...
MIN_BETTER = 0.005  # ... and smaller by at least this (log gain: half a per cent of light)
MAX_GRADIENT = 1.5  # the most the plane's gain may change from one edge of the frame to the other, either way
AXES = ("across", "down")  # the gradient's names for the plane's slopes
SAMPLES = 300  # random block triples tried by the least-median fit


def _comparable(supplied: CleanPlate, take: CleanPlate) -> np.ndarray:
    """Step 1: where the take saw the set and both are neither near black nor clipped."""
    usable = [((p.image >= MIN_LEVEL) & (p.image < CLIPPED)).all(-1) for p in (supplied, take)]
    return take.known & usable[0] & usable[1]


def set_difference(matched: CleanPlate, take: CleanPlate) -> float | None:
    """Step 6: the median largest-channel difference between ``take``'s set and ``matched`` where both show it;
    None when too little of the frame does."""
    ok = _comparable(matched, take)
    if ok.mean() < MIN_SHARE:
        return None
    return float(np.median(np.abs(take.image[ok] - matched.image[ok]).max(-1)))


def _blocks(ratio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step 5: the median log ratio of each block with enough comparable pixels (``ratio``: H×W×3, NaN elsewhere),
    and the blocks' centres as fractions of the frame about its centre (n×2, x then y)."""
    h, w = ratio.shape[:2]
    step = max(1, max(h, w) // 960)  # a large frame is sampled: the light is smooth
    sub = ratio[::step, ::step]
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

    centres = np.stack([centre(gx, ws), centre(gy, hs)], axis=1)
    return np.nanmedian(cells[keep], axis=1), centres


def _plane(medians: np.ndarray, centres: np.ndarray) -> np.ndarray | None:
    """Step 5: the per-channel plane (3×3: level, slope across, slope down) the blocks' log ratios follow, or None
    when one gain explains them as well."""
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
    if not (fitted <= BETTER * one and one - fitted >= MIN_BETTER) or np.abs(coef[1:]).max() > np.log(MAX_GRADIENT):
        return None
    full = np.zeros((3, 3))
    full[[0, *(1 + np.flatnonzero(spread))]] = coef
    return full


def match_exposure(supplied: CleanPlate, take: CleanPlate) -> CleanPlate:
    """``supplied`` with each channel scaled to ``take``'s set where the take saw it (steps 1–5 above)."""
    ok = _comparable(supplied, take)
    if ok.mean() < MIN_SHARE:
        return supplied
    ratio = np.log(take.image[ok]) - np.log(supplied.image[ok])
    gain = np.exp(np.median(ratio, axis=0)).astype(np.float32)
    field = np.full((*ok.shape, 3), np.nan, np.float32)
    field[ok] = ratio
    plane = _plane(*_blocks(field))
    gradient = None
    if plane is None:
        scaled = np.clip(supplied.image * gain, 0.0, 1.0)
    else:
        h, w = ok.shape
        x = (np.arange(w, dtype=np.float32) + 0.5) / w - 0.5
        y = (np.arange(h, dtype=np.float32) + 0.5) / h - 0.5
        log_gain = plane[0] + x[None, :, None] * plane[1] + y[:, None, None] * plane[2]
        scaled = np.clip(supplied.image * np.exp(log_gain), 0.0, 1.0)
        gain = np.exp(plane[0])
        gradient = {axis: tuple(round(float(g), 4) for g in np.exp(plane[i])) for i, axis in enumerate(AXES, 1)}
    clipped = (supplied.image >= CLIPPED).any(-1) & take.known
    image = np.where(clipped[..., None], take.image, scaled).astype(np.float32)
    return replace(supplied, image=image, exposure_gain=tuple(round(float(g), 4) for g in gain),
                   exposure_gradient=gradient)  # fmt: skip
