"""The dailies search's pick before stop 49 (main 1c621ea), kept as ``bench/lighting_search.py``'s peer: the frame
was the one the narrowing's motion measure ranked first, and two clips tied only within ``TIE`` ΔE76 of residual.
Today's search with a shortlist and candidates of one frame and no relative tie is that code path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import editor.lighting.search as search


@contextmanager
def motion_pick() -> Iterator[None]:
    """Inside the block, the search picks frames and ties clips as before stop 49."""
    before = search.SHORTLIST, search.CANDIDATES, search.TIE_SHARE
    search.SHORTLIST, search.CANDIDATES, search.TIE_SHARE = 1, 1, 0.0
    try:
        yield
    finally:
        search.SHORTLIST, search.CANDIDATES, search.TIE_SHARE = before
