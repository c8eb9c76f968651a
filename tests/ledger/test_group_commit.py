"""Group commit: concurrent single-entry appends all land once, in shared batches, and a bad entry fails alone."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.errors import EntryError
from ledger.fsck import fsck
from ledger.group import GroupCommitter, group_committer
from store.db import open_engine


@pytest.fixture
def log(tmp_path: Path):  # type: ignore[no-untyped-def]
    ledger = Ledger(open_engine(f"sqlite:///{tmp_path / 'g.db'}"), tmp_path / "keys")
    ledger.create_schema()
    return ledger.create_log("cutproof.test/group")


def test_threads_share_batches_and_every_entry_lands_once(log) -> None:  # type: ignore[no-untyped-def]
    gc = group_committer(log)
    assert group_committer(log) is gc
    results: dict[int, int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(60)

    def worker(n: int) -> None:
        start.wait()
        try:
            results[n] = gc.append({"kind": "t/1", "n": n}, identity=f"user-{n % 3}").index
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results.values()) == list(range(60))
    for n, index in results.items():
        entry = log.entry_json(index)
        assert entry["n"] == n and entry["ledger"]["identity"] == f"user-{n % 3}"
    assert len(log.checkpoint_sizes()) < 60  # some appends shared a checkpoint
    assert all(r.ok for r in fsck(log._ledger.engine))


def test_a_bad_entry_fails_only_its_caller(log) -> None:  # type: ignore[no-untyped-def]
    gc = GroupCommitter(log)
    with pytest.raises(EntryError):
        gc.append({"no": "kind"}, identity="t")
    assert gc.append({"kind": "t/1"}, identity="t").index == 0
    assert log.size() == 1


def _side_table(log):  # type: ignore[no-untyped-def]
    from sqlalchemy import Column, Integer, MetaData, String, Table

    table = Table("test_side", MetaData(), Column("idx", Integer, primary_key=True), Column("note", String(20)))
    table.metadata.create_all(log._ledger.engine)
    return table


def test_also_writes_commit_with_their_entry_in_shared_batches(log) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert, select

    side = _side_table(log)
    gc = GroupCommitter(log)
    start = threading.Barrier(20)
    got: dict[int, int] = {}

    def worker(n: int) -> None:
        start.wait()

        def also(conn, appended) -> None:  # type: ignore[no-untyped-def]
            conn.execute(insert(side).values(idx=appended.index, note=f"n{n}"))

        got[n] = gc.append({"kind": "t/1", "n": n}, identity="t", also=also).index

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with log._ledger.engine.connect() as conn:
        rows = dict(conn.execute(select(side.c.idx, side.c.note)).all())
    assert rows == {index: f"n{n}" for n, index in got.items()}
    for index, note in rows.items():
        assert log.entry_json(index)["n"] == int(note[1:])


def test_a_failing_also_write_rolls_back_its_entry_only(log) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert, select

    side = _side_table(log)
    gc = GroupCommitter(log)

    def duplicate(conn, appended) -> None:  # type: ignore[no-untyped-def]
        conn.execute(insert(side).values(idx=0, note="clash"))

    def fine(conn, appended) -> None:  # type: ignore[no-untyped-def]
        conn.execute(insert(side).values(idx=appended.index, note="ok"))

    assert gc.append({"kind": "t/1"}, identity="t", also=fine).index == 0
    with pytest.raises(Exception, match="UNIQUE"):
        gc.append({"kind": "t/1"}, identity="t", also=duplicate)
    assert log.size() == 1  # the entry whose row failed was not appended
    assert gc.append({"kind": "t/1"}, identity="t", also=fine).index == 1
    with log._ledger.engine.connect() as conn:
        assert conn.execute(select(side.c.note).order_by(side.c.idx)).scalars().all() == ["ok", "ok"]
    assert all(r.ok for r in fsck(log._ledger.engine))
