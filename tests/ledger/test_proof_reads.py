"""Proofs are O(log n) reads: the database work per proof must not grow with the number of stored tiles.

Measured without clocks: SQLite's progress handler counts virtual-machine instructions executed while a proof is
served. A log 16 times larger (32 level-0 tiles instead of 2, same number of tile levels) may cost a few more
hashes in the proof, but if a proof scans the log's tiles its instruction count grows with the log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event

from ledger import Ledger, Log
from store.db import open_engine


def _log_with(tmp_path: Path, name: str, size: int) -> tuple[Log, list[int]]:
    engine = open_engine(f"sqlite:///{tmp_path / (name + '.db')}")
    steps = [0]

    @event.listens_for(engine, "connect")
    def _count(dbapi_conn: Any, _record: Any) -> None:
        def tick() -> int:
            steps[0] += 1
            return 0

        dbapi_conn.set_progress_handler(tick, 10)

    ledger = Ledger(engine, tmp_path / "keys")
    ledger.create_schema()
    log = ledger.create_log(f"cutproof.test/{name}")
    for lo in range(0, size, 1024):
        log.append([{"kind": "test.entry/1", "seq": i} for i in range(lo, min(size, lo + 1024))], identity="test:reads")
    return log, steps


def _work(log: Log, steps: list[int], fn: Any) -> int:
    before = steps[0]
    fn()
    return steps[0] - before


def test_proof_reads_do_not_grow_with_the_log(tmp_path: Path) -> None:
    small, small_steps = _log_with(tmp_path, "small", 512)
    big, big_steps = _log_with(tmp_path, "big", 512 * 16)
    cases = [
        ("inclusion", lambda log, n: log.inclusion_proof(n // 3, n)),
        ("consistency", lambda log, n: log.consistency_proof(n // 3 + 1, n)),
        ("receipt", lambda log, n: log.prove(n - 2)),
    ]
    for name, fn in cases:
        a = _work(small, small_steps, lambda fn=fn: fn(small, 512))
        b = _work(big, big_steps, lambda fn=fn: fn(big, 512 * 16))
        assert b <= 2 * a + 5, f"{name} proof: {b * 10} SQLite VM steps at 8192 entries vs {a * 10} at 512"
