"""The registry's rows through plain SQL (``store.sql``): how values are stored, and the statement shapes it runs.

The tables are defined once, in ``consent._tables`` (SQLAlchemy Core: the schema, the migrations). The registry
itself reads and writes them as plain SQL, so a command that only reads consent loads no SQLAlchemy. How a value is
stored, the same on SQLite and PostgreSQL (a test checks these column sets against the Core tables' types):

- times: fixed-width UTC text, ``2026-11-23T20:55:26.123456Z`` (``records.format_utc``), both ways;
- JSON: written as JSON text; SQLite reads it back as that text, PostgreSQL's driver decodes it; SQL NULL and a
  JSON ``null`` (what SQLAlchemy writes for None) both read as None;
- booleans: SQLite reads them back as 0 or 1.

Statements use ``?`` placeholders (``store.sql`` adapts them to the driver). Table and column names are never taken
from input: every name here is a constant of this package.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from records import format_utc, parse_utc
from store.sql import Sql

PERFORMERS = "consent_performers"
GRANTS = "consent_grants"
EVENTS = "consent_events"
DOCUMENTS = "consent_documents"
PENDING = "consent_pending"

TIME_COLUMNS = frozenset(
    {
        "died_at",
        "recorded_at",
        "signed_at",
        "notice_given_at",
        "valid_from",
        "valid_until",
        "effective_at",
        "end_at",
        "first_recorded_at",
        "created_at",
    }
)
JSON_COLUMNS = frozenset(
    {"edit_kinds", "purposes", "shots", "scenes", "languages", "categories", "record", "entry", "rows"}
)
BOOL_COLUMNS = frozenset({"guild_member", "minor", "deceased", "separately_signed", "strike"})


def decode(dialect: str, row: dict[str, Any]) -> dict[str, Any]:
    """A row as read (``Sql.dicts``) with its values as the registry uses them: aware datetimes, JSON values,
    booleans."""
    for name, value in row.items():
        if value is None:
            continue
        if name in TIME_COLUMNS:
            row[name] = parse_utc(value)
        elif name in JSON_COLUMNS:
            if dialect == "sqlite":  # other drivers (psycopg) decode JSON columns themselves
                row[name] = json.loads(value)
        elif name in BOOL_COLUMNS:
            row[name] = bool(value)
    return row


def encode(name: str, value: Any) -> Any:
    """A value as it is written to column ``name``."""
    if value is None:
        return None
    if name in TIME_COLUMNS:
        if not isinstance(value, datetime):
            raise TypeError(f"column {name} holds a time; got {value!r}")
        return format_utc(value)
    if name in JSON_COLUMNS:
        return json.dumps(value)
    return value


def marks(n: int) -> str:
    """``?, ?, …`` for an ``IN`` list of ``n`` values (``n`` ≥ 1)."""
    if n < 1:
        raise ValueError("an IN list needs at least one value")
    return ", ".join("?" * n)


def select(
    sql: Sql, table: str, where: str, params: Sequence[Any] = (), *, order: str | None = None
) -> list[dict[str, Any]]:
    """Every column of the rows of ``table`` that match ``where`` (SQL with ``?`` placeholders), decoded."""
    text = f"SELECT * FROM {table} WHERE {where}" + (f" ORDER BY {order}" if order else "")
    return [decode(sql.dialect, r) for r in sql.dicts(text, params)]


def exists(sql: Sql, table: str, where: str, params: Sequence[Any]) -> bool:
    """Whether any row of ``table`` matches ``where``."""
    return bool(sql.rows(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1", params))


def insert(sql: Sql, table: str, values: Mapping[str, Any]) -> None:
    """Insert one row (values as the registry holds them; encoded here).

    Raises:
        store.errors.ConstraintError: a key or constraint refused the row.
    """
    names = list(values)
    text = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks(len(names))})"
    sql.run(text, tuple(encode(n, values[n]) for n in names))
