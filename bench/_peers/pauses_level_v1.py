"""The dub's pauses as found before 2026-12-06 (stop 45): by the line's level alone (``editor.dialogue.pauses``,
steps 1–3), nothing kept when loud and quiet parts are under ``MIN_RANGE_DB`` apart. The product's own ``pauses``
with its ``line_speech`` swapped for the level rule, so every other step is the product's."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from editor.dialogue import pauses as product
from editor.dialogue.pauses import PauseEvidence, levels_db, speech_hops


def level_only(samples: np.ndarray, rate: int) -> tuple[np.ndarray, str] | None:
    speech = speech_hops(levels_db(samples, rate))
    return None if speech is None else (speech, "level")


def level_only_pauses(
    line: np.ndarray, line_rate: int, own: np.ndarray | None, own_rate: int, fps: Fraction, n_frames: int
) -> PauseEvidence:
    """``editor.dialogue.pauses.pauses`` with the level rule alone."""
    found = product.line_speech
    product.line_speech = level_only  # type: ignore[assignment]
    try:
        return product.pauses(line, line_rate, own, own_rate, fps, n_frames)
    finally:
        product.line_speech = found  # type: ignore[assignment]
