"""Picklable plane edits for the segment-parallel tests, in a module of their own so that a worker process imports
only this (and ``media``, NumPy) to run them."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from media import Picture


class Brighten:
    """A picklable plane edit: adds ``amount`` code values to luma."""

    def __init__(self, amount: int) -> None:
        self.amount = amount

    def __call__(self, picture: Picture) -> None:
        np.add(picture.luma, self.amount, out=picture.luma, casting="unsafe")


class FailOn(Brighten):
    """Raises on one frame."""

    def __init__(self, frame: int) -> None:
        super().__init__(4)
        self.frame = frame

    def __call__(self, picture: Picture) -> None:
        if picture.index == self.frame:
            raise RuntimeError(f"edit failed on frame {picture.index}")
        super().__call__(picture)


class DieOn(FailOn):
    """Kills the worker process on one frame (a worker lost mid-segment)."""

    def __call__(self, picture: Picture) -> None:
        if picture.index == self.frame:
            os._exit(3)


class Slow(Brighten):
    """Takes ``seconds`` per frame (a costly edit: long enough for the progress of a running segment to be seen)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(3)
        self.seconds = seconds

    def __call__(self, picture: Picture) -> None:
        time.sleep(self.seconds)
        super().__call__(picture)


class Gated(Brighten):
    """Holds its segment until the test lets it go on: before editing the ``holds[i]``-th frame it is given (counted
    by this copy, so from the segment's start: each task edits its own copy), it waits for the file
    ``<gate>.<i + 1>`` to appear (``Gatekeeper`` in the progress tests creates them). The task's tally then stands at
    exactly ``holds[i]`` frames until the gate opens, so what the calling process sees is bounded by the holds, not
    by how fast either process runs. ``patience`` seconds per gate only keep a test that never opens one from
    hanging; it is not part of what a test checks."""

    def __init__(self, gate: Path, holds: tuple[int, ...], patience: float = 60.0) -> None:
        super().__init__(3)
        self.gate, self.holds, self.patience = gate, holds, patience
        self.seen = 0

    def __call__(self, picture: Picture) -> None:
        if self.seen in self.holds:
            path = f"{self.gate}.{self.holds.index(self.seen) + 1}"
            deadline = time.monotonic() + self.patience
            while not os.path.exists(path) and time.monotonic() < deadline:
                time.sleep(0.005)
        self.seen += 1
        super().__call__(picture)
