"""The edit requests' plain-SQL rows (``cutproof.edits.request_rows``) against their SQLModel table.

The audit and ``RequestStore`` read ``app_edit_requests`` as plain SQL; the table is ``EditRequestRow``'s. These tests
hold the two to one meaning: the same columns, times and JSON; a row SQLAlchemy writes reads back as plain SQL with
the values SQLAlchemy gives (on SQLite through the standard library's driver and through an engine, and on
PostgreSQL), and ``RequestStore`` still returns the records it did.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import JSON, DateTime, select

from cutproof.core.jobs import JobQueue, run_claimed
from cutproof.core.models import EditRequestRecord
from cutproof.core.workspace import Workspace
from cutproof.edits import request_rows as rows
from cutproof.edits.requests import RequestStore, insert_request, requests_table, update_request
from store.sql import as_database

AT = datetime(2026, 11, 23, 20, 55, 26, 123456, tzinfo=UTC)


def test_the_column_lists_are_the_tables() -> None:
    assert requests_table.name == rows.TABLE
    assert tuple(c.name for c in requests_table.columns) == rows.COLUMNS
    assert {c.name for c in requests_table.columns if isinstance(c.type, DateTime)} == rows.TIME_COLUMNS
    assert {c.name for c in requests_table.columns if isinstance(c.type, JSON)} == rows.JSON_COLUMNS


def _write(ws: Workspace) -> None:
    """Two requests of ``film`` (one reviewed: a JSON review, a later update time) and one of another project."""
    decision = {"outcome": "review", "reasons": [{"rule_id": "r1", "effect": "review"}], "relied_on": []}
    with ws.engine.begin() as conn:
        for rid, project, at in (("req_a", "film", AT), ("req_b", "film", AT.replace(second=27)), ("req_c", "x", AT)):
            insert_request(
                conn, request_id=rid, project=project, clip_hash="ab" * 32,
                submission={"kind": "relight", "purpose": "continuity", "performers": ["prf_1"], "start": None},
                decision=decision, decision_index=3, submitted_by="test:editor", at=at,
            )  # fmt: skip
        update_request(conn, "req_b", state="queued", review={"verdict": "approve", "note": None}, review_index=4)


def _as_sqlalchemy_reads(ws: Workspace, project: str) -> list[dict[str, Any]]:
    """The rows as SQLAlchemy reads them, times as the public view reads them (UTC where SQLite has no zone)."""
    q = select(requests_table).where(requests_table.c.project == project).order_by(requests_table.c.created_at)
    with ws.engine.connect() as conn:
        found = [dict(r._mapping) for r in conn.execute(q)]
    for row in found:
        for name in rows.TIME_COLUMNS:
            row[name] = row[name] if row[name].tzinfo else row[name].replace(tzinfo=UTC)
    return found


def _check(ws: Workspace) -> None:
    _write(ws)
    expected = _as_sqlalchemy_reads(ws, "film")
    assert [r["request_id"] for r in expected] == ["req_a", "req_b"]
    assert expected[0]["review"] is None and expected[1]["review"] == {"verdict": "approve", "note": None}
    for db in (ws.database, as_database(ws.engine)):
        with db.read() as sql:
            assert rows.select_requests(sql, "film") == expected
            assert rows.select_requests(sql, "film", state="queued") == expected[1:]
            assert rows.select_requests(sql, "film", request_id="req_c") == []
    store = RequestStore(ws.engine)
    assert store.list("film") == [EditRequestRecord.model_validate(r) for r in expected]
    assert store.get("req_b", "film").review == {"verdict": "approve", "note": None}
    assert store.get("req_a", "film").created_at == AT


def test_rows_sqlalchemy_wrote_read_back_as_plain_sql(workspace: Workspace) -> None:
    _check(workspace)


def _on_postgres(postgres_db: str, home: Path, check: Callable[[Workspace], None]) -> None:
    ws = Workspace(home, postgres_db)
    ws.init()
    try:
        assert ws.database.dialect == "postgresql"
        check(ws)
    finally:
        ws.engine.dispose()


@pytest.mark.postgres
def test_rows_read_back_as_plain_sql_on_postgres(postgres_db: str, tmp_path: Path) -> None:
    _on_postgres(postgres_db, tmp_path / "home", _check)


def _ended_jobs(ws: Workspace) -> dict[str, str]:
    """Four requests with render jobs: one whose job failed (its handler raised), one cancelled while queued, one
    delivered and one still queued; returns request id → the state each must read as."""
    queue = JobQueue(ws.engine)
    decision = {"outcome": "allow", "reasons": [], "relied_on": []}
    with ws.engine.begin() as conn:
        for rid, state in (("req_f", "rendering"), ("req_c", "queued"), ("req_d", "delivered"), ("req_q", "queued")):
            job = queue.insert(conn, "film", "render-edit", {"request_id": rid}, created_by="test:editor")
            insert_request(
                conn, request_id=rid, project="film", clip_hash="ab" * 32, submission={"kind": "relight"},
                decision=decision, decision_index=1, submitted_by="test:editor", at=AT, state=state, job_id=job.job_id,
            )  # fmt: skip
    jobs = {r.request_id: r.job_id for r in RequestStore(ws.engine).list("film")}
    queue.cancel(jobs["req_c"], "film")

    def fail(_ctx: Any, _payload: Any) -> None:
        raise OSError("the plate's file is gone")

    for rid in ("req_f", "req_d"):
        claimed = queue.claim_job("worker", jobs[rid], ["render-edit"])
        assert claimed is not None
        run_claimed(queue, {"render-edit": fail if rid == "req_f" else (lambda _c, _p: {})}, claimed, "worker")
    assert {queue.get(j).state for j in jobs.values()} == {"failed", "cancelled", "succeeded", "queued"}
    return {"req_f": "failed", "req_c": "cancelled", "req_d": "delivered", "req_q": "queued"}


def _check_ended(ws: Workspace) -> None:
    expect = _ended_jobs(ws)
    store = RequestStore(ws.engine)
    assert {r.request_id: r.state for r in store.list("film")} == expect
    for rid, state in expect.items():
        assert store.get(rid, "film").state == state
        assert [r.request_id for r in store.list("film", state=state)] == [rid]
    with ws.database.read() as sql:  # the audit's reader, without SQLAlchemy
        assert {r["request_id"]: r["state"] for r in rows.select_requests(sql, "film")} == expect
    assert store.list("film", state="rendering") == []  # the row still says rendering; nothing reads it so


def test_a_request_reads_as_its_render_jobs_end(workspace: Workspace) -> None:
    _check_ended(workspace)


@pytest.mark.postgres
def test_a_request_reads_as_its_render_jobs_end_on_postgres(postgres_db: str, tmp_path: Path) -> None:
    _on_postgres(postgres_db, tmp_path / "home", _check_ended)
