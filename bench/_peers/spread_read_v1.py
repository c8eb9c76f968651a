"""The dailies search's reader as stop 44 left it (``editor.lighting.narrow.read_frames`` before stop 45): in a clip
longer than ``CACHE_FRAMES``, one read per run of frames at most ``SPREAD_GAP`` apart, also before frame
``CACHE_FRAMES``, where media decodes each read from the first frame. Stop 45 reads the frames there in one run."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from editor.lighting.narrow import CACHE_FRAMES, SPREAD_GAP
from media import MediaInfo, iter_frames


def read(info: MediaInfo, indices: Sequence[int]) -> Iterator[tuple[int, np.ndarray]]:
    wanted = sorted(set(indices))
    runs: list[list[int]] = []
    for i in wanted:
        if runs and (info.frame_count <= CACHE_FRAMES or i - runs[-1][-1] <= SPREAD_GAP):
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        yield from iter_frames(info, indices=run)
