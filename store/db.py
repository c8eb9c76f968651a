"""Opening a database for the ledger (and the rest of the workspace) with durability on.

SQLite runs in WAL mode with ``synchronous=FULL`` (every commit is fsynced) and a generous busy timeout so that
several processes can share one file; PostgreSQL runs with ``synchronous_commit=on``. Any SQLAlchemy URL works.

SQLite transactions are begun by SQLAlchemy itself (the driver's own implicit BEGIN is switched off, as in the
SQLAlchemy "serializable isolation / savepoints" recipe). A connection with the execution option
``sqlite_begin="IMMEDIATE"`` starts with ``BEGIN IMMEDIATE``: it takes the write lock up front, so two writers never
deadlock upgrading read locks (the ledger's appends use it); other transactions start with a plain ``BEGIN``.

Writers to a SQLite file queue for it on a lock file next to it (``writer_lock``) before ``BEGIN IMMEDIATE``:
threads and processes then wait in the kernel and take turns the moment the holder commits, where SQLite's own
busy handler would poll with sleeps of 1, 2, 5, 10… ms (the tail latency of several server processes sharing one
file).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

from store._sqlite import (  # noqa: F401 - WRITER_LOCK_SUFFIX re-exported
    SQLITE_BUSY_TIMEOUT_MS,
    WRITER_LOCK_SUFFIX,
    WriterLock,
    apply_pragmas,
    writer_lock_path,
)

SQLITE_POOL_SIZE = 48


def open_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with the ledger's durability settings applied to every connection."""
    if url.startswith("sqlite"):
        if "poolclass" not in kwargs and ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
            # Keep up to SQLITE_POOL_SIZE connections open: a connection past the default pool of 5 would be
            # closed on return and reopened (with its pragmas) by the next request of a busy server.
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", SQLITE_POOL_SIZE)
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)
        db_file = sqlite_file(engine)
        if db_file is not None:
            setattr(engine, _WRITER_ATTR, WriterLock(writer_lock_path(db_file)))

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            apply_pragmas(dbapi_conn, getattr(engine, _AUTOCHECKPOINT_ATTR, None))  # SQLAlchemy emits BEGIN itself

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "")
            if mode not in ("", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
                raise ValueError(f"unknown sqlite_begin mode {mode!r}")
            # straight to the driver: every transaction of the workspace (several per API request) begins here, and
            # SQLAlchemy's execution path would cost more than the statement itself
            conn.connection.dbapi_connection.execute(f"BEGIN {mode}".strip())

        return engine
    if url.startswith("postgresql"):
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _pg_durable(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("SET synchronous_commit TO on")
            cur.close()
            dbapi_conn.commit()

        return engine
    return create_engine(url, **kwargs)


def sqlite_execute(conn: Connection, sql: str, params: Any, *, many: bool = False) -> sqlite3.Cursor:
    """Run ``sql`` (``?`` placeholders; ``many``: a list of parameter tuples) on the SQLite driver connection under
    ``conn``: the same connection and transaction, without SQLAlchemy's per-statement execution context (which
    costs more than a primary-key lookup). Database errors are raised as SQLAlchemy raises them (``IntegrityError``,
    ``OperationalError``, …). The caller closes the cursor."""
    driver = conn.connection.driver_connection
    try:
        return driver.executemany(sql, params) if many else driver.execute(sql, params)  # type: ignore[union-attr]
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a SQLite engine (None for other databases and in-memory ones)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve()


_AUTOCHECKPOINT_ATTR = "_ledger_wal_autocheckpoint"


def set_autocheckpoint(engine: Engine, pages: int | None) -> None:
    """Make the engine's connections checkpoint their write-ahead log at ``pages`` (None: SQLite's default of
    1,000); the pooled connections are replaced, so every connection handed out from now on has it."""
    setattr(engine, _AUTOCHECKPOINT_ATTR, pages)
    engine.dispose()


_WRITER_ATTR = "_ledger_writer_lock"


@contextmanager
def writer_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's writer lock (SQLite files opened by ``open_engine``; elsewhere there is nothing to hold:
    the database server queues writers itself)."""
    lock: WriterLock | None = getattr(engine, _WRITER_ATTR, None)
    if lock is None:
        yield
        return
    with lock.held():
        yield
