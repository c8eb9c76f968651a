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
   the take shows. Where the take never saw the set (behind the people) the plate's clip hides the set as well, and
   the take's estimate stands in (``clipped_unseen``, the share of the frame) where it was shown to extend the seen
   set (its ``extended`` band next to a plain stretch of set, where the people's edges move:
   :mod:`editor.background._extend`) and is not clipped itself (a window burnt out in both stays the plate's
   white). Elsewhere the scaled plate stands, as it did everywhere the take never saw the set before stop 39; where
   the estimate is not clipped either, that is a guess, recorded as ``clipped_left``. The plain wall's plate with a
   lamp on for it (4×, clipped over its pool) was white at the talker's moving edge, and the matte keyed that edge
   as foreground wherever it uncovered the set: halo 23.5 ×1e3 on the mirrored take against 0.3 with the exact
   plate; 1.2 now (``docs/benchmarks.md``, "A plate clipped white where the take never showed the set"). Standing
   in beyond the ``extended`` band was tried and not kept: keyed against the estimate's inpainted books and flag, a
   close-up's halo rose from 1.3 to 3.6.
4. **Only with evidence:** at least ``MIN_SHARE`` of the frame must qualify; otherwise the plate is left as shot
   and ``exposure_gain`` is not recorded. The gains are recorded in the plate's description
   (``CleanPlate.describe``), so the edit result says how far the supplied plate was moved.
5. **Light that changed over the set** (:mod:`editor.background._light`): where the blocks of the seen set show
   the light changed more on one side than the other, the gain is a plane over the frame instead, and
   ``exposure_gain`` is its gain at the frame's centre, ``exposure_gradient`` its ratio across the frame (right
   edge ÷ left, bottom ÷ top). Where pools of light changed (a lamp switched on), their log gain is added, and
   ``exposure_pools`` records the share of the frame they change by a per cent or more, the part of it where the
   take never showed the set to compare (``unseen_share``: behind the people, or too dark or clipped; there the
   pools are carried on from around, a guess), and the gains they reach.
   Where the light on part of the set changed by more than a pool is followed (``_light.POOL_MAX``), the plate is
   refused (``PlateMismatchError``): the heart of such a pool, left as shot, would read as people to the matte.
6. **Is it the take's set at all?** (``set_difference``) Over the same pixels, the median of the largest channel
   difference between the take's set and the plate matched by the gain or the plane (not the pools: to a ratio, a
   plain set of another colour is its set under other light), recorded in the plate's description. The edit
   refuses a plate above ``MISMATCH`` (``PlateMismatchError``): another set-up, another framing, or light that
   changed across the set, against which the matte would be wrong everywhere. Measured on the
   ``bench/background.py`` composites (four sets; each take's estimate against its own plate and the other sets'
   plates): another set's plate 0.128–0.259 (0.126–0.260 on the shared and mirrored takes since the plane, which
   none of them took); its own plate 0, and 0.004–0.031 with grain of σ 1–4 % of full scale on the take and on the
   plate's frames, with or without an H.264 re-encode; the frozen and crowded takes whose own estimates are refused
   (the ones that need a plate), against their plate 8 % darker, 0.002. 0.08 lies between the two.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from editor.background import _light as light
from editor.background.errors import PlateMismatchError
from editor.background.plate import CleanPlate

MIN_LEVEL = 0.05  # both values at least this (of full scale) in every channel
CLIPPED = 254 / 255  # at or above this a channel is taken as clipped
MIN_SHARE = 0.05  # of the frame: fewer matching pixels say nothing about the light
MISMATCH = 0.08  # the least median difference (of full scale) that says a plate is not the take's set (step 6)
POOL_COUNTED = np.log(1.01)  # a pool's log gain from which the frame it covers counts (the edit result's share)


def _comparable(supplied: CleanPlate, take: CleanPlate) -> np.ndarray:
    """Step 1: where the take saw the set and both are neither near black nor clipped."""
    usable = [((p.image >= MIN_LEVEL) & (p.image < CLIPPED)).all(-1) for p in (supplied, take)]
    return take.known & usable[0] & usable[1]


def _hidden(clipped: np.ndarray, take: CleanPlate) -> np.ndarray:
    """Step 3: the plate's ``clipped`` pixels the take never saw and its estimate is not clipped at."""
    return clipped & ~take.known & (take.image < CLIPPED).all(-1)


def _behind(hidden: np.ndarray, take: CleanPlate) -> np.ndarray:
    """Step 3: of the ``hidden`` pixels (:func:`_hidden`), those where the take's estimate stands in: where its
    inpainted set was shown to extend the seen set."""
    return np.zeros_like(hidden) if take.extended is None else hidden & take.extended


def set_difference(matched: CleanPlate, take: CleanPlate) -> float | None:
    """Step 6: the median largest-channel difference between ``take``'s set and ``matched`` where both show it;
    None when too little of the frame does."""
    ok = _comparable(matched, take)
    if ok.mean() < MIN_SHARE:
        return None
    return float(np.median(np.abs(take.image[ok] - matched.image[ok]).max(-1)))


def _black_under_light(plate: np.ndarray, take: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Step 5: where a channel is near black in the plate (no ratio is measured there) while the take shows it more
    than ``POOL_MAX`` times as bright as the gain explains, and clearly lit (at least ``2 * MIN_LEVEL``): a black
    prop in both is neither."""
    scaled = np.maximum(plate * gain, 1 / 255)
    return ((plate < MIN_LEVEL) & (take >= 2 * MIN_LEVEL) & (take > light.POOL_MAX * scaled)).any(-1)


def _refuse_light_beyond(gain: float | None, share: float) -> None:
    """Step 5: the take's set is lit ``gain`` times the plate's (None: beyond ``POOL_MAX``, where the plate is black)
    over about ``share`` of the frame, beyond a pool."""
    if gain is None:
        what = f"is black in the clean plate and more than {light.POOL_MAX:g}× as bright in the take"
    else:
        what = f"is {gain:.1f}× as bright in the take as" if gain > 1 else f"is {1 / gain:.1f}× darker in the take than"
        what += " in the clean plate"
    raise PlateMismatchError(
        f"part of the set (about {share:.0%} of the frame) {what}, more than the {light.POOL_MAX:g}× a pool of light "
        "is followed: a lamp was switched on or off between the two, or the light on the set was changed; shoot the "
        "clean plate again under the take's light"
    )


def _rounded(values: np.ndarray) -> tuple[float, ...]:
    return tuple(round(float(v), 4) for v in values)


def match_exposure(supplied: CleanPlate, take: CleanPlate) -> CleanPlate:
    """``supplied`` scaled to ``take``'s set where the take saw it (steps 1–5 above), with its ``set_difference``
    (step 6) measured.

    Raises:
        PlateMismatchError: part of the set the take shows is lit more otherwise than a pool of light is followed
            (step 5; a plate of another set-up is left to the edit's ``set_difference`` test).
    """
    ok = _comparable(supplied, take)
    if ok.mean() < MIN_SHARE:
        return supplied
    ratio = np.log(take.image[ok]) - np.log(supplied.image[ok])
    gain = np.exp(np.median(ratio, axis=0)).astype(np.float32)
    step = light.sampling(ok.shape)
    seen = ok[::step, ::step]
    field = np.full((*seen.shape, 3), np.nan, np.float32)
    field[seen] = np.log(take.image[::step, ::step][seen]) - np.log(supplied.image[::step, ::step][seen])
    found = light.blocks(field, step)
    plane = light.plane(found)
    clipped = (supplied.image >= CLIPPED).any(-1)
    hidden = _hidden(clipped, take)
    behind = _behind(hidden, take)
    left = hidden & ~behind  # step 3: the clipped plate stands there, a guess
    clipped = clipped & take.known | behind  # step 3: where the take's set stands in for the plate

    def lit(gains: np.ndarray) -> np.ndarray:  # one gain per channel, or per pixel
        scaled = np.clip(supplied.image * gains, 0.0, 1.0)
        return np.where(clipped[..., None], take.image, scaled).astype(np.float32)

    if plane is None:
        image = lit(gain)
        log_gain, predicted, gradient = np.log(gain), np.broadcast_to(np.log(gain), found.medians.shape), None
    else:
        h, w = ok.shape
        x = (np.arange(w, dtype=np.float32) + 0.5) / w - 0.5
        y = (np.arange(h, dtype=np.float32) + 0.5) / h - 0.5
        log_gain = (plane[0] + x[None, :, None] * plane[1] + y[:, None, None] * plane[2]).astype(np.float32)
        predicted = plane[0] + found.centres[:, :1] * plane[1] + found.centres[:, 1:] * plane[2]
        image, gain = lit(np.exp(log_gain)), np.exp(plane[0])
        gradient = {axis: _rounded(np.exp(plane[i])) for i, axis in enumerate(light.AXES, 1)}
    matched = replace(
        supplied,
        image=image,
        exposure_gain=_rounded(gain),
        exposure_gradient=gradient,
        clipped_unseen=round(float(behind.mean()), 6),
        clipped_left=round(float(left.mean()), 6),
    )
    matched = replace(matched, set_difference=set_difference(matched, take))
    black = take.known & _black_under_light(supplied.image, take.image, gain)
    strong = light.beyond(found, predicted, light.mostly(black[::step, ::step]))
    if strong is not None and (matched.set_difference is None or matched.set_difference <= MISMATCH):
        _refuse_light_beyond(*strong)
    pooled = light.pools(found, predicted, ok.shape)
    if pooled is None:
        return matched
    counted = np.abs(pooled).max(-1) >= POOL_COUNTED
    pools = {
        "share": round(float(counted.mean()), 4),
        "unseen_share": round(float((counted & ~ok).mean()), 4),
        "lowest_gain": list(_rounded(np.exp(pooled.min(axis=(0, 1))))),
        "highest_gain": list(_rounded(np.exp(pooled.max(axis=(0, 1))))),
    }
    return replace(matched, image=lit(np.exp(log_gain + pooled)), exposure_pools=pools)
