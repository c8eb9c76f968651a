"""The dailies search's step 2 (``editor.lighting.search``): the frames of a clip nearest each reference frame.

Each reference frame is brought onto the clip's grid by the similarity found against one frame of the clip (its
best-printed sample, ``register.prealign``), and every frame of the clip is compared with it by the motion optical flow
still finds between them (``aligned_score``): the frame it was graded from leaves almost none, a frame a moment apart
the motion of whoever moved. The ``SHORTLIST`` frames leaving the least motion are the answer (``narrow_all``).

1. **Every frame.** The motion's basin at the reference's frame can be one frame wide (CREMA-D ANG's frame 33, as
   ProRes, left 1.1 px, its neighbours 2.0 and more, samples 6 frames away 2.4 and 3.5), so no sampling of a clip can
   be trusted to land in it. Clips longer than 300 frames went coarse to fine over samples until stop 50: in a
   671-frame reel of the shared takes that search found the very frame for 13 of 24 references, took 4 from another
   take and found nothing for one (``bench/lighting_search.py --long``).
2. **Read once.** A clip of at most ``CACHE_FRAMES`` is read once, each frame's small grey picture kept (media seeks
   only further into a clip, so there every read decoded from the first frame), and every frame compared. A longer
   one has its aligning frames read with a seek each (``read_frames``), then is read through once: each frame is
   compared with every reference frame as it goes by at ``1/QUICK_SCALE`` of the width (a quarter of the flow's
   cost, where most of the time goes), and only the ``PASS_KEEP`` frames leaving the least motion there are kept and
   compared at the full width. In the reel, the frame found at the full width was among the first 11 at half the
   width for all 24 references (at a quarter of it, among the first 103), and on Obama's three takes one after
   another among the first 4 for 9 references. A reference clip's 8 frames share the one read.
3. **Inside the picture.** Whole rows or columns of one colour at a frame's edge (within ``BAR_FLAT``) are letterbox
   or pillarbox bars; they and ``BAR_MARGIN`` pixels inside their edges are left out of the measure, in the clip's
   frame and in the aligned reference (``picture_area``). A bar's edge is a hard line the flow runs along, and
   equalised, a JPEG's noise in a black bar is texture: in the reel, GRID's 4:3 take pillarboxed in 16:9 left 5.0 px
   of motion at the reference's own frame, more than frames of the other GRID take.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence

import cv2
import numpy as np

from editor.lighting.fit import COVER_MIN
from editor.lighting.register import grey_eq, prealign, small
from media import MediaInfo, iter_frames

MOTION_TAIL = 0.05  # share of a frame's largest flow magnitudes whose mean is the motion left
MOTION_CAP = 8.0  # px at the registration's width: a larger flow is a failed match, counted as this
SHORTLIST = 12  # frames per reference frame, least motion first, that go on to the look (the search's step 3)
CACHE_FRAMES = 300  # a clip this short is read once for the narrowing (media seeks only further in: ``ClipFrames``)
SPREAD_GAP = 48  # frames: in a longer clip, frames further apart than this are read with a seek each (``read_frames``)
QUICK_SCALE = 2  # a long clip's first pass measures the motion at 1/2 the registration's width ...
PASS_KEEP = 48  # ... and this many frames per reference frame, the least motion first, go on to the full measure
BAR_FLAT = 0.03  # a row or column at the frame's edge this flat (grey range, [0, 1]) is a letterbox or pillarbox bar
BAR_MARGIN = 8  # px at the registration's width: the motion is not measured this near a bar's edge


Score = Callable[[np.ndarray], float]  # a frame's ``grey_picture`` → minus the motion it leaves


def aligned_score(target: np.ndarray, frame: np.ndarray) -> tuple[Score, Score] | None:
    """How nearly a frame of ``frame``'s clip, given as its ``grey_picture``, is ``target``'s ungraded picture: minus
    the motion left between them, measured at the registration's width and, quicker, at ``1/QUICK_SCALE`` of it (the
    first pass over a long clip, step 2 above).

    The target is brought onto the clip's grid by the similarity found against ``frame`` (``register.prealign``);
    optical flow between the grey-equalised frames (grade-blind) is taken less its best affine fit (what is left of
    a re-framing), on the textured half of the pixels well inside the overlap and the picture (flow in flat areas is
    noise, and along a bar's edge: ``picture_area``); the motion left is the mean of the largest ``MOTION_TAIL``
    share of its magnitudes, each at most ``MOTION_CAP``. The frame the target was graded from leaves almost none; a
    frame a moment apart leaves the motion of whoever moved. None where the target does not align."""
    pre = prealign(np.asarray(frame, np.float32), np.asarray(target, np.float32), retry=True)
    if pre is None or pre.inside.mean() < COVER_MIN:
        return None
    g = pre.ref_grey.astype(np.float32)
    texture = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    inside = cv2.erode(pre.inside.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    inside &= picture_area(pre.src) & picture_area(pre.ref)
    inside &= texture > np.median(texture[inside]) if inside.any() else inside
    if inside.sum() < 64:
        return None
    full = _motion_left(pre.ref_grey, inside, 1)
    return full, _motion_left(pre.ref_grey, inside, QUICK_SCALE) or full


def _motion_left(ref_grey: np.ndarray, inside: np.ndarray, scale: int) -> Score | None:
    """``aligned_score``'s measure against ``ref_grey`` over ``inside``, both taken ``scale`` times smaller (None
    where too few pixels are left)."""
    if scale != 1:
        size = (ref_grey.shape[1] // scale, ref_grey.shape[0] // scale)
        ref_grey = cv2.resize(ref_grey, size, interpolation=cv2.INTER_AREA)
        inside = cv2.resize(inside.astype(np.uint8), size, interpolation=cv2.INTER_AREA) > 0
        if inside.sum() < 64:
            return None
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    yy, xx = np.nonzero(inside)
    basis = np.stack([xx, yy, np.ones_like(xx)], axis=1).astype(np.float64)
    cap = MOTION_CAP / scale

    def score(grey: np.ndarray) -> float:
        if scale != 1:
            grey = cv2.resize(grey, ref_grey.shape[::-1], interpolation=cv2.INTER_AREA)
        flow = dis.calc(grey, ref_grey, None)[inside].astype(np.float64)
        coef, *_ = np.linalg.lstsq(basis, flow, rcond=None)  # the frame's whole-picture shift, zoom and turn
        local = flow - basis @ coef
        mag = np.minimum(np.hypot(local[:, 0], local[:, 1]), cap)
        k = max(1, int(len(mag) * MOTION_TAIL))
        return -float(np.mean(np.partition(mag, len(mag) - k)[-k:]))

    return score


def picture_area(rgb: np.ndarray) -> np.ndarray:
    """Where a (small, float RGB) frame shows picture: inside its letterbox or pillarbox bars, if any, and at least
    ``BAR_MARGIN`` pixels from their edges. A bar is a run of whole rows or columns at the frame's edge each of one
    colour (within ``BAR_FLAT``); its edge is a hard line whose flow runs along it (equalised, a JPEG's noise in a
    black bar is texture too): in a pillarboxed reel the frame the reference was graded from left more motion there
    (5.0 px) than frames of another take."""
    grey = np.asarray(rgb, np.float32).mean(axis=-1)
    h, w = grey.shape
    flat_rows = np.ptp(grey, axis=1) <= BAR_FLAT
    flat_cols = np.ptp(grey, axis=0) <= BAR_FLAT

    def run(flat: np.ndarray) -> int:
        return int(np.argmin(flat)) if not flat.all() else len(flat)

    top, bottom = run(flat_rows), run(flat_rows[::-1])
    left, right = run(flat_cols), run(flat_cols[::-1])
    area = np.zeros((h, w), bool)
    m = BAR_MARGIN
    y0, y1 = top + (m if top else 0), h - bottom - (m if bottom else 0)
    x0, x1 = left + (m if left else 0), w - right - (m if right else 0)
    area[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = True
    return area


def grey_picture(rgb: np.ndarray) -> np.ndarray:
    """What the narrowing compares of a frame: its small, equalised grey picture."""
    return grey_eq(small(np.asarray(rgb, np.float32)))


class ClipFrames:
    """A clip's frames as the narrowing reads them: every frame's ``grey_picture``, in order, and the whole picture of
    the frames in ``keep`` (where each reference is aligned). A clip of at most ``CACHE_FRAMES`` is read once, its
    grey pictures kept; a longer one has ``keep`` read with a seek each and is read through for the grey pictures."""

    def __init__(self, info: MediaInfo, keep: Sequence[int]) -> None:
        self.info = info
        self._greys: dict[int, np.ndarray] | None = None
        if info.frame_count <= CACHE_FRAMES:
            self._greys, self.kept = {}, {}
            for i, a in iter_frames(info):
                self._greys[i] = grey_picture(a)
                if i in keep:
                    self.kept[i] = a
        else:
            self.kept = dict(read_frames(info, keep))

    @property
    def read_once(self) -> bool:
        """Whether every frame's grey picture is in memory (a clip of at most ``CACHE_FRAMES``)."""
        return self._greys is not None

    def each(self) -> Iterator[tuple[int, np.ndarray]]:
        """Every frame's grey picture, in order: from memory, or read through once (none kept)."""
        if self._greys is not None:
            yield from self._greys.items()
            return
        for i, a in iter_frames(self.info):
            yield i, grey_picture(a)


def read_frames(info: MediaInfo, indices: Sequence[int]) -> Iterator[tuple[int, np.ndarray]]:
    """Frames ``indices`` of ``info``'s clip, in order: in one read, or, in a clip longer than ``CACHE_FRAMES``
    (where media seeks), in one read per run of them at most ``SPREAD_GAP`` apart. One read decodes every frame from
    the first one asked for to the last; for samples spread over a long take, a seek to each is far cheaper. Frames
    before ``CACHE_FRAMES`` are one run whatever their gaps: media decodes each read of them from the first frame."""
    wanted = sorted(set(indices))
    runs: list[list[int]] = []
    for i in wanted:
        if runs and (info.frame_count <= CACHE_FRAMES or i < CACHE_FRAMES or i - runs[-1][-1] <= SPREAD_GAP):
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        yield from iter_frames(info, indices=run)


def narrow(frames: ClipFrames, start: int, target: np.ndarray) -> list[tuple[int, float]]:
    """``narrow_all`` for one reference frame."""
    return narrow_all(frames, [start], [target])[0]


def narrow_all(
    frames: ClipFrames, starts: Sequence[int], targets: Sequence[np.ndarray]
) -> list[list[tuple[int, float]]]:
    """For each target, the ``SHORTLIST`` frames of the clip nearest it and the motion each leaves, nearest first
    (``aligned_score``, the target aligned on its start frame, which ``frames`` keeps whole), every frame compared
    (steps 1 and 2) in one pass over the clip for all targets. ``[(start, 0.0)]`` for a target that does not align."""
    scores = [aligned_score(t, frames.kept[s]) for s, t in zip(starts, targets, strict=True)]
    live = [(k, pair) for k, pair in enumerate(scores) if pair is not None]
    seen = _every_frame(frames, live, len(scores)) if live else [{} for _ in scores]
    return [
        [(i, -got[i]) for i in sorted(sorted(got), key=lambda i: -got[i])[:SHORTLIST]] if got else [(start, 0.0)]
        for start, got in zip(starts, seen, strict=True)
    ]


def _every_frame(frames: ClipFrames, live: Sequence[tuple[int, tuple[Score, Score]]], n: int) -> list[dict[int, float]]:
    """Each of ``n`` targets' scores (those in ``live``: index, full and quick measure) of the frames compared:
    every frame of a clip read once (``frames.read_once``) at the full measure; in a longer clip every frame at the
    quick measure as it is read, then the ``PASS_KEEP`` best of them at the full one."""
    seen: list[dict[int, float]] = [{} for _ in range(n)]
    if frames.read_once:
        for i, grey in frames.each():
            for k, (full, _quick) in live:
                seen[k][i] = full(grey)
        return seen
    best: list[list[tuple[float, int, np.ndarray]]] = [[] for _ in range(n)]  # min-heaps: the least motion stays
    for i, grey in frames.each():
        for k, (_full, quick) in live:
            kept = best[k]
            (heapq.heappush if len(kept) < PASS_KEEP else heapq.heappushpop)(kept, (quick(grey), -i, grey))
    for k, (full, _quick) in live:
        seen[k] = {-j: full(grey) for _score, j, grey in best[k]}
    return seen
