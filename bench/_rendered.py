"""Peers' frames written the way an edit is: for a like-for-like comparison with a rendered edit.

An edit's output is encoded in the source's codec family (``media.render`` under ``plan_encode``): RGB to the
encoder's YUV, chroma subsampled, quantised. A peer composited in memory skips that, so against a rendered edit it
is scored ahead by the round trip (issue 18, GRID: 0.3 dB of mouth PSNR, measured by encoding the dub's own
in-memory composite). ``rendered`` writes a peer's frames through the same path the dub's frames take — only the
pixels the peer touched pass through RGB, the rest are the source's planes — and reads them back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from editor.dialogue.track import read_range
from media import MediaInfo, probe, render


def rendered(info: MediaInfo, frames: list[np.ndarray], supports: list[np.ndarray], out: Path) -> list[np.ndarray]:
    """``frames`` (uint8 RGB, one per frame of ``info``'s clip from frame 0), each changed only inside its
    ``supports`` mask, rendered to ``out`` as an edit of the clip is and read back."""

    def edit(index: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        if index >= len(frames) or not supports[index].any():
            return None
        return frames[index].astype(np.float32) / 255.0, supports[index]

    render(info, out, edit, frames=range(len(frames)), overwrite=True)
    return read_range(probe(out), 0, len(frames))
