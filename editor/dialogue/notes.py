"""What a dub did that the editor should know, in words, from its signed metrics — one wording for the CLI and the
console. Plain Python: the console imports it without loading the dialogue engine (NumPy, OpenCV, torch)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def fit_note(metrics: Mapping[str, Any]) -> str | None:
    """Which of the dialogue model's takes the fit left out as another recording session (``editor.dialogue.fit``),
    from a dub's metrics (``selection_fit_*``); None when the whole bank was offered."""
    takes, kept = metrics.get("selection_fit_takes"), metrics.get("selection_fit_takes_kept")
    if takes is None or kept is None or float(kept) >= float(takes):
        return None
    return (
        f"The mouths were drawn from {float(kept):.0f} of the dialogue model's {float(takes):.0f} takes: the others' "
        "mouths fitted this shot clearly worse (another recording session: other light, framing or lips), so only "
        f"the {float(metrics.get('selection_fit_kept', 0)):.0f} best-fitting mouths were matched to the line."
    )
