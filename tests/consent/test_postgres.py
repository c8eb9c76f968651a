"""The registry's core flow on a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest

from consent import ConsentRegistry
from cutproof.core.workspace import Workspace
from ledger import Ledger
from tests.consent.conftest import ORIGIN, grant_kwargs, ts


@pytest.mark.postgres
def test_grant_revoke_suspend_cover_and_reconcile_on_postgres(postgres_db: str, tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "home", postgres_db)
    ws.init()
    ledger = Ledger(ws.engine, ws.keys_dir)
    ledger.create_schema()
    log = ledger.create_log(ORIGIN)
    reg = ConsentRegistry(ws.engine, ws.blobs, log)
    alice = reg.register_performer(name="Alice Marchetti", kind="principal", guild="SAG-AFTRA", guild_id="SAG-0042")
    g = reg.grant(alice.performer_id, **grant_kwargs(valid_until=ts("2027-01-01"), languages=["fr"]))
    (back,) = reg.grants(alice.performer_id, at=ts("2026-04-01"))
    assert back == g  # JSON columns, booleans and UTC times read back identically
    reg.revoke(g.grant_id, reason="withdrawn", effective_at=ts("2026-05-01"))
    strike = reg.suspend(None, reason="strike", start=ts("2026-07-14"))
    reg.lift_suspension(strike.suspension_id, reason="over", end=ts("2026-08-01"))
    assert reg.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-04-30")).covered
    late = reg.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-05-01"))
    assert not late.covered and late.verify(log.verifier_keys()) == 5  # registration, grant and its 3 events
    assert [e.kind for e in reg.history(g.grant_id)] == ["granted", "revoked", "suspended", "suspension_lifted"]
    assert reg.reconcile().ok
    ws.engine.dispose()


@pytest.mark.postgres
def test_concurrent_writers_on_postgres(postgres_db: str, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    ws = Workspace(tmp_path / "home", postgres_db)
    ws.init()
    ledger = Ledger(ws.engine, ws.keys_dir)
    log = ledger.create_log(ORIGIN)
    reg = ConsentRegistry(ws.engine, ws.blobs, log)
    alice = reg.register_performer(name="Alice Marchetti", kind="principal")

    def work(i: int) -> str:
        g = reg.grant(alice.performer_id, **grant_kwargs(shots=[f"{i}A"], document=f"doc {i}".encode()))
        reg.revoke(g.grant_id, reason=f"r{i}")
        return g.grant_id

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(work, range(8)))
    assert sorted(g.grant_id for g in reg.grants(alice.performer_id)) == sorted(ids)
    assert log.size() == 17 and reg.reconcile().ok
    ws.engine.dispose()
