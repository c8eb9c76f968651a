"""Durable jobs and the embedded worker pool.

The job interface is deliberately narrow so that a distributed engine (e.g. Ray) can run the same jobs later: a
job is a ``kind`` plus a JSON ``payload``; a handler is a function ``(JobContext, payload) -> result`` registered
for that kind. Everything a handler needs to resume after a crash lives in the job row: handlers run as a list
of named steps, and each finished step's JSON output is saved (``JobContext.step``), so a restarted job skips
what was already done and never repeats a step that has side effects which completed.

States: ``queued`` → ``running`` → ``succeeded`` | ``failed`` | ``cancelled``. A worker claims a job with a
compare-and-swap update and holds a lease it renews while working; a job whose lease expired (its worker died) is
claimed again and resumes at its first unfinished step, up to ``max_attempts`` times, then fails.

This module holds the side that runs jobs (``JobContext``, ``WorkerPool``, ``run_claimed``, the ``Handler`` type and
the ``JobCancelled``/``LeaseLost`` signals). The durable table — ``JobQueue``, ``jobs_table``, ``JobError``,
``JobNotFoundError``, ``TERMINAL``, ``LEASE``, ``MAX_ATTEMPTS`` — lives in ``cutproof.core._job_queue`` and is
re-exported here: import every name from this module.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from cutproof.core._job_queue import (  # noqa: F401 - re-exported: the job table is part of this module's surface
    _INSERT_JOB,
    LEASE,
    MAX_ATTEMPTS,
    TERMINAL,
    GivenUp,
    JobError,
    JobNotFoundError,
    JobQueue,
    _aware,
    _now,
    _to_job,
    jobs_table,
)
from cutproof.core.models import Job

log = logging.getLogger(__name__)


class JobCancelled(Exception):
    """Raised inside a handler when cancellation was requested."""


class LeaseLost(Exception):
    """Another worker took the job over (this one stalled past its lease)."""


Handler = Callable[["JobContext", Mapping[str, Any]], dict[str, Any]]


class CleaningHandler:
    """A handler whose kind leaves files behind that must not outlive a job given up on: ``run`` is the handler,
    ``given_up(job)`` cleans up after a job the queue failed because its workers were lost ``max_attempts`` times
    (no handler ran to end it, so nothing else would)."""

    def __init__(self, run: Handler, given_up: GivenUp) -> None:
        self.run = run
        self.given_up = given_up

    def __call__(self, ctx: JobContext, payload: Mapping[str, Any]) -> dict[str, Any]:
        return self.run(ctx, payload)


def given_up_hook(handlers: Mapping[str, Handler]) -> GivenUp:
    """The ``on_given_up`` a worker passes to ``JobQueue.claim``: runs the job kind's ``CleaningHandler.given_up``.
    A clean-up that raises is logged and goes no further: the job is failed either way."""

    def hook(job: Job) -> None:
        handler = handlers.get(job.kind)
        if isinstance(handler, CleaningHandler):
            try:
                handler.given_up(job)
            except Exception:  # pragma: no cover - a clean-up is best effort; the failure is recorded already
                log.exception("clean-up of job %s, given up, failed", job.job_id)

    return hook


class JobContext:
    """What a handler sees: its job, progress reporting, cancellation and resumable steps."""

    def __init__(self, queue: JobQueue, job: Job, owner: str) -> None:
        self.queue = queue
        self.job = job
        self.owner = owner
        self._steps: dict[str, Any] = dict(job.steps)

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress (0..1), renew the lease, and raise ``JobCancelled`` if cancellation was requested."""
        ok = self.queue._update(
            self.job.job_id,
            self.owner,
            progress=max(0.0, min(1.0, fraction)),
            message=message,
            lease_expires=_now() + self.queue.lease,
        )
        if not ok:
            raise LeaseLost(self.job.job_id)
        self.check_cancelled()

    def check_cancelled(self) -> None:
        if self.queue.get(self.job.job_id).cancel_requested:
            raise JobCancelled(self.job.job_id)

    @contextmanager
    def keepalive(self, every: float | None = None) -> Iterator[None]:
        """Renew the lease from a background thread while a long call that reports no progress runs.

        Raises:
            LeaseLost: another worker took the job over meanwhile (raised when the block ends).
        """
        period = every or max(0.2, self.queue.lease.total_seconds() / 3)
        stop, lost = threading.Event(), threading.Event()

        def beat() -> None:
            while not stop.wait(period):
                if not self.queue._update(self.job.job_id, self.owner, lease_expires=_now() + self.queue.lease):
                    lost.set()
                    return

        thread = threading.Thread(target=beat, daemon=True, name=f"cutproof-lease-{self.job.job_id[:8]}")
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
        if lost.is_set():
            raise LeaseLost(self.job.job_id)

    def done(self, name: str) -> Any | None:
        """The saved output of step ``name`` if it already finished in an earlier attempt, else None."""
        return self._steps.get(name)

    def step(self, name: str, fn: Callable[[], Any]) -> Any:
        """Run step ``name`` unless it already finished; save its JSON output before moving on."""
        if name in self._steps:
            return self._steps[name]
        out = fn()
        self._steps[name] = json.loads(json.dumps(out))
        if not self.queue._update(
            self.job.job_id, self.owner, steps=dict(self._steps), lease_expires=_now() + self.queue.lease
        ):
            raise LeaseLost(self.job.job_id)
        return self._steps[name]


class WorkerPool:
    """Threads inside the server that claim and run jobs (the embedded default)."""

    def __init__(
        self, queue: JobQueue, handlers: Mapping[str, Handler], *, workers: int = 2, poll_seconds: float = 0.2
    ) -> None:
        self.queue = queue
        self.handlers = dict(handlers)
        self._given_up = given_up_hook(self.handlers)
        self.workers = workers
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._base_owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def start(self) -> None:
        for i in range(self.workers):
            t = threading.Thread(
                target=self._loop, args=(f"{self._base_owner}:{i}",), daemon=True, name=f"cutproof-worker-{i}"
            )
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()

    def run_one(self, owner: str | None = None) -> Job | None:
        """Claim and run one job in the calling thread (used by the CLI and tests); None if nothing was runnable."""
        owner = owner or f"{self._base_owner}:inline"
        job = self.queue.claim(owner, list(self.handlers), on_given_up=self._given_up)
        if job is None:
            return None
        self._run(job, owner)
        return self.queue.get(job.job_id)

    def _loop(self, owner: str) -> None:
        while not self._stop.is_set():
            try:
                job = self.queue.claim(owner, list(self.handlers), on_given_up=self._given_up)
            except Exception:  # pragma: no cover - database hiccup; try again
                job = None
            if job is None:
                self._stop.wait(self.poll_seconds)
                continue
            self._run(job, owner)

    def _run(self, job: Job, owner: str) -> None:
        run_claimed(self.queue, self.handlers, job, owner)


def run_claimed(queue: JobQueue, handlers: Mapping[str, Handler], job: Job, owner: str) -> None:
    """Run a job ``owner`` has claimed with its registered handler and record the outcome (succeeded, failed,
    cancelled) — unless the lease was lost meanwhile, in which case the job is left to whoever holds it now. Shared
    by the embedded ``WorkerPool`` and the distributed engine (``cutproof.scale``)."""
    ctx = JobContext(queue, job, owner)
    try:
        ctx.check_cancelled()
        result = handlers[job.kind](ctx, job.payload)
    except JobCancelled:
        queue._update(job.job_id, owner, state="cancelled", message="cancelled", lease_owner=None)
    except LeaseLost:
        return
    except Exception as exc:
        queue._update(
            job.job_id,
            owner,
            state="failed",
            error=f"{type(exc).__name__}: {exc}",
            message="failed",
            lease_owner=None,
        )
    else:
        queue._update(
            job.job_id, owner, state="succeeded", progress=1.0, message="done", result=result, lease_owner=None
        )
