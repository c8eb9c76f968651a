"""Clean plates: the background of a locked-off shot without its performers.

Two sources:

* a **supplied** clean-plate shot (the set shot empty, same camera set-up): the temporal median of its frames,
  known everywhere;
* an **estimate** from the take itself, for any number of people anywhere in frame:

  1. the temporal median ``M`` of the sampled frames and the background's noise ``σ`` (robust MAD);
  2. **where people are**: per frame, the pixels that differ from ``M`` by more than ``max(4σ, 0.04)`` and are not
     the set in a person's shadow (``shadow_mask``), each moving blob closed and filled; and, for every face the
     face path finds (``editor.cast``; every ``FACE_EVERY``-th sample), a person-shaped zone — head, then
     shoulders sloping out to a few face widths, down to the frame's bottom edge (``body_zone``). Moving regions
     that no face explains count as people for the whole take (an unidentified presence is never baked into the
     plate);
  3. **static silhouettes**: GrabCut on ``M`` — the set outside every zone certain background, the zones probable
     foreground, face and chest cores certain foreground; its colour models also say where the segmentation is
     *unsure* (people and set about equally likely, ``UNSURE_RATIO``); to it is added the inside of a person who
     moved, which colour alone can miss (``moved_inside``), and, on a textured set, the edge of a person who hardly
     moved, traced by the faint motion the per-frame test misses (not where they leaned, step 4), with what it
     encloses (an ear the colour of the books behind it: :mod:`editor.background._faint`), less what is a plain
     stretch of set continued; where a plain set darkens into a person-shaped zone (vignetting toward a corner), the
     set in shade GrabCut took for a person is given back to the set
     (:mod:`editor.background._shade`), and so is a piece of the silhouette with no person in it: no face or chest
     core, nothing that moved, and either mostly outside the person-shaped zones or cut off by that give-back
     (``stray_pieces``);
  4. **the plate where the set was seen**: a pixel is known when, in at least ``MIN_SEEN`` frames, neither a
     silhouette — moved with a person who leaned off their place in that frame, and then not the set they left
     (:mod:`editor.background._lean`) — nor what moved in that frame (widened by a margin) covered it; its value is
     the median over those frames. The rest is *unknown* (inpainted from the set as seen); there the silhouette
     decides the matte, brought to full resolution along the take's edges (:mod:`editor.background._edge`) — except
     in a thin strip next to a plain stretch of set, where the inpainting was shown to predict the set and the matte
     keys against it (``extended``: :mod:`editor.background._extend`), and in a wider zone next to a plain set where
     each frame keys the set it uncovers (``uncoverable``: :mod:`editor.background._uncovered`);
  5. **whether the camera held still** (:mod:`editor.background._still`): how far the set outside every zone moved
     against the median, and how far it may before its own edges read as people;
  6. **how much of the set was recovered**: ``set_recovered`` = 1 − (unknown pixels where the segmentation was
     unsure, or that the silhouette holds in the set's colours) ÷ (the set, and those), i.e. the share of the set
     that was either seen or told from the people with a clear colour margin. GrabCut's own colour models learn
     from its answer and confirm it; the silhouette is judged by models learned only where the people and the set
     certainly are (:mod:`editor.background._set_colour`); on a plain set, what it holds in the set's colours is
     given back to the set instead;
  7. **GrabCut asked again** where, on a textured set, the judge's doubts would refuse its first answer: what the
     judge held is no longer taken as probably a person (it stays where a person may be), GrabCut learns its colour
     models again without it and answers again, up to ``REASKS`` times while each answer recovers more. Its person
     model is learnt from the whole person-shaped zone; where that zone is mostly one colour of set (the pale wall
     round the head on "but here's the thing"), the model learns the set and the answer keeps a block of it as the
     person. A new answer stands only if it recovers at least ``MIN_SET_RECOVERED`` and the judge holds less than
     ``AGREED`` of the frame of it in the set's colours; otherwise the first answer, and its refusal, stand. The
     judge sees the set only where it is in the set's colours: asked again on "very real challenges"' still first
     second, GrabCut gave the flag back but kept a block of dark shelves behind his shoulders, which the judge saw
     only by their pale edge (1.9 % of the frame) and the composite kept.

The edit refuses an estimate from a take whose camera moved (step 5), one that recovered less than
``MIN_SET_RECOVERED`` = 0.9 of the set, or one that found no person at all (:mod:`editor.background._acceptance`,
which says why 0.9).

This module holds the two ways to build a plate (``plate_from_shot``, ``estimate_plate``); their acceptance
(``require_recoverable``) is :mod:`editor.background._acceptance`. The plate itself (``CleanPlate``) is
:mod:`editor.background.clean_plate`; finding the people (steps 2 and 3: ``shadow_mask``, ``body_zone``, the GrabCut
silhouettes) is in :mod:`editor.background._people`. Their public names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from editor.background._acceptance import MIN_SET_RECOVERED, held_still, require_recoverable
from editor.background._edge import upsample_silhouette
from editor.background._extend import extendable
from editor.background._faint import faint_outline, often_changed, set_continued
from editor.background._lean import covered, followed
from editor.background._people import (
    F32,
    GRABCUT_ITERS,
    HEAD_RISE,
    HEAD_SCALE,
    SHADOW_MIN,
    U8,
    UNSURE_RATIO,
    Bool,
    _blobs,
    _face_seeds,
    _face_zones,
    _fill,
    _presence_zone,
    _silhouette,
    body_zone,
    head_box,
    moved_inside,
    shadow_mask,
    stray_pieces,
)
from editor.background._set_colour import PLAIN_SET, given_back, plain_share, set_coloured, torso
from editor.background._shade import set_in_shade
from editor.background._still import set_motion
from editor.background._takes import _median, _noise, _samples, _to
from editor.background._uncovered import uncoverable
from editor.background.clean_plate import CleanPlate
from editor.background.errors import PlateError, PlateUnrecoverableError
from editor.cast import FaceBox, detect_faces
from editor.plate_summary import turn_and_scale

__all__ = [
    "F32",
    "FACE_EVERY",
    "GRABCUT_ITERS",
    "HEAD_RISE",
    "HEAD_SCALE",
    "MIN_SEEN",
    "MIN_SET_RECOVERED",
    "SHADOW_MIN",
    "U8",
    "UNSURE_RATIO",
    "Bool",
    "CleanPlate",
    "PlateUnrecoverableError",
    "body_zone",
    "estimate_plate",
    "head_box",
    "held_still",
    "plate_from_shot",
    "require_recoverable",
    "shadow_mask",
    "turn_and_scale",
]

MIN_SEEN = 3
REASKS = 2  # times GrabCut is asked again where the judge's doubts alone would refuse the estimate
AGREED = 0.01  # share of the frame the judge may still hold in the set's colours for an answer asked again to stand
FACE_EVERY = 3  # faces are searched on every 3rd sampled frame


@dataclass(frozen=True)
class _Found:
    """What steps 1–2 found, at the work size: the median and its noise, where people may be and what moved."""

    median: F32
    noise: float
    prior: Bool  # where a person may be, widened: beyond it is certainly the set
    zones: Bool  # the person-shaped zones and what moved: probably a person
    faced: Bool  # the zones most likely a person, and the zones of moving regions no face explains
    moving: Bool  # what moved in any sample
    cores: Bool  # the face and chest cores: certainly a person
    unexplained: Bool  # the zones of moving regions no face explains
    blobs: list[Bool]  # what moved, per sample
    small: list[U8]  # the samples at the work size
    changes: list[F32]  # each sample's distance from the median, 0 where it is the set in a person's shadow
    pad: np.ndarray  # the structuring element of the segmentation's margin
    torso: Bool  # below each face, where a person's body certainly is


@dataclass(frozen=True)
class _Pass:
    """One segmentation (step 3), what the plate saw under it (step 4) and how much of the set it recovered (6)."""

    silhouette: Bool
    hidden: Bool  # per sample, covered by a silhouette or by what moved then (widened)
    known: Bool
    inside: Bool
    traced: Bool
    shade: Bool
    detached: Bool
    doubted: Bool
    returned: Bool
    recovered: float
    leaned: int = 0  # samples in which somebody was followed off their place (._lean)


def _segment(found: _Found, plain: bool, released: Bool | None = None) -> _Pass:
    """Steps 3, 4 and 6 once; ``released``: pixels GrabCut is told are no longer probably a person."""
    median8 = (found.median * 255).round().astype(np.uint8)
    zones = found.zones if released is None else found.zones & ~released
    silhouette, unsure = _silhouette(median8, found.prior, zones, found.cores)
    within = moved_inside(found.blobs, found.faced)
    inside = within & ~silhouette
    silhouette = _fill(silhouette | inside)
    traced = np.zeros_like(silhouette)
    if not plain:  # a still person's edge, traced by the faint motion the per-frame test missed (._faint)
        # Not counted: where a person was followed off their place in that sample (they leaned there, ._lean).
        away = [w & ~silhouette for w in followed(found.small, found.median, silhouette)]
        traced = faint_outline(often_changed(found.changes, found.noise, away), silhouette, found.zones, ~found.prior)
        traced &= ~set_continued(median8, traced, silhouette, found.noise)
        silhouette |= traced
    shade = set_in_shade(found.median, silhouette, found.moving | found.cores, found.noise)
    silhouette &= ~shade
    detached = stray_pieces(silhouette, found.moving | found.cores | found.unexplained, found.zones, shade)
    silhouette &= ~detached
    # Covered in frame t: the static silhouettes, moved with whoever leaned off their place, and what moved in t but
    # the set they left (._lean), widened by the segmentation's uncertainty.
    hidden, leaned = covered(found.small, found.median, silhouette, found.blobs, found.pad, found.noise)
    known = (~hidden).sum(axis=0) >= min(MIN_SEEN, len(found.blobs))
    # Recovered: the share of the set (all but the silhouettes) that was seen, or separated from the people with
    # a clear colour margin. Where the segmentation was unsure — on either side of the silhouette — is a guess, and
    # so is a silhouette pixel in the set's colours by models GrabCut's answer did not teach (._set_colour).
    evidence = found.cores | within
    doubted = set_coloured(
        median8, silhouette & ~(found.moving | evidence | known), evidence | found.torso, ~found.prior
    )
    returned = np.zeros_like(doubted)
    if plain:  # a plain set's colours are its own: given back
        returned = given_back(silhouette, doubted)
        doubted, silhouette = doubted & ~returned, silhouette & ~returned
    guessed = (unsure | doubted) & ~known
    recovered = float(1.0 - guessed.sum() / max(1, int((~silhouette).sum() + (silhouette & guessed).sum())))
    return _Pass(silhouette, hidden, known, inside, traced, shade, detached, doubted, returned, recovered, leaned)


def _runs(seg: _Pass) -> bool:
    """Whether an answer asked for again may stand: it recovers enough of the set, and the judge holds less than
    ``AGREED`` of the frame of it in the set's colours."""
    return seg.recovered >= MIN_SET_RECOVERED and float(seg.doubted.mean()) < AGREED


def _asked_again(found: _Found, plain: bool) -> tuple[_Pass, int, Bool]:
    """Steps 3 to 6, and GrabCut asked again (step 7) where the judge's doubts would refuse its first answer on a
    textured set: the answer that stands, how many times GrabCut was asked again, and what it was told of the
    answer that stands (nothing where the first stands)."""
    first = seg = _segment(found, plain)
    released, reasked = np.zeros_like(first.silhouette), 0
    if plain or first.recovered >= MIN_SET_RECOVERED:
        return first, 0, released
    while reasked < REASKS and seg.doubted.any() and not _runs(seg):
        released |= seg.doubted
        reasked += 1
        again = _segment(found, plain, released)
        if again.recovered <= seg.recovered:
            break
        seg = again
    if seg is first or not _runs(seg):  # the judge and GrabCut still disagree: the first answer and its refusal
        return first, reasked, np.zeros_like(released)
    return seg, reasked, released


def plate_from_shot(frames: Sequence[U8], size: tuple[int, int], *, max_samples: int = 24) -> CleanPlate:
    """A clean plate from a supplied clean-plate shot of the same set-up (temporal median of its frames).

    Args:
        frames: The clean-plate shot's frames, RGB uint8.
        size: ``(height, width)`` of the shot the plate is for.
        max_samples: At most this many evenly spaced frames enter the median.

    Raises:
        PlateError: If the shot is empty or its frame size differs from ``size``.
    """
    samples = _samples(frames, max_samples)
    if samples[0].ndim != 3 or samples[0].shape[:2] != size:
        raise PlateError(
            f"the clean-plate shot is {samples[0].shape[1]}×{samples[0].shape[0]} but the shot is "
            f"{size[1]}×{size[0]}; a clean plate must come from the same camera set-up"
        )
    h, w = size
    image = _median(samples)
    return CleanPlate(
        image=image,
        known=np.ones((h, w), bool),
        performer=np.zeros((h, w), bool),
        noise=_noise(samples, image, np.ones((h, w), bool)),
        source="supplied",
    )


def estimate_plate(
    frames: Sequence[U8],
    *,
    max_samples: int = 24,
    work_width: int = 480,
    faces: Sequence[Sequence[FaceBox] | None] | None = None,
) -> CleanPlate:
    """Estimate a clean plate from a locked-off take (see the module docstring for the method).

    Deterministic: the same frames give the same plate (OpenCV's RNG, which seeds GrabCut's GMMs, is reset).

    Args:
        frames: The take's frames, RGB uint8, all the same size.
        max_samples: At most this many evenly spaced frames are used.
        work_width: Width at which people, motion and segmentation are computed.
        faces: Per used sample, the faces on it (None = not searched); default: the face path's detector on
            every ``FACE_EVERY``-th sample.

    Raises:
        PlateError: If the take is empty.
    """
    samples = _samples(frames, max_samples)
    h, w = samples[0].shape[:2]
    scale = min(1.0, work_width / w)
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    small = [cv2.resize(f, size, interpolation=cv2.INTER_AREA) for f in samples]
    shape = (size[1], size[0])
    median = _median(small)
    noise = _noise(small, median, np.ones(shape, bool))
    thresh = max(4.0 * noise, 0.04)
    if faces is None:
        faces = [detect_faces(f, i) if i % FACE_EVERY == 0 else None for i, f in enumerate(samples)]
    elif len(faces) != len(samples):
        raise PlateError(f"faces were given for {len(faces)} frames but {len(samples)} are used")
    zones = _face_zones(faces, scale, shape, 2.8, 1.15)  # where people may be (wide shoulders, big hair)
    likely = np.logical_or.reduce(_face_zones(faces, scale, shape, 2.8, 1.0))  # ... and most likely are
    n_faces = max((len(f) for f in faces if f is not None), default=0)
    min_area = max(16, round(0.0005 * shape[0] * shape[1]))
    changes = []  # each sample's distance from the median, 0 where it is the set in a person's shadow
    for f in small:
        x = f.astype(np.float32) / 255.0
        change = np.sqrt(((x - median) ** 2).sum(-1))
        change[shadow_mask(x, median, noise)] = 0.0
        changes.append(change)
    blobs = [_blobs(c > thresh, min_area) for c in changes]
    # Moving regions no face zone explains are people too, for the whole take.
    ever_zone = np.logical_or.reduce(zones)
    moving_any = _blobs(np.logical_or.reduce(blobs), min_area)
    _, labels = cv2.connectedComponents(moving_any.astype(np.uint8), connectivity=8)
    unexplained = np.zeros(shape, bool)
    presences = 0
    for lab in range(1, int(labels.max()) + 1):
        comp = labels == lab
        if (comp & ever_zone).sum() < 0.5 * comp.sum():
            unexplained |= _presence_zone(comp)
            presences += 1
    moving = np.logical_or.reduce(blobs)
    cores = _face_seeds(faces, scale, shape)
    margin = max(2, round(0.012 * min(shape)))
    pad = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
    prior = cv2.dilate((ever_zone | unexplained | moving).astype(np.uint8), pad) > 0
    camera = set_motion(median, small, ~prior, thresh)
    plain = plain_share(median, ~prior, noise) >= PLAIN_SET
    found = _Found(
        median=median,
        noise=noise,
        prior=prior,
        zones=likely | unexplained | moving,
        faced=likely | unexplained,
        moving=moving,
        cores=cores,
        unexplained=unexplained,
        blobs=blobs,
        small=small,
        changes=changes,
        pad=pad,
        torso=torso(faces, scale, shape),
    )
    seg, reasked, released = _asked_again(found, plain)
    silhouette, known = seg.silhouette, seg.known
    # The plate at full resolution: the take's median where nobody ever covered the set, the median of the
    # uncovered frames where somebody sometimes did, an inpainted guess (marked unknown) where nobody ever left.
    up = (w, h)
    known_full = _to(known, up)
    ever_full = _to(seg.hidden.any(axis=0), up)
    image = _median(samples)
    performer = upsample_silhouette(silhouette, image)  # along the median's edges, before the ring is filled
    ring = known_full & ever_full
    if ring.any():
        hidden_full = [_to(m, up) for m in seg.hidden]
        ys, xs = np.nonzero(ring)
        for k in range(0, len(ys), 200_000):  # bounded memory at 4K
            yk, xk = ys[k : k + 200_000], xs[k : k + 200_000]
            vals = np.stack([f[yk, xk] for f in samples]).astype(np.float32) / 255.0
            vals[np.stack([m[yk, xk] for m in hidden_full])] = np.nan
            image[yk, xk] = np.nanmedian(vals, axis=0)
    # The unknown set inpainted (and its extension tested) from the set as seen, not from the take's median, which
    # near the people holds them in some frames.
    seen8 = (cv2.resize(image, size, interpolation=cv2.INTER_AREA) * 255).round().astype(np.uint8)
    fill_small = cv2.inpaint(seen8, (~known).astype(np.uint8), 3, cv2.INPAINT_TELEA)
    fill = cv2.resize(fill_small, up, interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    full = np.where(known_full[..., None], image, fill)
    core = cv2.erode(cv2.erode(silhouette.astype(np.uint8), pad), pad) > 0
    near = extendable(seen8, known, noise)
    zone = uncoverable(fill_small.astype(np.float32) / 255.0, known, noise) & ~near & ~core
    extended, zone, interior = _to(near, up), _to(zone, up) & performer, _to(core, up)
    return CleanPlate(
        interior=interior,
        extended=extended if extended.any() else None,
        uncoverable=zone if zone.any() else None,
        image=np.clip(full, 0, 1).astype(np.float32),
        known=known_full,
        performer=performer,
        noise=noise,
        source="estimated",
        set_recovered=round(min(1.0, seg.recovered), 6),
        faces=n_faces,
        presences=presences,
        in_shade=round(float(seg.shade.mean()), 6),
        strays=round(float(seg.detached.mean()), 6),
        moved_inside=round(float(seg.inside.mean()), 6),
        faint_outline=round(float(seg.traced.mean()), 6),
        set_coloured=round(float(seg.doubted.mean()), 6),
        set_coloured_returned=round(float(seg.returned.mean()), 6),
        plain_set=bool(plain),
        reasked=reasked,
        leaned=seg.leaned,
        released=round(float((released & ~silhouette).mean()), 6),
        camera=None if camera is None else camera.scaled(1.0 / scale),
    )
