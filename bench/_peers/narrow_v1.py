"""The dailies search's narrowing as it read a clip before 2026-12-06 (stop 44): the same steps and scoring, each
step's frames read from the file in one read.

The narrowing gets its frames from ``ClipFrames``: a clip of at most ``CACHE_FRAMES`` read once, a longer one with a
seek per run of frames (and since stop 50 read through once). Before, the start frame, the samples and every refining
round were each one read, and one read decodes every frame from the first asked for to the last (below 300 frames,
from the clip's first frame). This reader gives stop 49's narrowing (``search_narrow_v49``: the steps as they were
then, coarse to fine in a long clip) exactly that, for ``bench/lighting_narrow.py``'s ratio.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from editor.lighting.narrow import grey_picture
from media import MediaInfo, iter_frames, read_frame

from .search_narrow_v49 import _narrow


class _OneReadPerStep:
    """``ClipFrames``'s interface, read as before: every step is one read of the file."""

    def __init__(self, info: MediaInfo, start: int) -> None:
        self.info = info
        self.kept = {start: read_frame(info, start)}

    def greys(self, indices: Sequence[int]) -> dict[int, np.ndarray]:
        return {i: grey_picture(a) for i, a in iter_frames(self.info, indices=indices)} if indices else {}


def narrow(info: MediaInfo, start: int, target: np.ndarray) -> int:
    """Stop 49's narrowing, reading as before stop 44."""
    return _narrow(_OneReadPerStep(info, start), start, target)[0][0]  # type: ignore[arg-type]
