"""The eyeline warp before stop 52 (main 4bfaab3), kept as ``bench/eyeline_lids.py``'s peer: a look up or down moved
the iris and faded out over the next iris radius as a look aside does; the lids stayed but for what that falloff
dragged along over and under the iris."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

import editor.eyeline.iris as iris
import editor.eyeline.warper as warper


@contextmanager
def lids_static() -> Iterator[None]:
    """Inside the block, the lids do not follow (the follow's weight is 0, so the iris's own weight is the flow's),
    and the warp stays inside the eye patch, blended in by its ellipse."""
    follow, room = iris.lid_weight, warper.ROOM
    iris.lid_weight = lambda h, w, anchor, radius: np.zeros((h, w), np.float32)  # type: ignore[assignment]
    warper.ROOM = 0
    try:
        yield
    finally:
        iris.lid_weight, warper.ROOM = follow, room
