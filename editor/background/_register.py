"""A supplied clean plate registered to its take's framing.

A locked-off camera is not always left untouched between the take and the clean plate: the tripod is brushed or
knocked, a magazine or a battery is changed, the focus is pulled (which scales the picture a little). A plate off
by a pixel puts every edge of a textured set in the difference key (issue 18, ``bench/background.py
--plate-shift``: 1 px across raised the supplied-plate matte's halo from 2.9 to 9.3 ×1e3 on the bookshelf set; 2 px
across and 1 down raised its mean alpha error from 11.6 to 21.1); a turn or a scale does the same towards the
frame's corners (``--plate-warp``: 0.2° raised the halo to 6.5, a scale of 0.4 % to 9.6, 1 % to 31.7).

1. **Where:** the pixels where the take's own estimate saw the set (``known``), on a frame at most
   ``WORKING_WIDTH`` wide (a wider one is scaled down, and the map found scaled back up).
2. **What is compared:** the set's detail, not its shading: each grey image less a Gaussian blur of ``DETAIL`` of
   the frame's width, divided by its local contrast. Soft shadows that moved over the set between take and plate,
   and light that changed across it, are shading; on the grey image itself they pulled the library set's fit off
   by up to 7 px at the corners (a one-off script on the bench's composites).
3. **A move:** the translation that best aligns the plate's detail to the take's, by the enhanced correlation
   coefficient (``cv2.findTransformECC``, ``MOTION_TRANSLATION``): sub-pixel, and blind to a change of exposure or
   contrast, so it runs before the exposure match (:mod:`editor.background._exposure`).
4. **A turn and a scale:** from the move, an affine map (``MOTION_AFFINE``) brought to the nearest turn and uniform
   scale (a camera turned on its tripod or a lens breathing changes no more; a set with texture in one direction
   only would otherwise fit a stretch along the other), re-fitted ``ROUNDS`` times on the share ``KEEP`` of the
   seen set it explains best (where shadows moved, it explains least). It is kept only where it moves some pixel at
   least ``MIN_TURN`` beyond the move alone, and turns or scales by at most ``MAX_LINEAR`` (a larger change is
   another lens setting, not a nudge).
5. **Applied only where it clearly helps:** each map must keep every pixel within ``MAX_SHIFT`` of the frame's
   width, ECC's correlation over the whole seen set must reach ``MIN_CORRELATION``, and the registered plate's
   difference to the take's set must fall under ``IMPROVEMENT`` of the one before it (the plate as shot, then the
   moved plate). The difference is the median absolute grey difference, each side less its median, over the seen
   set's most textured quarter (``TEXTURED``): a plain stretch shows resampling noise, not misregistration, and
   the median leaves out what the estimate got wrong. A set with no texture in one direction does not pin a move
   there; the plate is then left as shot, and the set-difference test that follows refuses it if it is not the
   take's set. A map that moves no pixel by ``MIN_MOVE`` is recorded as no move and the plate is not resampled.
6. **The set, framed otherwise, is refused** (``PlateMismatchError``): where ECC converges beyond a nudge (a turn or
   scale over ``MAX_LINEAR``, a move over ``MAX_SHIFT``) and that map brings the plate clearly closer to the take's
   set than anything within one (under ``IMPROVEMENT`` of it), the plate is the take's set shot from elsewhere or
   through another lens setting. Left as shot it would pass the set-difference test that follows (a plate turned
   2° or zoomed 3–5 % differs from the bench's sets by a median 0.016–0.063 of full scale, under its 0.08) and
   break the matte at every edge of the set.

Recorded (``CleanPlate.describe``): ``registration_shift_px``, how far the plate was off at the frame's centre, and,
where it was turned or scaled, ``registration_affine``, the whole map from the take's framing into the plate.
Measured in ``docs/benchmarks.md`` ("A clean plate shot with the camera turned or zoomed").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import cv2
import numpy as np

from editor.background._exposure import MIN_SHARE  # of the frame seen by the take: fewer say nothing
from editor.background.errors import PlateMismatchError
from editor.background.plate import F32, CleanPlate, turn_and_scale

MAX_SHIFT = 0.03  # of the frame's width: no pixel moved further (a larger move is another framing, not a nudge)
MAX_LINEAR = 0.02  # the turn and scale's largest departure from identity (about 1.1° or 2 %): more is another lens
MIN_CORRELATION = 0.8  # ECC's correlation coefficient over the whole seen set a registration must reach (step 5)
MIN_MOVE = 0.05  # pixels: a smaller move is the take's framing already, and the plate is not resampled
MIN_TURN = 0.25  # pixels: a turn and scale that moves no pixel this much beyond the move alone is not kept
IMPROVEMENT = 0.8  # the registered plate's difference to the take's set, under this share of the one before's
TEXTURED = 0.75  # the difference is measured where the seen set's gradient is above this quantile of its own
DETAIL = 0.004  # of the frame's width: the scale below which ECC compares the set's detail (step 2)
ROUNDS = 3  # re-fits of the turn and scale on the share KEEP of the seen set it explains best (step 4)
KEEP = 0.5
WORKING_WIDTH = 1920  # pixels: a wider frame is registered scaled down to this (4K: 4× less work)
MOTIONS = (cv2.MOTION_TRANSLATION, cv2.MOTION_AFFINE)  # step 3, then step 4 from where step 3 left it
_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 100, 1e-5)
_INVERSE = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(image, np.float32), cv2.COLOR_RGB2GRAY)


def _detail(grey: np.ndarray, sigma: float) -> np.ndarray:
    """The grey image less its shading (a Gaussian of ``sigma``), in units of its local contrast (step 2)."""
    fine = grey - cv2.GaussianBlur(grey, (0, 0), sigma)
    return fine / np.sqrt(cv2.GaussianBlur(fine * fine, (0, 0), sigma) + 1e-4)


def register_plate(supplied: CleanPlate, take: CleanPlate) -> CleanPlate:
    """``supplied`` moved, and where that is not enough turned and scaled, onto ``take``'s framing where the take
    saw the set (steps 1–6 above).

    Raises:
        PlateMismatchError: the plate is the take's set framed otherwise, beyond a nudge (step 6).
    """
    h, w = take.known.shape
    if take.known.mean() < MIN_SHARE:
        return supplied
    f = min(1.0, WORKING_WIDTH / w)  # ECC on a frame at most WORKING_WIDTH wide; its map brought to full size
    size = (round(w * f), round(h * f))
    small = [cv2.resize(_grey(i.image), size, interpolation=cv2.INTER_AREA) for i in (supplied, take)]
    known = cv2.resize(take.known.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0.99
    sigma = max(1.0, DETAIL * size[0])
    plate, seen = (_detail(g, sigma) for g in small)
    difference = _difference_to(take)
    best, best_map, best_diff = supplied.image, None, difference(supplied.image)
    start, beyond = np.eye(2, 3, dtype=np.float32), None
    for motion in MOTIONS:
        found = _ecc(plate, seen, known, start, motion, sigma)
        if found is None:
            continue
        back = _full_size(_back(found), f)  # the result at x is the plate at back·[x, 1]
        if not _a_nudge(found, *size):
            beyond = back  # step 6: the set framed otherwise, if it matches clearly better
            continue
        if motion == cv2.MOTION_AFFINE and _largest_move(back - _full_size(_back(start), f), w, h) < MIN_TURN:
            continue  # the move alone explains the plate: a turn and a scale are not fitted to noise
        if _largest_move(back - np.eye(2, 3, dtype=np.float32), w, h) < MIN_MOVE:  # the take's framing already
            best_map = np.eye(2, 3, dtype=np.float32) if best_map is None else best_map
            continue
        image = _warped(supplied.image, back, w, h)
        diff = difference(image)
        if diff < IMPROVEMENT * best_diff:
            best, best_map, best_diff, start = image, back, diff, found
    if beyond is not None and difference(_warped(supplied.image, beyond, w, h)) < IMPROVEMENT * best_diff:
        _refuse_framed_otherwise(beyond, w, h)
    if best_map is None:
        return supplied
    if best is supplied.image:  # converged on the take's framing: recorded as no move, not resampled
        return replace(supplied, shift=(0.0, 0.0))
    dx, dy = _centre_move(best_map, w, h)
    linear = not np.allclose(best_map[:, :2], np.eye(2), atol=1e-6)
    warp = tuple(tuple(round(float(v), 6) for v in row) for row in best_map) if linear else None
    image = np.clip(best, 0, 1).astype(np.float32)
    return replace(supplied, image=image, shift=(round(dx, 3), round(dy, 3)), warp=warp)


def _refuse_framed_otherwise(back: np.ndarray, w: int, h: int) -> None:
    """Step 6: the plate is the take's set framed otherwise (``back``, beyond a nudge, brought it clearly closer to
    the take's set than anything within one did)."""
    dx, dy = _centre_move(back, w, h)
    turn, scale = turn_and_scale(back.astype(np.float64))
    raise PlateMismatchError(
        f"the clean plate shows the take's set framed otherwise: turned {turn:+.2f}°, scaled ×{scale:.3f} and off by "
        f"{dx:+.1f}, {dy:+.1f} px at the frame's centre, more than the nudge the edit brings back (a turn or scale "
        f"of {MAX_LINEAR:.0%}, a move of {MAX_SHIFT:.0%} of the width); shoot the clean plate again from the take's "
        "camera position, with the same lens and focus"
    )


def _warped(image: np.ndarray, back: np.ndarray, w: int, h: int) -> np.ndarray:
    """``image`` (the plate as supplied) in the take's w×h framing through ``back``: the result at x is the plate
    at back·[x, 1]."""
    return cv2.warpAffine(image, back, (w, h), flags=_INVERSE, borderMode=cv2.BORDER_REPLICATE)


def _centre_move(back: np.ndarray, w: int, h: int) -> tuple[float, float]:
    """How far ``back`` moves the frame's centre: how far the plate was off the take's framing there."""
    centre = np.float32([(w - 1) / 2, (h - 1) / 2, 1])
    dx, dy = (back @ centre)[:2] - centre[:2]
    return float(dx), float(dy)


def _ecc(plate: F32, seen: F32, known: np.ndarray, start: np.ndarray, motion: int, sigma: float) -> np.ndarray | None:
    """ECC's warp (steps 3–4), or None where it did not converge or its first fit, over the whole seen set,
    reached too little. OpenCV's mask marks the *input* image's valid pixels: the take is the input, the plate the
    template. A turn and scale (the affine fit's nearest, :func:`_similar`) is re-fitted ``ROUNDS`` times on the
    share ``KEEP`` of the seen set it explains best."""
    warp, mask = start.copy(), known
    for k in range(1 + (ROUNDS if motion == cv2.MOTION_AFFINE else 0)):
        try:
            cc, found = cv2.findTransformECC(plate, seen, warp.copy(), motion, _CRITERIA, mask.astype(np.uint8), 5)
        except cv2.error:
            return warp if k else None  # a re-fit that does not converge leaves the fit before it
        if not np.isfinite(found).all() or (k == 0 and cc < MIN_CORRELATION):
            return warp if k else None
        warp = found = _similar(found, seen.shape) if motion == cv2.MOTION_AFFINE else found
        aligned = cv2.warpAffine(plate, _back(found), seen.shape[::-1], flags=_INVERSE)
        residual = cv2.GaussianBlur(np.abs(seen - aligned), (0, 0), 2 * sigma)
        mask = known & (residual <= np.quantile(residual[known], KEEP))
    return warp


def _similar(found: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The turn and uniform scale nearest an affine map, moving the frame's centre as it does: a camera turned on
    its tripod or a lens breathing changes no more than that, and a set with texture in one direction only would
    otherwise fit a scale along the other out of its noise."""
    (a, b, _), (c, d, _) = found
    p, q = (a + d) / 2, (b - c) / 2
    linear = np.float32([[p, q], [-q, p]])
    h, w = shape[:2]
    centre = np.float32([(w - 1) / 2, (h - 1) / 2])
    return np.hstack([linear, (found[:, :2] @ centre + found[:, 2] - linear @ centre)[:, None]]).astype(np.float32)


def _back(found: np.ndarray) -> np.ndarray:
    """ECC's warp (take(W·x) ≈ plate(x)) inverted: the map from the take's framing into the plate."""
    return cv2.invertAffineTransform(found.astype(np.float64)).astype(np.float32)


def _full_size(back: np.ndarray, f: float) -> np.ndarray:
    """A map found on the frame scaled by ``f`` (pixel centres: ``x_small = f·(x + ½) − ½``) as a full-size map."""
    to_small = np.float64([[f, 0, (f - 1) / 2], [0, f, (f - 1) / 2], [0, 0, 1]])
    full = np.linalg.inv(to_small) @ np.vstack([back.astype(np.float64), [0, 0, 1]]) @ to_small
    return full[:2].astype(np.float32)


def _largest_move(change: np.ndarray, w: int, h: int) -> float:
    """How far the affine ``change`` (a map less another, or less identity) moves the frame's farthest pixel: an
    affine map's largest move is at a corner."""
    corners = np.float32([[0, 0, 1], [w - 1, 0, 1], [0, h - 1, 1], [w - 1, h - 1, 1]])
    return float(np.hypot(*(corners @ change.T).T).max())


def _a_nudge(found: np.ndarray, w: int, h: int) -> bool:
    """Within ``MAX_SHIFT`` of the frame's width everywhere, and turned or scaled by at most ``MAX_LINEAR``."""
    back = _back(found)
    identity = np.eye(2, 3, dtype=np.float32)
    return _largest_move(back - identity, w, h) <= MAX_SHIFT * w and np.abs(back[:, :2] - np.eye(2)).max() <= MAX_LINEAR


def _difference_to(take: CleanPlate) -> Callable[[np.ndarray], float]:
    """Step 5's difference of an image to ``take``'s set: the median absolute grey difference, each side less its
    median, over the set the take saw where it has the most texture (its grey gradient in the top ``1 − TEXTURED``
    there: a plain stretch shows no misregistration, only resampling noise); the median, so that what the estimate
    got wrong there does not count. The take's side is found once."""
    grey = _grey(take.image)
    gradient = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    where = take.known & (gradient >= np.quantile(gradient[take.known], TEXTURED))
    a = grey[where]
    a = a - np.median(a)

    def difference(image: np.ndarray) -> float:
        b = _grey(image)[where]
        return float(np.median(np.abs(a - (b - np.median(b)))))

    return difference
