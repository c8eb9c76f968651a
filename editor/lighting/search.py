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
2. **The frame.** In each kept clip, every frame is compared with each reference frame by the motion optical flow
   still finds between them (``editor.lighting.narrow``: the frame itself leaves none, a frame a moment apart the
   motion of whoever moved); the ``narrow.SHORTLIST`` frames that leave the least motion go on.
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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from editor.lighting.exemplars import LOOK_INLIER_MIN, UNIFORM
from editor.lighting.fit import Fit
from editor.lighting.metrics import delta_e76
from editor.lighting.narrow import ClipFrames, narrow_all, read_frames
from editor.lighting.original import OriginalLook, look_from_original
from editor.lighting.register import thumbprint
from media import MediaError, MediaInfo, sample_indices

SCAN = 12  # frames printed per clip
KEEP = 3  # clips searched further, per search
COPY_GAIN = 1.0  # ΔE76 a look must take off the clip's distance to the reference, else the clip is a copy of it
TIE = 0.25  # ΔE76 of residual within which two clips fit about as well ...
TIE_SHARE = 0.2  # ... or within this share of the better one's residual, whichever is more (step 4)
MOTION_NOISE = 0.25  # of the shortlist, frames within this share of the least motion have their look fitted (step 3)
LOOKS_APART = 2.0  # ΔE76 on the shot between two such clips' looks above which the search is undecided
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
            read = ClipFrames(clip.info, starts)
            pools = [_within_noise(shortlist) for shortlist in narrow_all(read, starts, targets)]
            by_index = dict(read_frames(clip.info, [n for pool in pools for n in pool]))
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
    got = [(n, thumbprint(np.asarray(a, np.float32))) for n, a in read_frames(clip.info, idx)]
    prints = np.stack([p for _, p in got]) if got else np.zeros((0, 384), np.float32)
    return [n for n, _ in got], prints.astype(np.float32)


def _remember(key: str, kept: tuple[list[int], np.ndarray]) -> None:
    if len(_PRINTS) >= _CACHE_MAX:
        _PRINTS.clear()
    _PRINTS[key] = kept


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
