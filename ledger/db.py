"""Opening a database for the ledger (and the rest of the workspace) with durability on.

SQLite runs in WAL mode with ``synchronous=FULL`` (every commit is fsynced) and a generous busy timeout so that
several processes can share one file; PostgreSQL runs with ``synchronous_commit=on``. Any SQLAlchemy URL works.

SQLite transactions are begun by SQLAlchemy itself (the driver's own implicit BEGIN is switched off, as in the
SQLAlchemy "serializable isolation / savepoints" recipe). A connection with the execution option
``sqlite_begin="IMMEDIATE"`` starts with ``BEGIN IMMEDIATE``: it takes the write lock up front, so two writers never
deadlock upgrading read locks (the ledger's appends use it); other transactions start with a plain ``BEGIN``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

SQLITE_BUSY_TIMEOUT_MS = 60_000
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

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_begin)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "")
            if mode not in ("", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
                raise ValueError(f"unknown sqlite_begin mode {mode!r}")
            conn.exec_driver_sql(f"BEGIN {mode}".strip())

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
