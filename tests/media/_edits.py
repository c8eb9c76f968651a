"""Picklable plane edits for the segment-parallel tests, in a module of their own so that a worker process imports
only this (and ``media``, NumPy) to run them."""

from __future__ import annotations

import os
import time

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
