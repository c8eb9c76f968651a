"""Checkpointing a SQLite write-ahead log in the background, off the commit path.

By default SQLite checkpoints inside a commit: the commit that takes the log past 1,000 pages copies them into the
database file and fsyncs it before it returns, while the writer lock is held. For a server whose every answer
waits for a commit, that is a stall of tens of milliseconds for every request in flight, about once a second under
load (measured in ``bench/api.py``). ``WalCheckpointer`` moves that work to a thread of its own that runs PASSIVE
checkpoints (they never wait for, or block, readers and writers) every ``interval`` seconds; commits then only
append to the log. Connections keep a distant automatic checkpoint as a safety net, so the log stays bounded if
the thread cannot keep up.

A log that some reader is always inside (a busy server) is never started over by SQLite itself, so it would grow
without end; once it passes ``RESTART_FRAMES`` and is fully copied, the thread takes the writer lock and runs a
RESTART checkpoint, waiting at most ``RESTART_WAIT_S`` for the readers to leave (else it tries again later).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from sqlalchemy import Engine

from store.db import set_autocheckpoint, sqlite_file, writer_lock

SAFETY_NET_PAGES = 16_000  # ~64 MB of log with 4 KiB pages
RESTART_FRAMES = 2_000  # ~8 MB: past this, a fully copied log is started over
RESTART_WAIT_S = 0.01  # the longest a restart holds writers up waiting for readers
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
        self.restarts = 0  # times the log was started over

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
            busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if copied > 0:
                self.checkpoints += 1
            if not busy and frames >= RESTART_FRAMES and copied == frames:
                # Everything is in the database file, but a log with a reader in it at every moment (a busy
                # server) is never started over: it would grow without end. With the writer lock held, RESTART
                # waits the few milliseconds until no reader is in the log, and the next commit writes from its
                # start again, over the same file (no growth, no file-size change to journal).
                with writer_lock(self.engine):
                    restarted = not conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()[0]
                self.restarts += restarted
        except sqlite3.Error as exc:  # e.g. another process is checkpointing: try again next time
            log.debug("WAL checkpoint of %s skipped: %s", self.path, exc)

    def _run(self) -> None:
        # A short busy timeout: RESTART holds the writer lock while it waits for readers to leave the log, so a
        # long read (an audit, fsck) must make it give up for now rather than hold every writer up.
        conn = sqlite3.connect(str(self.path), timeout=RESTART_WAIT_S, isolation_level=None)
        try:
            while not self._stop.wait(self.interval):
                self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()
