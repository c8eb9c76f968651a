"""The eyeline edit's timing before stop 47 (main 56c54df), kept as bench/eyeline.py's peer: counted in frames
whatever the shot's rate — the shift eased over 3 frames, the fields kept half of the previous frame's, the face
box smoothed over σ = 2 frames, a segment warmed up over 48 frames."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import editor.eyeline.edit as edit
from editor.eyeline.timing import Timing

BEFORE = Timing(ramp=3, alpha=0.5, box_sigma=2.0, warm_up=48)


class _FrameCounted(Timing):
    @classmethod
    def at(cls, fps: Fraction | float) -> Timing:
        return BEFORE


@contextmanager
def timing() -> Iterator[None]:
    """``redirect_gaze`` times its edit as before inside the block."""
    now = edit.Timing
    edit.Timing = _FrameCounted  # type: ignore[misc]
    try:
        yield
    finally:
        edit.Timing = now  # type: ignore[misc]
