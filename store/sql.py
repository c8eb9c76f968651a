"""Plain SQL on the workspace database, with SQLAlchemy loaded only where a SQLite file is not enough.

A ``Database`` hands out transactions; inside one, a ``Sql`` runs statements written once, with ``?`` placeholders,
and returns rows as tuples. Two implementations:

- ``SqliteFile``: a SQLite file through the standard library's driver. Nothing else is imported, so a command that
  only reads or appends to the ledger starts without SQLAlchemy (about 0.3 s of imports on a small machine). Its
  connections get the same pragmas and its writers the same lock file as ``store.db``'s engines
  (``store._sqlite``), so both can share one file, in one process or several.
- ``EngineDatabase`` (``store._engine_sql``): any SQLAlchemy engine, PostgreSQL among them. Its ``Sql.native`` is
  the SQLAlchemy ``Connection``, for callers that write their own rows in the same transaction.

Transactions::

    with db.read() as sql:   one consistent snapshot (SQLite's read transactions are; PostgreSQL: REPEATABLE READ)
    with db.write() as sql:  the writer lock, then BEGIN IMMEDIATE on SQLite; commits when the block ends, rolls
                             back on an exception

Errors (``store.errors``): a refused constraint is ``ConstraintError``; a locked database, a deadlock or a
serialization failure (worth retrying the whole transaction) is ``BusyError``; anything else the driver reports is
``SqlError`` with the driver's message.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence, Set
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from store._sqlite import SQLITE_BUSY_TIMEOUT_MS, WriterLock, apply_pragmas, writer_lock_path
from store.errors import BusyError, ConstraintError, SqlError


class Sql(Protocol):
    """One connection inside one open transaction."""

    dialect: str
    """``sqlite``, ``postgresql``, … (SQLAlchemy's dialect names)."""

    @property
    def native(self) -> Any:
        """The underlying connection (a SQLAlchemy ``Connection`` for engines, ``sqlite3.Connection`` here)."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row of a query (``?`` placeholders)."""

    def dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Every row of a query as a dict of column name to value (names as the query's result columns)."""

    def run(self, sql: str, params: Any = (), *, many: bool = False) -> int:
        """Run a write statement (``many``: ``params`` is a list of parameter tuples); the rows it touched."""


@runtime_checkable
class Database(Protocol):
    """A database that hands out read and write transactions (see the module docstring)."""

    dialect: str
    url: str
    """Its URL in SQLAlchemy's form, password included (for worker processes that open it again)."""

    def read(self) -> Any:
        """Context manager: one consistent read snapshot, yielding a ``Sql``."""

    def write(self) -> Any:
        """Context manager: one write transaction, yielding a ``Sql``; commits at the end of the block."""

    @property
    def attachments(self) -> dict[str, Any]:
        """Per-database state of its users (one dict for every opener of the same engine or file object)."""


def classify(exc: Exception, message: str) -> SqlError:
    """The store error for a driver error: constraint, busy (retry the transaction) or other."""
    text = message.lower()
    if "constraint" in text or "unique" in text or "duplicate key" in text or "foreign key" in text:
        return ConstraintError(message)
    if "locked" in text or "deadlock" in text or "serializ" in text or "could not obtain lock" in text:
        return BusyError(message)
    return SqlError(message)


class _SqliteSql:
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @property
    def native(self) -> sqlite3.Connection:
        return self._conn

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.IntegrityError as exc:
            raise ConstraintError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise classify(exc, str(exc)) from exc

    def dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        try:
            cur = self._conn.execute(sql, tuple(params))
            names = [d[0] for d in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        except sqlite3.IntegrityError as exc:
            raise ConstraintError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise classify(exc, str(exc)) from exc

    def run(self, sql: str, params: Any = (), *, many: bool = False) -> int:
        try:
            cur = self._conn.executemany(sql, params) if many else self._conn.execute(sql, params)
            return int(cur.rowcount)
        except sqlite3.IntegrityError as exc:
            raise ConstraintError(str(exc)) from exc
        except sqlite3.Error as exc:
            raise classify(exc, str(exc)) from exc


class SqliteFile:
    """A SQLite database file through the standard library's driver (see the module docstring).

    Connections are opened on demand and kept for reuse (one per transaction in progress, so a read may open while
    another is open in the same thread); each has ``store._sqlite``'s pragmas.
    """

    dialect = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).resolve()
        self.url = f"sqlite:///{self.path}"
        self._lock = WriterLock(writer_lock_path(self.path))
        self._idle: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._attachments: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"SqliteFile({str(self.path)!r})"

    @property
    def attachments(self) -> dict[str, Any]:
        return self._attachments

    def _take(self) -> sqlite3.Connection:
        with self._guard:
            if self._idle:
                return self._idle.pop()
        if not self.path.is_file():
            raise SqlError(f"no database file at {self.path}: check the path, or create the database first")
        conn = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        apply_pragmas(conn)
        return conn

    def _give(self, conn: sqlite3.Connection) -> None:
        if conn.in_transaction:  # never hand out a connection left inside a transaction
            conn.close()
            return
        with self._guard:
            self._idle.append(conn)

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Sql]:
        conn = self._take()
        try:
            try:
                conn.execute(begin)
            except sqlite3.Error as exc:
                raise classify(exc, str(exc)) from exc
            try:
                yield _SqliteSql(conn)
            except BaseException:
                conn.rollback()
                raise
            if begin == "BEGIN":
                conn.rollback()  # a read: nothing to keep, and ending it is cheaper than a commit
            else:
                try:
                    conn.commit()
                except sqlite3.Error as exc:
                    conn.rollback()
                    raise classify(exc, str(exc)) from exc
        finally:
            self._give(conn)

    @contextmanager
    def read(self) -> Iterator[Sql]:
        with self._transaction("BEGIN") as sql:
            yield sql

    @contextmanager
    def write(self) -> Iterator[Sql]:
        with self._lock.held(), self._transaction("BEGIN IMMEDIATE") as sql:
            yield sql

    def close(self) -> None:
        """Close the idle connections (transactions in progress keep theirs)."""
        with self._guard:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///PATH`` URL; None for other databases, in-memory ones and URLs with options."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or "?" in url:
        return None
    path = url[len(prefix) :]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


def open_database(url: str) -> Database:
    """A ``Database`` for ``url``: a SQLite file through the standard library, anything else through a SQLAlchemy
    engine with ``store.db``'s durability settings."""
    path = sqlite_path(url)
    if path is not None:
        return SqliteFile(path)
    from store._engine_sql import EngineDatabase  # SQLAlchemy: loaded only for databases that need it
    from store.db import open_engine

    return EngineDatabase(open_engine(url))


def as_database(db: Any) -> Database:
    """``db`` as a ``Database``: one already is; a SQLAlchemy ``Engine`` is wrapped (``EngineDatabase``), once per
    engine: stores made per request on an engine (``RequestStore``, ``Catalogue``) share the wrapper."""
    wrapped = getattr(db, _WRAPPED, None)
    if wrapped is not None:
        return wrapped  # type: ignore[no-any-return]
    if isinstance(db, Database):
        return db
    from store._engine_sql import EngineDatabase  # only callers that hold an engine get here: it is loaded already

    wrapped = EngineDatabase(db)
    setattr(db, _WRAPPED, wrapped)
    return wrapped


_WRAPPED = "_store_database"


def decode_columns(
    dialect: str, row: dict[str, Any], *, times: Set[str] = frozenset(), json_columns: Set[str] = frozenset()
) -> dict[str, Any]:
    """A row read as plain SQL (``Sql.dicts``) from a table whose columns SQLAlchemy types, with the values
    SQLAlchemy would give (in place; returned):

    - ``times`` (``DateTime``): aware datetimes. SQLite holds SQLAlchemy's text ``2026-12-03 14:26:03.123456``,
      without a zone, which is UTC (every time is stored as UTC), PostgreSQL's driver gives them aware already;
    - ``json_columns`` (``JSON``): decoded values. SQLite holds the JSON text (SQLAlchemy writes None as JSON
      ``null``, which reads back as None); other drivers (psycopg) decode them themselves.
    """
    for name in times:
        value = row.get(name)
        if value is not None:
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            row[name] = value if value.tzinfo else value.replace(tzinfo=UTC)
    if dialect == "sqlite":
        for name in json_columns:
            value = row.get(name)
            if isinstance(value, str):
                row[name] = json.loads(value)
    return row
