"""Checkpointing a SQLite write-ahead log in the background, off the commit path.

By default SQLite checkpoints inside a commit: the commit that takes the log past 1,000 pages copies them into the
database file and fsyncs it before it returns, while the writer lock is held. For a server whose every answer
waits for a commit, that is a stall of tens of milliseconds for every request in flight, about once a second under
load (measured in ``bench/api.py``). ``WalCheckpointer`` moves that work to a thread of its own that runs PASSIVE
checkpoints (they never wait for, or block, readers and writers) every ``interval`` seconds; commits then only
append to the log. Connections keep a distant automatic checkpoint as a safety net, so the log stays bounded if
the thread cannot keep up.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from sqlalchemy import Engine

from ledger.db import SQLITE_BUSY_TIMEOUT_MS, set_autocheckpoint, sqlite_file

SAFETY_NET_PAGES = 16_000  # ~64 MB of log with 4 KiB pages
INTERVAL_S = 0.2

log = logging.getLogger(__name__)


class WalCheckpointer:
    """A daemon thread that checkpoints one SQLite database's log; a no-op for other databases."""

    def __init__(self, engine: Engine, *, interval: float = INTERVAL_S) -> None:
        self.path = sqlite_file(engine)
        self.engine = engine
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0  # PASSIVE checkpoints that copied frames

    def start(self) -> WalCheckpointer:
        if self.path is None or self._thread is not None:
            return self
        set_autocheckpoint(self.engine, SAFETY_NET_PAGES)
        self._thread = threading.Thread(target=self._run, daemon=True, name="ledger-wal-checkpointer")
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout)
        self._thread = None
        set_autocheckpoint(self.engine, None)

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            _busy, _frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:  # e.g. another process is checkpointing: try again next time
            log.debug("WAL checkpoint of %s skipped: %s", self.path, exc)
            return
        if copied > 0:
            self.checkpoints += 1

    def _run(self) -> None:
        conn = sqlite3.connect(str(self.path), timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            while not self._stop.wait(self.interval):
                self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()
