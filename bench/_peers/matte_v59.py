"""The matte as stop 59 left it, as patches on this code: the set a frame uncovers joined to the keyable set directly
(not through the unseen margin the silhouette leaves to the set), and the soft edge where the set was never seen not
bounded by its colour (:mod:`editor.background._unmix`). Each is a context manager; ``as_stop59`` applies both."""

from __future__ import annotations

from contextlib import AbstractContextManager, ExitStack
from unittest import mock

import numpy as np

from editor.background import _uncovered as uncovered_steps
from editor.background import matte as matte_steps
from editor.background import pipeline as pipeline_steps


def _joined_directly(difference: np.ndarray, key: np.ndarray, zone: np.ndarray, keyable: np.ndarray,
                     left: np.ndarray) -> np.ndarray:  # fmt: skip
    return uncovered_steps.uncovered(difference, key, zone, keyable, np.zeros_like(left))


def _unbounded(_frame: np.ndarray, alpha: np.ndarray, *_: object) -> np.ndarray:
    return alpha


def join59() -> AbstractContextManager[object]:
    """The uncovered set joined to the keyable set directly, as stop 59 keyed it."""
    return mock.patch.object(matte_steps, "uncovered", _joined_directly)


def bound59() -> AbstractContextManager[object]:
    """The soft edge where the set was never seen left as the matte made it, as stop 59 left it."""
    return mock.patch.object(pipeline_steps, "bounded", _unbounded)


def as_stop59() -> ExitStack:
    """Both."""
    stack = ExitStack()
    stack.enter_context(join59())
    stack.enter_context(bound59())
    return stack
