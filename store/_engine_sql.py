"""``store.sql``'s ``Database`` over a SQLAlchemy engine (PostgreSQL, or a SQLite engine the caller already holds).

Statements run at the driver level (``?`` becomes the driver's positional mark), without SQLAlchemy's statement
construction; on SQLite straight on the driver connection under the SQLAlchemy ``Connection`` (same connection,
same transaction), which costs less than SQLAlchemy's per-statement execution context. Transactions are
``store.db``'s: the writer lock and ``BEGIN IMMEDIATE`` on SQLite, REPEATABLE READ for PostgreSQL snapshots.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from store.db import sqlite_execute, writer_lock
from store.errors import BusyError, SqlError
from store.sql import Sql, classify

_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_ATTACHMENTS = "_store_attachments"


class _EngineSql:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.dialect = conn.dialect.name
        self._mark = _MARKS.get(conn.dialect.paramstyle)
        if self._mark is None:
            raise SqlError(
                f"the {self.dialect} driver uses {conn.dialect.paramstyle!r} parameters; plain SQL needs a driver "
                "with positional ones (SQLite's sqlite3, PostgreSQL's psycopg)"
            )

    @property
    def native(self) -> Connection:
        return self._conn

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            if self.dialect == "sqlite":
                cur = sqlite_execute(self._conn, sql, tuple(params))
                try:
                    return cur.fetchall()
                finally:
                    cur.close()
            return [tuple(r) for r in self._conn.exec_driver_sql(self._sql(sql), tuple(params)).all()]
        except DBAPIError as exc:
            raise classify(exc, str(exc.orig)) from exc

    def dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        try:
            if self.dialect == "sqlite":
                cur = sqlite_execute(self._conn, sql, tuple(params))
                try:
                    names = [d[0] for d in cur.description or ()]
                    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
                finally:
                    cur.close()
            return [dict(r) for r in self._conn.exec_driver_sql(self._sql(sql), tuple(params)).mappings()]
        except DBAPIError as exc:
            raise classify(exc, str(exc.orig)) from exc

    def run(self, sql: str, params: Any = (), *, many: bool = False) -> int:
        try:
            if self.dialect == "sqlite":
                cur = sqlite_execute(self._conn, sql, params, many=many)
                try:
                    return int(cur.rowcount)
                finally:
                    cur.close()
            return int(self._conn.exec_driver_sql(self._sql(sql), list(params) if many else params).rowcount)
        except DBAPIError as exc:
            raise classify(exc, str(exc.orig)) from exc

    def _sql(self, sql: str) -> str:
        return sql if self._mark == "?" else sql.replace("?", self._mark)  # type: ignore[arg-type]


class EngineDatabase:
    """A SQLAlchemy engine as a ``store.sql.Database``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.url = engine.url.render_as_string(hide_password=False)

    def __repr__(self) -> str:
        return f"EngineDatabase({self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def attachments(self) -> dict[str, Any]:
        """Kept on the engine, so every ``EngineDatabase`` of one engine shares them."""
        found: dict[str, Any] | None = getattr(self.engine, _ATTACHMENTS, None)
        if found is None:
            found = {}
            setattr(self.engine, _ATTACHMENTS, found)
        return found

    @contextmanager
    def read(self) -> Iterator[Sql]:
        conn = self.engine.connect()
        try:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield _EngineSql(conn)
        finally:
            conn.close()

    @contextmanager
    def write(self) -> Iterator[Sql]:
        """Errors the transaction's own writes raise through SQLAlchemy (a caller's rows written on ``native``, the
        commit) come out as ``store.errors`` too where they mean busy: the caller retries those whole."""
        try:
            with (
                writer_lock(self.engine),
                self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn,
                conn.begin(),
            ):
                yield _EngineSql(conn)
        except DBAPIError as exc:
            error = classify(exc, str(exc.orig))
            if isinstance(error, BusyError):
                raise error from exc
            raise
