"""Progress of a render, reported to an optional callback in the calling process.

``Progress`` is ``progress(fraction)``: the fraction (0..1) of the output's source frames written. ``media.render``
reports it as its frame loop runs, ``media.render_parallel`` from the frames its running segment tasks have written
(each task keeps a tally the calling process polls; where tasks run inside ``submit``, as each segment completes). The
values a render reports only increase, 1.0 comes last — just before the finished output is renamed into place — and
the callback runs in the process that called the render, never in a segment worker (it is not sent to one).

A callback that raises stops the render like any other error: the exception propagates unchanged and nothing is
left at the output path (a job's progress callback raises this way when the job is cancelled).

``Stages`` splits one callback over the steps of a longer piece of work — an edit's preparation (a clean plate
estimated, faces tracked, a grade fitted) and then its render, or a label's disclosure, watermark and signing passes
— each given its share of the whole (its expected cost, e.g. in frame-equivalents of the render); the whole
reports the same way: increasing, 1.0 only as the last stage completes.
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


class Stages:
    """``progress`` split into consecutive stages, in the order their ``shares`` are given (numbers at least 0 with a
    positive sum: each stage's part of the whole is its share over their sum; a stage of share 0 moves nothing).

    ``at(name, fraction)`` reports that ``fraction`` of stage ``name`` is done; ``part(name)`` is the same as a
    ``Progress`` callback, to hand to a render that runs as that stage. What reaches ``progress`` only increases
    (values at or below the last one are dropped), and 1.0 only when the last stage reports 1.0.
    """

    def __init__(self, progress: Progress | None, **shares: float) -> None:
        total = sum(shares.values())
        if any(not v >= 0 for v in shares.values()) or not total > 0:
            raise ValueError(f"stage shares must be at least 0 and add up to more than 0 (got {shares})")
        self.progress, self.last = progress, 0.0
        self.span: dict[str, tuple[float, float]] = {}
        lo = 0.0
        for name, share in shares.items():
            self.span[name] = (lo, lo + share / total)
            lo += share / total
        self.final = name

    def at(self, name: str, fraction: float = 0.0) -> None:
        if self.progress is None:
            return
        lo, hi = self.span[name]
        fraction = min(max(fraction, 0.0), 1.0)
        value = 1.0 if name == self.final and fraction >= 1.0 else min(lo + (hi - lo) * fraction, _BELOW_ONE)
        if value > self.last:
            self.last = value
            self.progress(value)

    def part(self, name: str) -> Progress | None:
        if self.progress is None:
            return None
        if name not in self.span:
            raise KeyError(name)
        return lambda fraction: self.at(name, fraction)


_BELOW_ONE = 1.0 - 1e-9  # what a stage other than the last may reach at most
