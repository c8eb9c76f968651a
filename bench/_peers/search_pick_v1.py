"""The dailies search's pick before stop 49 (main 1c621ea), kept as ``bench/lighting_search.py``'s peer.

- The narrowing (``_narrow``, verbatim below but for its return, the one frame as a shortlist of one, and for taking
  the measure at the registration's width from the pair ``aligned_score`` gives now) counted a frame
  it had not compared yet as 2 px of motion, so where every compared frame left more, its refining walked to frames
  it had never compared (GRID's frame 15: 14 and 16 compared, 15 never).
- The frame was the one that narrowing ranked first; its look alone was fitted.
- Two clips fitted alike only within ``TIE`` ΔE76 of residual (no ``TIE_SHARE``).
- (As stop 49 too) each reference frame was narrowed on its own, over the whole picture (``search_narrow_v49``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

import editor.lighting.search as search
from editor.lighting.narrow import ClipFrames, aligned_score
from editor.lighting.search import SCAN
from media import sample_indices

from .search_narrow_v49 import REFINE, STARTS, greys, per_target


def _narrow(frames: ClipFrames, start: int, target: np.ndarray) -> list[tuple[int, float]]:
    n = frames.info.frame_count
    scores = aligned_score(target, frames.kept[start])
    if scores is None:
        return [(start, 0.0)]
    score = scores[0]
    seen = {i: score(g) for i, g in greys(frames, sample_indices(n, SCAN)).items()}
    step0 = max(1, -(-n // max(SCAN - 1, 1)))
    for first in sorted(seen, key=lambda i: -seen[i])[:STARTS]:
        best, step = first, step0
        while True:
            lo, hi = max(0, best - step), min(n - 1, best + step)
            idx = [i for i in sample_indices(n, REFINE, start=lo, end=hi + 1) if i not in seen]
            seen.update({i: score(g) for i, g in greys(frames, idx).items()})
            best = max(range(lo, hi + 1), key=lambda i: seen.get(i, -2.0))
            if hi - lo + 1 <= REFINE:
                break
            step = max(1, -(-(hi - lo) // (REFINE - 1)))
    best = max(sorted(seen), key=lambda i: seen[i])
    return [(best, -seen[best])]


@contextmanager
def motion_pick() -> Iterator[None]:
    """Inside the block, the search narrows, picks frames and calls residuals alike as before stop 49."""
    before = search.TIE_SHARE
    search.TIE_SHARE = 0.0
    try:
        with per_target(_narrow):
            yield
    finally:
        search.TIE_SHARE = before
