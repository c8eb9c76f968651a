"""``DriverSelect`` gives exactly the rows SQLAlchemy gives for the same statement, on a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    text,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.types import TypeDecorator

from store.db import open_engine
from store.driver_select import DriverSelect


class Stamp(TypeDecorator[datetime]):
    """A type decorator with result processing, like the consent tables' UTC text."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> str | None:
        return None if value is None else value.isoformat()

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)


meta = MetaData()
things = Table(
    "things",
    meta,
    Column("id", Integer, primary_key=True),
    Column("owner", String(20), nullable=True),
    Column("flag", Boolean, nullable=True),
    Column("tags", JSON, nullable=True),
    Column("at", Stamp, nullable=True),
    Column("size", Integer, nullable=True),
)
owners = Table("owners", meta, Column("name", String(20), primary_key=True), Column("admin", Boolean))

BY_OWNER = select(things).where(things.c.owner == bindparam("owner")).order_by(things.c.id)
OWNED_BY = select(things).where(things.c.owner.in_(bindparam("names", expanding=True))).order_by(things.c.id)
OWNED_BY_OR_NONE = (
    select(things)
    .where(things.c.owner.in_(bindparam("names", expanding=True)) | things.c.owner.is_(None))
    .order_by(things.c.id)
)
BIG = select(things.c.id, things.c.tags).where(things.c.size > 100).order_by(things.c.id)  # a literal bind
JOINED = (
    select(things.c.id, owners.c.admin)
    .join_from(things, owners, things.c.owner == owners.c.name)
    .where(things.c.size >= bindparam("least"))
    .order_by(things.c.id)
)

row = st.fixed_dictionaries(
    {
        "owner": st.none() | st.sampled_from(["ann", "bob", "cy"]),
        "flag": st.none() | st.booleans(),
        "tags": st.none()
        | st.lists(st.text(max_size=5), max_size=3)
        | st.dictionaries(st.text(max_size=3), st.integers()),
        "at": st.none() | st.datetimes(timezones=st.just(UTC)),
        "size": st.none() | st.integers(-1000, 1000),
    }
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    e = open_engine(f"sqlite:///{Path(tmp_path_factory.mktemp('ds')) / 'ds.db'}")
    meta.create_all(e)
    yield e
    e.dispose()


def _fill(engine: Engine, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(things.delete())
        conn.execute(owners.delete())
        conn.execute(insert(owners), [{"name": "ann", "admin": True}, {"name": "bob", "admin": False}])
        if rows:
            conn.execute(insert(things), rows)


def _both(engine: Engine, stmt: Any, params: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with engine.connect() as conn:
        expected = [dict(r) for r in conn.execute(stmt, params).mappings()]
        got = DriverSelect(stmt).rows(conn, params)
    return got, expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, max_size=8), names=st.lists(st.sampled_from(["ann", "bob", "cy", "dee"]), max_size=3))
def test_same_rows_as_sqlalchemy(engine: Engine, rows: list[dict[str, Any]], names: list[str]) -> None:
    _fill(engine, rows)
    for stmt, params in (
        (BY_OWNER, {"owner": "ann"}),
        (OWNED_BY, {"names": names}),
        (OWNED_BY_OR_NONE, {"names": names}),  # an empty list still matches the rows without an owner
        (BIG, {}),
        (JOINED, {"least": 0}),
    ):
        got, expected = _both(engine, stmt, params)
        assert got == expected, stmt
        assert [type(v) for r in got for v in r.values()] == [type(v) for r in expected for v in r.values()]


def test_a_missing_parameter_is_refused(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(ValueError, match="required for bind parameter 'owner'"):
        DriverSelect(BY_OWNER).rows(conn, {})


def test_a_parameter_that_needs_bind_processing_is_refused(engine: Engine) -> None:
    stmt = select(things).where(things.c.at == bindparam("at", type_=Stamp))
    with engine.connect() as conn, pytest.raises(ValueError, match="needs bind processing"):
        DriverSelect(stmt).rows(conn, {"at": datetime.now(UTC)})


def test_database_errors_are_raised_as_sqlalchemy_raises_them(engine: Engine) -> None:
    gone = Table("gone", MetaData(), Column("id", Integer, primary_key=True))
    with engine.connect() as conn, pytest.raises(OperationalError, match="no such table: gone"):
        DriverSelect(select(gone)).rows(conn, {})


def test_reads_inside_the_callers_transaction(engine: Engine) -> None:
    _fill(engine, [])
    with engine.connect() as conn, conn.begin():
        conn.execute(text("INSERT INTO things (id, owner, size) VALUES (7, 'ann', 1)"))
        assert [r["id"] for r in DriverSelect(BY_OWNER).rows(conn, {"owner": "ann"})] == [7]  # uncommitted, seen
        conn.rollback()
    with engine.connect() as conn:
        assert DriverSelect(BY_OWNER).rows(conn, {"owner": "ann"}) == []
