"""One render-job worker pool per workspace when the API runs as several processes.

Every server process runs an ``ElectedPool``; the one that holds the lock file ``<home>/job-pool.lock`` runs the
worker pool, and the others wait to take over if it exits. The pool is the in-process ``WorkerPool``, or the dispatcher
to a Ray cluster (``cutproof.scale``) (the lock goes with the process, however it ends). Job
claims are compare-and-swaps, so two pools would still never run one job twice; the election keeps renders, which
use every core they get, from running once per server process.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable

from cutproof.scale.engine import Runner

LOCK_NAME = "job-pool.lock"
POLL_SECONDS = 0.5


class ElectedPool:
    """Runs ``make_pool()``'s pool while this process holds the workspace's job-pool lock."""

    def __init__(self, lock_path: os.PathLike[str] | str, make_pool: Callable[[], Runner]) -> None:
        self.lock_path = lock_path
        self._make_pool = make_pool
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="cutproof-pool-election")
        self._fd: int | None = None
        self.pool: Runner | None = None

    @property
    def leading(self) -> bool:
        """Whether this process runs the workspace's worker pool now."""
        return self.pool is not None

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while not self._stop.is_set():
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    self._stop.wait(POLL_SECONDS)
                    continue
                pool = self.pool = self._make_pool()
                pool.start()
                self._stop.wait()
                pool.stop()
                self.pool = None
        finally:
            os.close(fd)  # releases the lock for the next process
