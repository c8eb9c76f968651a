"""The dailies search's pick before stop 49 (main 1c621ea), kept as ``bench/lighting_search.py``'s peer: the frame
was the one the narrowing's motion measure ranked first, and two clips fitted alike only within ``TIE`` ΔE76 of
residual. Today's search with a shortlist of one frame and no ``TIE_SHARE`` is that code path (the one candidate's
look is fitted, as the one frame's was)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import editor.lighting.search as search


@contextmanager
def motion_pick() -> Iterator[None]:
    """Inside the block, the search picks frames and calls residuals alike as before stop 49."""
    before = search.SHORTLIST, search.TIE_SHARE
    search.SHORTLIST, search.TIE_SHARE = 1, 0.0
    try:
        yield
    finally:
        search.SHORTLIST, search.TIE_SHARE = before
