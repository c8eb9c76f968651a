"""The dailies search's narrowing as stop 49 left it (main 992625f), kept as ``bench/lighting_search.py``'s peer.

- A clip of at most ``EXHAUSTIVE`` (300) frames had every frame compared; a longer one went coarse to fine: the
  ``SCAN`` samples, then windows around the best ``STARTS`` of them narrowing down to one frame (``_narrow`` and
  ``_coarse_to_fine`` below).
- The motion was measured up to the picture's edges, letterbox or pillarbox bars included (no ``picture_area``).
- It was measured at the registration's width for every frame it compared (no first pass at half the width).

``narrow_v49()`` puts them back inside a block; ``greys`` is stop 49's ``_ClipFrames.greys``, for the peers that
read the frames they compare a few at a time. ``_narrow`` and ``_coarse_to_fine`` are verbatim but for taking the
measure at the registration's width from the pair ``aligned_score`` gives now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

import editor.lighting.narrow as narrow
import editor.lighting.search as search
from editor.lighting.narrow import SHORTLIST, ClipFrames, aligned_score, grey_picture, read_frames
from editor.lighting.search import SCAN
from media import sample_indices

EXHAUSTIVE = 300
REFINE = 9
STARTS = 3


def greys(frames: ClipFrames, indices: Sequence[int]) -> dict[int, np.ndarray]:
    """The grey pictures of frames ``indices``: from memory (a short clip), else read where asked; a reader of another
    peer's (``narrow_v1``) reads them its own way."""
    if not isinstance(frames, ClipFrames):
        return frames.greys(indices)
    if frames.read_once:
        wanted = set(indices)
        return {i: g for i, g in frames.each() if i in wanted}
    return {i: grey_picture(a) for i, a in read_frames(frames.info, indices)}


def _narrow(frames: ClipFrames, start: int, target: np.ndarray) -> list[tuple[int, float]]:
    n = frames.info.frame_count
    scores = aligned_score(target, frames.kept[start])
    if scores is None:
        return [(start, 0.0)]
    score = scores[0]  # the measure at the registration's width, the only one then
    if n <= EXHAUSTIVE:
        seen = {i: score(g) for i, g in greys(frames, range(n)).items()}
    else:
        seen = _coarse_to_fine(frames, score, n)
    return [(i, -seen[i]) for i in sorted(sorted(seen), key=lambda i: -seen[i])[:SHORTLIST]]


def _coarse_to_fine(frames: ClipFrames, score: Callable[[np.ndarray], float], n: int) -> dict[int, float]:
    seen = {i: score(g) for i, g in greys(frames, sample_indices(n, SCAN)).items()}
    step0 = max(1, -(-n // max(SCAN - 1, 1)))
    for first in sorted(seen, key=lambda i: -seen[i])[:STARTS]:
        best, step = first, step0
        while True:
            lo, hi = max(0, best - step), min(n - 1, best + step)
            idx = [i for i in sample_indices(n, REFINE, start=lo, end=hi + 1) if i not in seen]
            seen.update({i: score(g) for i, g in greys(frames, idx).items()})
            best = max((i for i in range(lo, hi + 1) if i in seen), key=lambda i: seen[i])
            if hi - lo + 1 <= REFINE:
                break
            step = max(1, -(-(hi - lo) // (REFINE - 1)))
    return seen


def whole_picture(rgb: np.ndarray) -> np.ndarray:
    """Stop 49's measuring area: the whole frame."""
    return np.ones(np.asarray(rgb).shape[:2], bool)


@contextmanager
def per_target(narrow_one: Callable[[ClipFrames, int, np.ndarray], list[tuple[int, float]]]) -> Iterator[None]:
    """Inside the block the search narrows with ``narrow_one``, one reference frame at a time, measuring the whole
    frame. (The argument was called ``narrow`` until stop 53, which hid the module of that name here: the block
    raised on entry.)"""

    def narrow_all(
        frames: ClipFrames, starts: Sequence[int], targets: Sequence[np.ndarray]
    ) -> list[list[tuple[int, float]]]:
        return [narrow_one(frames, s, t) for s, t in zip(starts, targets, strict=True)]

    before = search.narrow_all, narrow.picture_area
    search.narrow_all, narrow.picture_area = narrow_all, whole_picture  # type: ignore[assignment]
    try:
        yield
    finally:
        search.narrow_all, narrow.picture_area = before  # type: ignore[assignment]


@contextmanager
def narrow_v49() -> Iterator[None]:
    """Inside the block, the search narrows as stop 49 did."""
    with per_target(_narrow):
        yield


@contextmanager
def every_frame_whole_picture() -> Iterator[None]:
    """Inside the block, every frame is compared (as now) but over the whole picture, bars included (as before)."""
    before = narrow.picture_area
    narrow.picture_area = whole_picture  # type: ignore[assignment]
    try:
        yield
    finally:
        narrow.picture_area = before  # type: ignore[assignment]
