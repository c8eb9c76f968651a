"""The iris finder before stop 53 (main 29a396a), kept as ``bench/eyeline_finder.py``'s peer: the darkest disc of
0.11 of the patch width, catchlights left in, refined by the dark-weighted centroid over its square. Every module
that finds an iris with ``iris_centre`` uses it inside the block (training, the warp, the lids' anchor, the
read-back's start); the blink's reading is unchanged (it kept this disc)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import editor.eyeline._data as data
import editor.eyeline._eyes as eyes
import editor.eyeline.edit as edit
import editor.eyeline.iris as iris
import editor.eyeline.readback as readback
import editor.eyeline.warper as warper

_USERS = (eyes, data, edit, iris, readback, warper)


def iris_centre_v1(patch: eyes.F32) -> tuple[float, float]:
    """The finder before stop 53."""
    return eyes.dark_disc(patch, 0.11)


@contextmanager
def finder_v1() -> Iterator[None]:
    """Inside the block, the iris is found as before stop 53."""
    before = [m.iris_centre for m in _USERS]
    for m in _USERS:
        m.iris_centre = iris_centre_v1  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for m, f in zip(_USERS, before, strict=True):
            m.iris_centre = f  # type: ignore[attr-defined]
