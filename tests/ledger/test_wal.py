"""Background WAL checkpoints and the SQLite writer lock (``store.wal``, ``store.db``)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import Engine, text

from ledger import Ledger, Log
from store._engine_sql import EngineDatabase
from store.db import WRITER_LOCK_SUFFIX, open_engine, writer_lock
from store.wal import SAFETY_NET_PAGES, WalCheckpointer


def _autocheckpoint(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def _new_log(db: Path, origin: str) -> tuple[Engine, Log]:
    """A ledger in the SQLite file ``db`` (keys beside it) with one new log."""
    engine = open_engine(f"sqlite:///{db}")
    ledger = Ledger(engine, db.parent / "keys")
    ledger.create_schema()
    return engine, ledger.create_log(origin)


def _wal_bytes(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_checkpointer_takes_checkpoints_off_the_commit_path(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    engine, log = _new_log(db, "example.org/wal")
    base = log.size()
    assert _autocheckpoint(engine) == 1000  # SQLite's default until a checkpointer runs
    cp = WalCheckpointer(engine, interval=0.05).start()
    try:
        assert _autocheckpoint(engine) == SAFETY_NET_PAGES  # commits no longer checkpoint at 1,000 pages
        for i in range(40):
            log.append([{"kind": "t/1", "i": i, "pad": "x" * 2000}], identity="t")
        deadline = time.monotonic() + 10
        while cp.checkpoints == 0:
            assert time.monotonic() < deadline, "no checkpoint within 10 s"
            time.sleep(0.05)
    finally:
        cp.stop()
    assert _autocheckpoint(engine) == 1000  # back to SQLite's default
    assert log.size() == base + 40  # every entry readable after the checkpoints
    assert log.entry_json(base + 39)["i"] == 39


def test_checkpointer_is_a_no_op_without_a_sqlite_file() -> None:
    engine = open_engine("sqlite://")
    cp = WalCheckpointer(engine).start()
    cp.stop()
    assert cp.path is None and cp.checkpoints == 0


def test_writer_lock_file_sits_next_to_the_database_and_serialises_writers(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    engine = open_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (i INTEGER)"))
    inside = 0
    most = 0
    guard = threading.Lock()

    def writer() -> None:
        nonlocal inside, most
        for _ in range(20):
            with EngineDatabase(engine).write() as sql:
                with guard:
                    inside += 1
                    most = max(most, inside)
                sql.run("INSERT INTO t VALUES (1)")
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1
    assert (tmp_path / f"w.db{WRITER_LOCK_SUFFIX}").exists()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 80


def test_writer_lock_is_nothing_to_hold_elsewhere() -> None:
    with writer_lock(open_engine("sqlite://")):
        pass


def test_a_log_always_being_read_is_started_over(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import store.wal

    monkeypatch.setattr(store.wal, "RESTART_FRAMES", 50)
    db = tmp_path / "r.db"
    engine, log = _new_log(db, "example.org/restart")
    stop = threading.Event()

    def reader() -> None:  # a reader in the log at nearly every moment, as on a busy server
        while not stop.is_set():
            with engine.connect() as conn, conn.begin():
                conn.exec_driver_sql("SELECT count(*) FROM ledger_entries").all()

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers:
        t.start()
    cp = WalCheckpointer(engine, interval=0.02).start()
    try:
        deadline = time.monotonic() + 20
        i = 0
        while cp.restarts < 2:
            assert time.monotonic() < deadline, f"log not started over within 20 s ({_wal_bytes(db)} bytes)"
            log.append([{"kind": "t/1", "i": i, "pad": "x" * 3000}], identity="t")
            i += 1
    finally:
        stop.set()
        for t in readers:
            t.join()
        cp.stop()
    assert log.entry_json(log.size() - 1)["i"] == i - 1
