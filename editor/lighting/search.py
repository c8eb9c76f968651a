"""Finding a graded reference's ungraded original among the project's dailies, when the user names none.

A colourist's reference is almost always a graded frame of the production's own footage, and its ungraded
original is then in the dailies (``editor.lighting.original``: with it the look is known, not estimated). The
user may not know which clip and frame it was, so where the shot's own frames do not correspond to the reference
the clips offered (the project's catalogue, less the reference) are searched for it:

1. **Layout prints.** ``SCAN`` frames of every clip, spread over it, get a grade-blind layout print
   (``register.thumbprint``; kept per content hash, in the process and in ``Dailies.prints``, the application's
   ``editor.layout_prints`` table, so a clip is read for them once: the application prints each clip as it is
   ingested, ``keep_prints``). A clip's score is the mean, over the reference
   frames, of its best print correlation; the ``KEEP`` best clips go on.
2. **The frame.** In each kept clip the frame nearest each reference frame is narrowed down: the reference is brought
   onto the clip's grid by the similarity found against its best-printed sample (``register.prealign``), and every
   frame of the clip is compared by the motion optical flow still finds between it and the reference (the frame
   itself leaves none, a frame a moment apart the motion of whoever moved), away from any letterbox or pillarbox
   bars (``_picture_area``). The ``SHORTLIST`` frames that leave the least motion go on. Every frame, because the
   motion's basin at the reference's frame can be one frame wide (CREMA-D ANG's frame 33, as ProRes, left 1.1 px,
   its neighbours 2.0 and more, samples 6 frames away 2.4 and 3.5), so no sampling of a clip can be trusted to
   land in it: a coarse-to-fine search over samples, which took clips longer than 300 frames until stop 50, found
   the frame in 4 of 12 references to a 671-frame reel and took 3 of them from another take
   (``bench/lighting_search.py --long``). A clip of at most ``CACHE_FRAMES`` is read once, each frame's small grey
   picture kept (media seeks only further into a clip, so there every read decoded from the first frame); a longer
   one has its aligning frames read with a seek each, then is read through once, every reference frame compared as
   each frame goes by, nothing kept but the scores.
3. **The look.** Of the shortlist, the frames whose motion is within ``MOTION_NOISE`` of the least each have the look
   fitted as for a named original (``original.look_from_original``: coverage, correlation, and one grade explaining at
   least ``LOOK_INLIER_MIN`` of the pairs), and the one whose look leaves the least residual is the frame. Where the
   talker moves, the least motion stands alone and is the frame; where the talker is nearly still, the motions of
   several frames are within the measure's own noise once the reference has been through a codec of its own, and the
   look's residual tells which of them shows the reference's very pixels (``bench/lighting_search.py``). The residual
   alone was misled where the reference is far softer than every frame (in a probe, Obama's 720p take as a 480-px JPEG:
   a neighbour of the frame fitted better). A clip whose pixels are the reference's colours already (the look takes less
   than ``COPY_GAIN`` ΔE76 off their distance: a re-encoded, re-framed copy of a reference measured 1.84 → 1.62, its
   original 12.67 → 0.72) is a copy of the reference, not its original, and is passed over. Of the rest, the look
   leaving the smallest residual wins: on the shared footage (2026-12-06) the frame a graded reference was made from
   leaves 0.22–0.46 ΔE76 (as a re-framed 8-bit JPEG still 0.58–1.23), a frame one step away 0.25–0.91, a frame of
   another take of the set-up 0.82–2.29.
4. **No guess.** Two clips that fit about as well (``fit_alike``: residuals within ``TIE``, or within ``TIE_SHARE`` of
   the smaller, whichever is more) whose looks differ on the shot by more than ``LOOKS_APART`` ΔE76 leave it undecided —
   a warmer and a cooler grade of the reference's take, and not its original, say — and neither is used
   (``Search.undecided`` names both for the user's note). The original itself, where it is offered, fits better than any
   other version of its picture: in the tests' GRID clip 0.72 ΔE76, a re-encoded copy of it 1.34, a white-balanced one
   1.53, a crushed one 2.12. Two versions of one picture differ in residual by their own codec noise alone, and more so
   the larger the residual (``bench/lighting_search.py --ties``: a warmer and a cooler grade of the tests' clip, each
   encoded 20 ways, 400 pairs). The larger of a pair was at most 1.141× the smaller, at residuals of 2.31–2.63 ΔE76: 2
   pairs were further apart than ``TIE``. ``TIE_SHARE`` 0.2 leaves room for draws not seen.

What is found is recorded as found, never as named: the grade's method is ``"dailies"`` and the edit's signed
metrics carry the clip's hash, its frames and the residual. It may be another take of the set-up rather than the
reference's own original (the residual says how near); the user can name the original to settle it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from editor.lighting.exemplars import LOOK_INLIER_MIN, UNIFORM
from editor.lighting.fit import COVER_MIN, Fit
from editor.lighting.metrics import delta_e76
from editor.lighting.original import OriginalLook, look_from_original
from editor.lighting.register import grey_eq, prealign, small, thumbprint
from media import MediaError, MediaInfo, iter_frames, sample_indices

SCAN = 12  # frames printed per clip
KEEP = 3  # clips searched further, per search
MOTION_TAIL = 0.05  # share of a frame's largest flow magnitudes whose mean is the motion left
MOTION_CAP = 8.0  # px at the registration's width: a larger flow is a failed match, counted as this
COPY_GAIN = 1.0  # ΔE76 a look must take off the clip's distance to the reference, else the clip is a copy of it
TIE = 0.25  # ΔE76 of residual within which two clips fit about as well ...
TIE_SHARE = 0.2  # ... or within this share of the better one's residual, whichever is more (step 4)
SHORTLIST = 12  # frames per reference frame, least motion first, that go on to the look (step 3)
MOTION_NOISE = 0.25  # of the shortlist, frames within this share of the least motion have their look fitted (step 3)
LOOKS_APART = 2.0  # ΔE76 on the shot between two such clips' looks above which the search is undecided
CACHE_FRAMES = 300  # a clip this short is read once for the narrowing (media seeks only further in: ``_ClipFrames``)
SPREAD_GAP = 48  # frames: in a longer clip, frames further apart than this are read with a seek each (``_read``)
BAR_FLAT = 0.03  # a row or column at the frame's edge this flat (grey range, [0, 1]) is a letterbox or pillarbox bar
BAR_MARGIN = 8  # px at the registration's width: the motion is not measured this near a bar's edge
_CACHE_MAX = 4096


class Media(Protocol):
    """A clip offered to the search: probed media and content hash (``editor.lighting.relight.Shot``)."""

    @property
    def info(self) -> MediaInfo: ...

    @property
    def content_hash(self) -> str: ...


class PrintStore(Protocol):
    """Where clips' layout prints are kept between searches (``editor.layout_prints.LayoutPrints``)."""

    def get(self, content_hash: str, scan: int) -> tuple[list[int], np.ndarray] | None: ...

    def put(self, content_hash: str, scan: int, frames: list[int], prints: np.ndarray) -> None: ...


@dataclass(frozen=True)
class Dailies:
    """The clips to search (the project's catalogue) and where their prints are kept (None: this process only)."""

    clips: Sequence[Media]
    prints: PrintStore | None = None

    def without(self, content_hash: str) -> Dailies:
        """The same dailies less the clip ``content_hash`` (the reference itself)."""
        return Dailies([c for c in self.clips if c.content_hash != content_hash], self.prints)


@dataclass(frozen=True)
class FoundOriginal:
    """A clip's frames that registered to the reference frames, the look fitted from them and its residual."""

    content_hash: str
    name: str
    frames: tuple[int, ...]
    look: Fit
    residual: float


@dataclass(frozen=True)
class Search:
    """What the search found (``found``), how many clips it read (``searched``; ``unreadable``: those offered whose
    file could not be read, passed over) and, when two clips fit as well with different looks, both of them
    (``undecided``; ``found`` is then None)."""

    found: FoundOriginal | None
    searched: int
    undecided: tuple[FoundOriginal, FoundOriginal] | None = None
    unreadable: int = 0


_PRINTS: dict[str, tuple[list[int], np.ndarray]] = {}


def find_original(
    targets: Sequence[np.ndarray],
    dailies: Dailies,
    prior: np.ndarray,
    shot_pixels: np.ndarray,
    *,
    uniform: float = UNIFORM,
    inlier_min: float = LOOK_INLIER_MIN,
) -> Search:
    """Search ``dailies`` for the ungraded frames ``targets`` (float RGB reference frames) were graded from.
    ``shot_pixels`` (K, 3): the shot's colours, on which two candidates' looks are compared."""
    if not dailies.clips or not targets:
        return Search(None, 0)
    coarse = np.stack([thumbprint(np.asarray(t, np.float32)) for t in targets])
    scored = []
    unreadable = 0
    for clip in dailies.clips:
        try:
            idx, prints = _prints(clip, dailies.prints)
        except (MediaError, OSError):
            unreadable += 1
            continue
        if not idx:
            continue
        corr = prints @ coarse.T  # (samples, targets)
        scored.append((float(corr.max(axis=0).mean()), clip, [idx[int(k)] for k in corr.argmax(axis=0)]))
    scored.sort(key=lambda s: -s[0])
    looks = []
    searched = len(dailies.clips) - unreadable
    for _score, clip, starts in scored[:KEEP]:
        try:
            read = _ClipFrames(clip.info, starts)
            pools = [_within_noise(shortlist) for shortlist in _narrow_all(read, starts, targets)]
            by_index = dict(_read(clip.info, [n for pool in pools for n in pool]))
        except (MediaError, OSError):
            continue
        frames, lk = _best_look(pools, by_index, targets, prior, uniform=uniform, inlier_min=inlier_min)
        if lk.look is None or not lk.accepted or lk.apart - lk.residual < COPY_GAIN:
            continue
        looks.append(FoundOriginal(clip.content_hash, clip.info.path.name, frames, lk.look, lk.residual))
    if not looks:
        return Search(None, searched, unreadable=unreadable)
    looks.sort(key=lambda f: f.residual)
    best = looks[0]
    for other in looks[1:]:
        if other.content_hash == best.content_hash or not fit_alike(best.residual, other.residual):
            continue
        if delta_e76(best.look.grade.apply(shot_pixels[None]), other.look.grade.apply(shot_pixels[None])) > LOOKS_APART:
            return Search(None, searched, (best, other), unreadable)
    return Search(best, searched, unreadable=unreadable)


def fit_alike(a: float, b: float) -> bool:
    """Whether two clips' residuals ``a`` and ``b`` (ΔE76) are too near to say which fits the reference better: within
    ``TIE``, or within ``TIE_SHARE`` of the smaller, whichever is more (two versions of one picture were up to 1.141×
    apart by their codec noise alone: the module's docstring, step 4)."""
    return abs(a - b) <= max(TIE, TIE_SHARE * min(a, b))


def keep_prints(clips: Sequence[Media], store: PrintStore) -> int:
    """Print ``clips`` now and keep their prints in ``store`` (the application does it as it ingests dailies), so no
    search has to read them: a production's first search otherwise reads every clip it holds. A clip whose prints
    the store has already (the same content, catalogued before) is not read; one that cannot be read is passed over
    (a search counts it unreadable). Returns how many clips were read."""
    read = 0
    for clip in clips:
        if clip.info.frame_count <= 0 or store.get(clip.content_hash, SCAN) is not None:
            continue
        try:
            kept = _read_prints(clip)
        except (MediaError, OSError):
            continue
        read += 1
        if kept[0]:
            store.put(clip.content_hash, SCAN, *kept)
            _remember(clip.content_hash, kept)
    return read


def _prints(clip: Media, store: PrintStore | None) -> tuple[list[int], np.ndarray]:
    """The clip's sampled frame numbers and their layout prints: from this process's cache, else the ``store``,
    else read (and kept in both)."""
    key = clip.content_hash
    if key not in _PRINTS:
        kept = store.get(key, SCAN) if store is not None else None
        if kept is None:
            kept = _read_prints(clip)
            if store is not None and kept[0]:
                store.put(key, SCAN, *kept)
        _remember(key, kept)
    return _PRINTS[key]


def _read_prints(clip: Media) -> tuple[list[int], np.ndarray]:
    """Read the clip's ``SCAN`` sampled frames and print them."""
    idx = sample_indices(clip.info.frame_count, SCAN)
    got = [(n, thumbprint(np.asarray(a, np.float32))) for n, a in _read(clip.info, idx)]
    prints = np.stack([p for _, p in got]) if got else np.zeros((0, 384), np.float32)
    return [n for n, _ in got], prints.astype(np.float32)


def _remember(key: str, kept: tuple[list[int], np.ndarray]) -> None:
    if len(_PRINTS) >= _CACHE_MAX:
        _PRINTS.clear()
    _PRINTS[key] = kept


def _aligned_score(target: np.ndarray, frame: np.ndarray) -> Callable[[np.ndarray], float] | None:
    """How nearly a frame of ``frame``'s clip, given as its ``_grey`` picture, is ``target``'s ungraded picture: minus
    the motion left between them.

    The target is brought onto the clip's grid by the similarity found against ``frame`` (``register.prealign``);
    optical flow between the grey-equalised frames (grade-blind) is taken less its best affine fit (what is left of
    a re-framing), on the textured half of the pixels well inside the overlap (flow in flat areas is noise); the
    motion left is the mean of the largest ``MOTION_TAIL`` share of its magnitudes, each at most ``MOTION_CAP``.
    The frame the target was graded from leaves almost none; a frame a moment apart leaves the motion of whoever
    moved. None where the target does not align."""
    pre = prealign(np.asarray(frame, np.float32), np.asarray(target, np.float32), retry=True)
    if pre is None or pre.inside.mean() < COVER_MIN:
        return None
    g = pre.ref_grey.astype(np.float32)
    texture = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    inside = cv2.erode(pre.inside.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    inside &= _picture_area(pre.src) & _picture_area(pre.ref)
    inside &= texture > np.median(texture[inside]) if inside.any() else inside
    if inside.sum() < 64:
        return None
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    yy, xx = np.nonzero(inside)
    basis = np.stack([xx, yy, np.ones_like(xx)], axis=1).astype(np.float64)

    def score(grey: np.ndarray) -> float:
        flow = dis.calc(grey, pre.ref_grey, None)[inside].astype(np.float64)
        coef, *_ = np.linalg.lstsq(basis, flow, rcond=None)  # the frame's whole-picture shift, zoom and turn
        local = flow - basis @ coef
        mag = np.minimum(np.hypot(local[:, 0], local[:, 1]), MOTION_CAP)
        k = max(1, int(len(mag) * MOTION_TAIL))
        return -float(np.mean(np.partition(mag, len(mag) - k)[-k:]))

    return score


def _picture_area(rgb: np.ndarray) -> np.ndarray:
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


def _grey(rgb: np.ndarray) -> np.ndarray:
    """What the narrowing compares of a frame: its small, equalised grey picture."""
    return grey_eq(small(np.asarray(rgb, np.float32)))


class _ClipFrames:
    """A clip's frames as the narrowing reads them: every frame's ``_grey`` picture, in order, and the whole picture
    of the frames in ``keep`` (where each reference is aligned). A clip of at most ``CACHE_FRAMES`` is read once, its
    grey pictures kept; a longer one has ``keep`` read with a seek each and is read through for the grey pictures."""

    def __init__(self, info: MediaInfo, keep: Sequence[int]) -> None:
        self.info = info
        self._greys: dict[int, np.ndarray] | None = None
        if info.frame_count <= CACHE_FRAMES:
            self._greys, self.kept = {}, {}
            for i, a in iter_frames(info):
                self._greys[i] = _grey(a)
                if i in keep:
                    self.kept[i] = a
        else:
            self.kept = dict(_read(info, keep))

    def each(self) -> Iterator[tuple[int, np.ndarray]]:
        """Every frame's grey picture, in order: from memory, or read through once (none kept)."""
        if self._greys is not None:
            yield from self._greys.items()
            return
        for i, a in iter_frames(self.info):
            yield i, _grey(a)


def _read(info: MediaInfo, indices: Sequence[int]) -> Iterator[tuple[int, np.ndarray]]:
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


def _narrow(frames: _ClipFrames, start: int, target: np.ndarray) -> list[tuple[int, float]]:
    """``_narrow_all`` for one reference frame."""
    return _narrow_all(frames, [start], [target])[0]


def _narrow_all(
    frames: _ClipFrames, starts: Sequence[int], targets: Sequence[np.ndarray]
) -> list[list[tuple[int, float]]]:
    """For each target, the ``SHORTLIST`` frames of the clip nearest it and the motion each leaves, nearest first
    (``_aligned_score``, the target aligned on its start frame, which ``frames`` keeps whole), every frame compared
    (step 2) in one pass over the clip for all targets. ``[(start, 0.0)]`` for a target that does not align."""
    scores = [_aligned_score(t, frames.kept[s]) for s, t in zip(starts, targets, strict=True)]
    live = [(k, score) for k, score in enumerate(scores) if score is not None]
    seen: list[dict[int, float]] = [{} for _ in scores]
    if live:
        for i, grey in frames.each():
            for k, score in live:
                seen[k][i] = score(grey)
    return [
        [(i, -got[i]) for i in sorted(sorted(got), key=lambda i: -got[i])[:SHORTLIST]] if got else [(start, 0.0)]
        for start, got in zip(starts, seen, strict=True)
    ]


def _within_noise(shortlist: Sequence[tuple[int, float]]) -> list[int]:
    """The frames of a shortlist (frames and their motion, least first) whose motion is within ``MOTION_NOISE`` of the
    least: those the motion measure cannot tell apart."""
    least = shortlist[0][1]
    return [i for i, motion in shortlist if motion <= least * (1 + MOTION_NOISE)]


def _best_look(
    pools: Sequence[Sequence[int]],
    by_index: dict[int, np.ndarray],
    targets: Sequence[np.ndarray],
    prior: np.ndarray,
    *,
    uniform: float,
    inlier_min: float,
) -> tuple[tuple[int, ...], OriginalLook]:
    """For each target, the frame of its pool (``_within_noise``) whose look to the target leaves the least residual
    (an accepted look before any other, the least motion on a tie); and the look fitted from those frames to all the
    targets together (that same look where there is one target)."""

    def fitted(frames: Sequence[int], to: Sequence[np.ndarray]) -> OriginalLook:
        originals = [np.asarray(by_index[i], np.float32) for i in frames]
        return look_from_original(originals, to, prior, uniform=uniform, inlier_min=inlier_min)

    chosen, looks = [], []
    for pool, target in zip(pools, targets, strict=True):
        tried = [(fitted([i], [target]), i) for i in pool]
        lk, frame = min(
            tried, key=lambda t: (0, t[0].residual) if t[0].look is not None and t[0].accepted else (1, 0.0)
        )
        chosen.append(frame)
        looks.append(lk)
    return tuple(chosen), (looks[0] if len(targets) == 1 else fitted(chosen, targets))
