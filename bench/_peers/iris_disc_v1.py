"""The eyeline warp's whole-moving zone before stop 48 (main d10e978), kept as bench/eyeline.py's peer: only the
disc the iris is found by (``iris.IRIS_RADIUS``, 0.11 of the patch width) moved whole, not the iris's own radius
(``iris.LIMBUS``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import editor.eyeline.iris as iris


@contextmanager
def found_disc() -> Iterator[None]:
    """Inside the block, the edit moves whole only the iris's found disc, as before stop 48."""
    limbus = iris.LIMBUS
    iris.LIMBUS = iris.IRIS_RADIUS
    try:
        yield
    finally:
        iris.LIMBUS = limbus
