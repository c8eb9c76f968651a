"""The eyeline edit before stop 48 (main d10e978) on a blink, kept as bench/eyeline.py's peer: the shift was applied
whatever the eyes did. Today's edit with the shot's open-eye contrast unknown (``blink.reference`` None) is that."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import editor.eyeline.edit as edit


@contextmanager
def without_holding() -> Iterator[None]:
    """Inside the block, the edit moves the eyes through blinks, as before stop 48."""
    before = edit._open_eyes
    edit._open_eyes = lambda *args, **kwargs: (None, before(*args, **kwargs)[1])  # type: ignore[assignment]
    try:
        yield
    finally:
        edit._open_eyes = before  # type: ignore[assignment]
