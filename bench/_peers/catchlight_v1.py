"""The eyeline edit's catchlight before stop 48 (main d10e978), kept as bench/eyeline.py's peer: it moved the iris's
whole way. Warping the filled eye and its catchlight by the same flow and adding them is that warp exactly (a remap
is linear in the image), so the peer is today's edit with the catchlight's share set to 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import editor.eyeline.catchlight as catchlight


@contextmanager
def with_the_iris() -> Iterator[None]:
    """Inside the block, the edit moves catchlights with the iris, as before stop 48."""
    share = catchlight.SHARE
    catchlight.SHARE = 1.0
    try:
        yield
    finally:
        catchlight.SHARE = share
