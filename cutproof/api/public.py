"""No absolute server path in an API answer: where the server keeps a file is not the caller's business (and tells
an attacker the layout of the machine). Paths inside the workspace are shown as their file name."""

from __future__ import annotations

from typing import Any

from cutproof.core.public_paths import scrub

__all__ = ["public_clip", "scrub"]


def public_clip(clip: Any) -> dict[str, Any]:
    """A catalogued clip as the API shows it: its file name, never where the server keeps it."""
    shown = dict(clip.as_dict())
    shown.pop("path", None)
    return shown
