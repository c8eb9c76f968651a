"""Where an edit's video is rendered and labelled: in one piece here, or in segments on worker processes or an
executor (``editor.segmented``, ``media.render_parallel``); chosen by the job engine (``cutproof.scale``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from media import SegmentExecutor


@dataclass(frozen=True)
class Segmented:
    """``workers`` local processes (1: in one piece, in this process), or ``executor``'s workers (e.g.
    ``cutproof.scale.ray_executor.RayExecutor``); either way the output is the one a single pass writes."""

    workers: int = 1
    executor: SegmentExecutor | None = None

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")

    def kwargs(self) -> dict[str, Any]:
        """The ``workers``/``executor`` arguments of the editor's render functions and of ``embed_video``."""
        return {"workers": self.workers, "executor": self.executor}


ONE_PIECE = Segmented()
