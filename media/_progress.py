"""Progress of a render, reported to an optional callback in the calling process.

``Progress`` is ``progress(fraction)``: the fraction (0..1) of the output's source frames written. ``media.render``
reports it as its frame loop runs, ``media.render_parallel`` as each segment completes (weighted by its frames). The
values a render reports only increase, 1.0 comes last — just before the finished output is renamed into place — and
the callback runs in the process that called the render, never in a segment worker (it is not sent to one).

A callback that raises stops the render like any other error: the exception propagates unchanged and nothing is
left at the output path (a job's progress callback raises this way when the job is cancelled).
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[float], None]

STEP = 0.01  # report when the fraction has moved by at least this much since the last report (and at 1.0)


class Meter:
    """Reports ``done / total`` to ``progress`` (if any): increasing only, throttled to ``STEP``, 1.0 only by
    ``finish()``."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total = progress, max(1, total)
        self.last = 0.0

    def update(self, done: int) -> None:
        if self.progress is None:
            return
        fraction = min(done / self.total, 1.0)
        if fraction < 1.0 and fraction - self.last >= STEP:
            self.last = fraction
            self.progress(fraction)

    def finish(self) -> None:
        if self.progress is not None:
            self.last = 1.0
            self.progress(1.0)
