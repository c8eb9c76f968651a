"""What every connection to a workspace's SQLite file shares, whichever layer opens it (``store.db``'s SQLAlchemy
engines, ``store.sql``'s plain driver connections): the pragmas that make it durable and shareable, and the
writer lock that queues writers on a lock file next to the database.

Writers to a SQLite file queue for it on ``<database>-writer.lock`` before ``BEGIN IMMEDIATE``: threads and
processes then wait in the kernel and take turns the moment the holder commits, where SQLite's own busy handler
would poll with sleeps of 1, 2, 5, 10… ms. The lock is a thread lock within one opener and ``flock`` across
openers and processes (each opener has its own open file, so two openers in one process exclude each other too).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

SQLITE_BUSY_TIMEOUT_MS = 60_000
WRITER_LOCK_SUFFIX = "-writer.lock"


def apply_pragmas(dbapi_conn: Any, autocheckpoint: int | None = None) -> None:
    """Durability and sharing on a new driver connection: WAL, ``synchronous=FULL`` (every commit fsynced), a
    generous busy timeout, foreign keys; ``autocheckpoint`` pages (None: SQLite's default of 1,000). The driver's
    own implicit BEGIN is switched off: the opener begins every transaction itself."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    if autocheckpoint is not None:
        cur.execute(f"PRAGMA wal_autocheckpoint={int(autocheckpoint)}")
    cur.close()
    dbapi_conn.isolation_level = None


def writer_lock_path(db_file: Path) -> Path:
    return db_file.with_name(db_file.name + WRITER_LOCK_SUFFIX)


class WriterLock:
    """Mutual exclusion among the writers of one SQLite file: a thread lock within this opener, ``flock`` on the
    lock file across openers and processes (the file is reopened after a fork, so parent and child never share its
    lock; it is closed when the opener is collected)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread_lock = threading.Lock()
        self._file: BinaryIO | None = None
        self._pid = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            if self._file is None or self._pid != os.getpid():
                self._file = open(self.path, "ab")  # noqa: SIM115 - kept open for the opener's lifetime
                self._pid = os.getpid()
            fd = self._file.fileno()
            fcntl.flock(fd, fcntl.LOCK_EX)  # blocks in the kernel, without the GIL
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
