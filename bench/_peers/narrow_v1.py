"""The dailies search's narrowing as before 2026-12-06 (stop 44): the same scoring, each round read from the file.

``editor.lighting.search._narrow`` now reads a clip of at most ``CACHE_FRAMES`` once and keeps each frame's grey
picture; before, the start frame, the samples and every refining round were separate reads, and below 300 frames
media decodes every read from the first frame. Kept for ``bench/lighting_narrow.py``'s ratio.
"""

from __future__ import annotations

import numpy as np

from editor.lighting.search import REFINE, SCAN, STARTS, _aligned_score, _grey
from media import MediaInfo, iter_frames, read_frame, sample_indices


def narrow(info: MediaInfo, start: int, target: np.ndarray) -> int:
    """``_narrow`` as it was: every step reads its frames from the file."""
    n = info.frame_count
    score = _aligned_score(target, read_frame(info, start))
    if score is None:
        return start
    seen = {i: score(_grey(a)) for i, a in iter_frames(info, indices=sample_indices(n, SCAN))}
    step0 = max(1, -(-n // max(SCAN - 1, 1)))
    for first in sorted(seen, key=lambda i: -seen[i])[:STARTS]:
        best, step = first, step0
        while True:
            lo, hi = max(0, best - step), min(n - 1, best + step)
            idx = [i for i in sample_indices(n, REFINE, start=lo, end=hi + 1) if i not in seen]
            seen.update({i: score(_grey(a)) for i, a in iter_frames(info, indices=idx)})
            best = max(range(lo, hi + 1), key=lambda i: seen.get(i, -2.0))
            if hi - lo + 1 <= REFINE:
                break
            step = max(1, -(-(hi - lo) // (REFINE - 1)))
    return max(sorted(seen), key=lambda i: seen[i])
