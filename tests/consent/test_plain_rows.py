"""The registry's plain-SQL rows (``consent._sql``) against the tables' SQLAlchemy definitions (``consent._tables``).

The registry reads and writes its tables as plain SQL; the schema and the migrations use the Core tables. These
tests hold the two to one meaning: the same columns hold times, JSON and booleans; a row either side writes, the
other reads back identically; and a registry on the standard library's SQLite driver sees what one on an engine
sees, on one file.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import JSON, Boolean, insert, select

from consent import ConsentRegistry, Performer, RegistryReader
from consent import _sql as q
from consent import _tables as t
from cutproof.core.workspace import Workspace
from ledger import Log
from store.sql import SqliteFile
from tests.consent.conftest import grant_kwargs, ts


def test_the_value_columns_are_the_core_tables_own() -> None:
    kinds: dict[str, set[str]] = {"time": set(), "json": set(), "bool": set()}
    for table in t.metadata.sorted_tables:
        for col in table.columns:
            if isinstance(col.type, t.UTCText):
                kinds["time"].add(col.name)
            elif isinstance(col.type, JSON):
                kinds["json"].add(col.name)
            elif isinstance(col.type, Boolean):
                kinds["bool"].add(col.name)
    assert kinds == {"time": q.TIME_COLUMNS, "json": q.JSON_COLUMNS, "bool": q.BOOL_COLUMNS}
    assert {q.PERFORMERS, q.GRANTS, q.EVENTS, q.DOCUMENTS, q.PENDING} == set(t.metadata.tables)
    every = [c.name for tbl in t.metadata.sorted_tables for c in tbl.columns]
    assert all(name.isidentifier() for name in every)  # the statements name columns, never quote them


def test_rows_written_as_plain_sql_read_back_through_sqlalchemy(
    workspace: Workspace, registry: ConsentRegistry, alice: Performer
) -> None:
    g = registry.grant(alice.performer_id, **grant_kwargs(valid_until=ts("2027-01-01"), languages=["fr", "de"]))
    with workspace.engine.connect() as conn:
        core = dict(conn.execute(select(t.grants).where(t.grants.c.grant_id == g.grant_id)).one()._mapping)
    with registry.db.read() as sql:
        (plain,) = q.select(sql, q.GRANTS, "grant_id = ?", (g.grant_id,))
    assert plain == core
    assert core["languages"] == ["fr", "de"] and core["separately_signed"] is True
    assert core["valid_until"] == ts("2027-01-01")


def test_rows_sqlalchemy_wrote_read_back_as_plain_sql(
    workspace: Workspace, registry: ConsentRegistry, alice: Performer
) -> None:
    """Rows of a database written before the registry moved to plain SQL: SQLAlchemy stored None in a JSON column
    as JSON ``null`` and booleans as 0/1."""
    row: dict[str, Any] = {
        "event_id": "sus_written_by_core", "project": registry.project, "event_kind": "suspended", "grant_id": None,
        "performer_id": alice.performer_id, "suspension_id": "sus_written_by_core", "effective_at": ts("2026-05-01"),
        "end_at": None, "categories": None, "strike": False, "record": None, "reason": "written by Core",
        "salt": "00" * 16, "recorded_at": ts("2026-05-01T10:00:00"), "identity": "test", "ledger_index": 99,
        "leaf_hash": "ab" * 32,
    }  # fmt: skip
    with workspace.engine.begin() as conn:
        conn.execute(insert(t.events).values(**row))
        stored = conn.exec_driver_sql(
            "SELECT categories, strike FROM consent_events WHERE event_id = 'sus_written_by_core'"
        ).one()
    assert tuple(stored) == ("null", 0)  # what the plain reader must understand
    with registry.db.read() as sql:
        (back,) = q.select(sql, q.EVENTS, "event_id = ?", ("sus_written_by_core",))
    assert back == row


def test_a_reader_on_the_sqlite_driver_sees_what_the_engine_registry_wrote(
    workspace: Workspace, registry: ConsentRegistry, log: Log, alice: Performer
) -> None:
    g = registry.grant(alice.performer_id, **grant_kwargs())
    registry.revoke(g.grant_id, reason="withdrawn", effective_at=ts("2026-05-01"))
    strike = registry.suspend(None, reason="strike", start=ts("2026-07-14"))
    registry.lift_suspension(strike.suspension_id, reason="over", end=ts("2026-08-01"))
    plain = RegistryReader(SqliteFile(workspace.home / "cutproof.db"), workspace.blobs, log)
    for at in (ts("2026-04-30"), ts("2026-05-01"), ts("2026-07-20"), ts("2026-09-01")):
        assert plain.state_at(None, at) == registry.state_at(None, at)
    cov = plain.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-04-30"))
    assert cov == registry.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-04-30"))
    assert cov.covered and cov.verify(log.verifier_keys()) == 5
    assert plain.history(g.grant_id) == registry.history(g.grant_id)
    assert plain.document(g.document_sha256) == registry.document(g.document_sha256)
    assert "sqlalchemy" not in type(plain.db).__module__


def test_a_reader_given_how_to_open_the_log_opens_it_only_for_receipts(
    workspace: Workspace, registry: ConsentRegistry, log: Log, alice: Performer
) -> None:
    g = registry.grant(alice.performer_id, **grant_kwargs())
    opened: list[Log] = []

    def open_log() -> Log:
        opened.append(log)
        return log

    lazy = RegistryReader(workspace.database, workspace.blobs, project=registry.project, open_log=open_log)
    assert lazy.state_at(None, ts("2026-04-30")) == registry.state_at(None, ts("2026-04-30"))
    assert lazy.history(g.grant_id) == registry.history(g.grant_id)
    assert opened == []  # states and history come from the registry's rows
    cov = lazy.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-04-30"))
    assert cov == registry.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-04-30"))
    assert cov.covered and cov.verify(log.verifier_keys()) == len(cov.proofs()) > 0
    assert opened == [log]  # receipts: opened once, on first use
    lazy.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-04-30"))
    assert opened == [log]
    for bad in ({}, {"log": log, "open_log": open_log}, {"open_log": open_log}):
        with pytest.raises(TypeError, match="open_log and project"):
            RegistryReader(workspace.database, workspace.blobs, **bad)  # type: ignore[arg-type]
