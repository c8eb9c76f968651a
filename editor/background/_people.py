"""Where the people are in a locked-off take, for the clean-plate estimate (:mod:`editor.background.plate`, steps 2
and 3 of its method).

* **what moved**: pixels that differ from the take's median and are not the set in a person's shadow
  (``shadow_mask``), as closed and filled blobs (``_blobs``);
* **person-shaped zones**: around every face the face path found, the head and the shoulders sloping out to a few
  face widths, down to the frame's bottom edge (``head_box``, ``body_zone``, ``_face_zones``); around a moving
  region no face explains, its hull and below (``_presence_zone``); the face and chest cores (``_face_seeds``);
* **static silhouettes**: GrabCut on the median seeded with those, and where its colour models cannot tell the
  people from the set (``_silhouette``, ``UNSURE_RATIO``);
* **the inside of a person who moved** (``moved_inside``): a pixel inside the moving blobs of a person (in a
  face's zone, or a moving region no face explained) in more than half the samples. Each blob is what differs from
  the take's median, filled; at a pixel a person sways over, the median is whichever of the person and the set is
  there more often, and the blob the other, so such a pixel is in a blob in at most half the samples. A pixel in
  one more often is inside the person's outline most of the time: the person. GrabCut decides by colour alone, and
  dark hair before dark books is the books' colour: without this, the weekly address's talker lost the top of his
  head and an ear, his hair baked into the plate (seen in frames where his head was near its median pose);
* **pieces with no person in them** (``stray_pieces``): a piece of the silhouette (8-connected) that holds no face
  or chest core, nothing that moved and no moving region that no face explained, and that either lies mostly
  outside the person-shaped zones or touches the set given back as the set in shade (:mod:`._shade`). GrabCut's
  people's model, seeded by a head's zone that reaches the frame's edge, can take a dark line along that edge (an
  SD recording's half-lit first row) for hair; the allowance beyond the zones is for hair and shoulders attached to
  a person, and a piece out there on its own is the set. Where the set between such a line and the head was
  enclosed and filled, the give-back returns it and leaves the line and a thread of set that joined it to the hair
  cut off (the demo's GRID take kept a bar of the blue booth and a thread down to the hair in every frame). A piece
  of a person apart from the rest would hold a core or have moved, or lie in a zone; one that did none of these is
  told from the set by nothing here.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from editor.cast import FaceBox

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
U8 = np.ndarray  # uint8
Bool = np.ndarray  # bool

GRABCUT_ITERS = 4
SHADOW_MIN = 0.45  # darker than this is a dark object, not a shadow
UNSURE_RATIO = 4.0  # colour likelihood ratio (people vs set) below which the segmentation is a guess
INSIDE = 0.5  # inside a person's moving blobs in more than this share of the samples: the person (moved_inside)


def shade_distortion(frame: F32, plate: F32) -> tuple[F32, F32, F32]:
    """``frame`` against ``plate`` in Horprasert et al.'s (1999) terms: the brightness ratio (how much darker or
    lighter along the plate's colour), the chromaticity distortion (the RGB distance left off that direction) and
    the plate's brightness (its RGB norm). Float RGB in [0, 1], same size."""
    bb = _channel_sum(plate * plate)
    ratio = _channel_sum(frame * plate) / np.maximum(bb, 1e-4)
    dist = frame - ratio[..., None] * plate
    return ratio, np.sqrt(_channel_sum(dist * dist)), np.sqrt(bb)


def shadow_mask(frame: F32, plate: F32, noise: float) -> Bool:
    """Where ``frame`` is ``plate`` in shadow (Horprasert et al. 1999): darker by a brightness ratio in
    [SHADOW_MIN, 0.97], with the colour direction kept (chromaticity distortion within ``max(3σ, 0.02)`` of the
    plate's brightness). Float RGB in [0, 1], same size."""
    ratio, chroma, bright = shade_distortion(frame, plate)
    return (
        (ratio >= SHADOW_MIN)
        & (ratio <= 0.97)
        & (chroma <= np.maximum(3 * noise, 0.02) + 0.05 * bright)
        & (bright > 0.06)
    )


def _channel_sum(x: F32) -> F32:
    return cv2.transform(np.ascontiguousarray(x, np.float32), np.ones((1, 3), np.float32))


def _fill(mask: Bool) -> Bool:
    """``mask`` with every hole (a region not connected to the frame border) filled."""
    inv = (~mask).astype(np.uint8)
    _, labels = cv2.connectedComponents(inv, connectivity=4)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return mask | ((inv > 0) & ~np.isin(labels, border))


def _blobs(diff: Bool, min_area: int) -> Bool:
    """Moving blobs: components of ``diff`` closed and with holes filled, small specks dropped."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    m = cv2.morphologyEx(diff.astype(np.uint8), cv2.MORPH_CLOSE, k)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    return _fill(keep[labels])


HEAD_SCALE = 1.2  # the zones are proportioned to a hairline-to-chin face box; the cast detector's (dlib's) box
HEAD_RISE = 0.1  # spans brows to chin: 1.2× as large, its centre 0.1 box heights higher, is the box they expect


def head_box(face: FaceBox, scale: float = 1.0) -> tuple[float, float, float, float]:
    """``(x, y, w, h)`` of the face box the zones below are proportioned to, from a box the face path found (in a
    frame ``scale`` times the sample's size)."""
    w, h = face.width * HEAD_SCALE * scale, face.height * HEAD_SCALE * scale
    cx = (face.x + face.width / 2) * scale
    cy = (face.y + face.height / 2 - HEAD_RISE * face.height) * scale
    return cx - w / 2, cy - h / 2, w, h


def body_zone(
    face: tuple[float, float, float, float], shape: tuple[int, int], reach: float = 1.6, grow: float = 1.0
) -> Bool:
    """Where a person whose face is ``(x, y, w, h)`` is likely to be: the head (±0.62 face widths, hair
    included, scaled by ``grow``) and a torso that widens from the neck to ±``reach`` face widths, down to the
    frame's bottom edge."""
    x, y, w, h = face
    hh, ww = shape
    yy, xx = np.mgrid[0:hh, 0:ww].astype(np.float32)
    cx, cy = x + w / 2, y + h / 2
    head = ((xx - cx) / (0.62 * grow * w)) ** 2 + ((yy - (cy - 0.15 * h)) / (0.8 * grow * h)) ** 2 <= 1.0
    neck = cy + 0.45 * h
    # Shoulders slope out steeply from the neck (a 4.5 w/h slope), then straight down.
    half = np.clip(0.35 * grow * w + (yy - neck) * 4.5, 0.35 * grow * w, reach * w)
    torso = (yy >= neck) & (np.abs(xx - cx) <= half)
    return head | torso


def _face_zones(
    faces: Sequence[Sequence[FaceBox] | None], scale: float, shape: tuple[int, int], reach: float, grow: float
) -> list[Bool]:
    """Per sample, the union of body zones of the faces found nearest in time (searched samples only)."""
    searched = [i for i, f in enumerate(faces) if f is not None]
    out = []
    for t in range(len(faces)):
        zone = np.zeros(shape, bool)
        if searched:
            near = min(searched, key=lambda i: (abs(i - t), i))
            for f in faces[near] or ():
                zone |= body_zone(head_box(f, scale), shape, reach, grow)
        out.append(zone)
    return out


def _presence_zone(comp: Bool) -> Bool:
    """Where an unexplained moving region's owner may be: its convex hull, and below it (bodies are cut by the
    frame's bottom edge) the hull's widest extent down to the bottom."""
    pts = cv2.findNonZero(comp.astype(np.uint8))
    zone = np.zeros(comp.shape, np.uint8)
    cv2.fillConvexPoly(zone, cv2.convexHull(pts), 1)
    ys, xs = np.nonzero(zone)
    zone[int(ys.mean()) :, xs.min() : xs.max() + 1] = 1
    return zone > 0


def _boxes(
    faces: Sequence[Sequence[FaceBox] | None],
    scale: float,
    shape: tuple[int, int],
    rows: tuple[float, float],
    half: float,
) -> Bool:
    """Under or on every face found: ``rows`` (from, to) face-box heights from its centre, ±``half`` face-box widths
    (at the work size: the faces' boxes times ``scale``)."""
    out = np.zeros(shape, bool)
    for found in faces:
        for face in found or ():
            x, y, fw, fh = head_box(face, scale)
            cx, cy = x + fw / 2, y + fh / 2
            top, bottom = (max(0, int(cy + r * fh)) for r in rows)
            out[top:bottom, max(0, int(cx - half * fw)) : max(0, int(cx + half * fw))] = True
    return out


def chest(faces: Sequence[Sequence[FaceBox] | None], scale: float, shape: tuple[int, int], half: float) -> Bool:
    """The column under every face found, ±``half`` face-box widths, from 0.7 to 2 face-box heights below its
    centre."""
    return _boxes(faces, scale, shape, (0.7, 2.0), half)


def _face_seeds(faces: Sequence[Sequence[FaceBox] | None], scale: float, shape: tuple[int, int]) -> Bool:
    """Certain foreground: the face cores and the neck/chest column under each face."""
    return _boxes(faces, scale, shape, (-0.3, 0.3), 0.25) | chest(faces, scale, shape, 0.3)


def _gmm_loglik(model: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Log-likelihood of colours ``x`` (N×3, BGR 0–255) under an OpenCV GrabCut GMM (1×65: 5 weights, 5 means,
    5 covariances)."""
    m = model.reshape(-1)
    w, mu, cov = m[:5], m[5:20].reshape(5, 3), m[20:65].reshape(5, 3, 3)
    out = []
    for k in range(5):
        if w[k] <= 0:
            continue
        c = cov[k] + np.eye(3) * 1e-3
        d = x - mu[k]
        inv = np.linalg.inv(c)
        maha = np.einsum("ni,ij,nj->n", d, inv, d)
        out.append(np.log(w[k]) - 0.5 * (maha + np.log(np.linalg.det(c)) + 3 * np.log(2 * np.pi)))
    return np.logaddexp.reduce(np.stack(out), axis=0) if out else np.full(len(x), -np.inf)


def _silhouette(median8: U8, prior: Bool, zones: Bool, cores: Bool) -> tuple[Bool, Bool]:
    """The people's static silhouettes, and where that segmentation is unsure.

    GrabCut on the median: the set outside ``prior`` (where nobody can be) is certain background, the
    person-shaped ``zones`` (and what moved) probable foreground, the rest of ``prior`` probable background, the
    face/chest ``cores`` certain foreground. Unsure: pixels of ``prior`` whose colour is about as likely under the
    people's colour model as under the set's (likelihood ratio within ``UNSURE_RATIO`` either way) — there the
    segmentation is a guess.
    """
    mask = np.full(median8.shape[:2], cv2.GC_BGD, np.uint8)
    mask[prior] = cv2.GC_PR_BGD
    mask[prior & zones] = cv2.GC_PR_FGD
    mask[cores] = cv2.GC_FGD
    if not (mask == cv2.GC_BGD).any() or not (mask == cv2.GC_FGD).any():
        return prior & zones, prior.copy()
    cv2.setRNGSeed(0)
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = cv2.cvtColor(median8, cv2.COLOR_RGB2BGR)
    cv2.grabCut(bgr, mask, None, bgd, fgd, GRABCUT_ITERS, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]
    fg = _fill((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD))
    ys, xs = np.nonzero(prior & ~cores)
    unsure = np.zeros(mask.shape, bool)
    if len(ys):
        px = bgr[ys, xs].astype(np.float64)
        unsure[ys, xs] = np.abs(_gmm_loglik(fgd, px) - _gmm_loglik(bgd, px)) < np.log(UNSURE_RATIO)
    return _fill(fg), unsure


def moved_inside(blobs: Sequence[Bool], zones: Bool) -> Bool:
    """The pixels of ``zones`` (a person's) inside the moving ``blobs`` (one per sample) in more than ``INSIDE`` of
    the samples (module docstring)."""
    if not len(blobs):
        return np.zeros(zones.shape, bool)
    return (np.mean(np.stack(blobs), axis=0) > INSIDE) & zones


def stray_pieces(silhouette: Bool, evidence: Bool, zones: Bool, given_back: Bool) -> Bool:
    """The pieces of ``silhouette`` with no person in them (module docstring): its 8-connected components that hold
    no pixel of ``evidence`` (the face and chest cores, what moved, the zones of moving regions no face explained)
    and that lie mostly (over half their pixels) outside ``zones`` or touch ``given_back``."""
    out = np.zeros_like(silhouette)
    if not silhouette.any():
        return out
    n, labels = cv2.connectedComponents(silhouette.astype(np.uint8), connectivity=8)
    area = np.bincount(labels.ravel(), minlength=n)
    inside = np.bincount(labels[zones], minlength=n)
    held = np.zeros(n, bool)
    held[np.unique(labels[evidence])] = True
    square = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    touching = np.zeros(n, bool)
    touching[np.unique(labels[cv2.dilate(given_back.astype(np.uint8), square) > 0])] = True
    drop = ~held & (touching | (2 * inside < area))
    drop[0] = False
    return drop[labels]
