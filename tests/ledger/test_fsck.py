"""fsck finds every kind of stored corruption and says where."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from ledger import Ledger, Log
from ledger.errors import UnknownLogError
from ledger.fsck import fsck


@pytest.fixture
def filled(ledger: Ledger, log: Log) -> Log:
    for n in (1, 300, 255, 100):  # 656 entries: full and partial tiles, level 1 exists (2 full level-0 tiles)
        log.append([{"kind": "t/1", "n": i} for i in range(n)], identity="t")
    return log


def _flip(ledger: Ledger, sql: str, **params: object) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(text(sql), params)


def _problem(ledger: Ledger, log: Log) -> str:
    [r] = fsck(ledger.engine, [log.origin])
    assert not r.ok
    assert r.problem is not None
    return r.problem


def test_clean(ledger: Ledger, filled: Log) -> None:
    empty = ledger.create_log("cutproof.local/empty")
    results = fsck(ledger.engine)
    assert [(r.origin, r.ok, r.size) for r in results] == [(empty.origin, True, 0), (filled.origin, True, 656)]
    with pytest.raises(UnknownLogError):
        fsck(ledger.engine, ["nope"])


def test_flipped_entry_byte(ledger: Ledger, filled: Log) -> None:
    data = bytearray(filled.entry(300))
    data[5] ^= 0x01
    _flip(ledger, "UPDATE ledger_entries SET data=:d WHERE idx=300", d=bytes(data))
    assert "tile/0/001 hash #44" in _problem(ledger, filled)
    assert "ledger_entries index 300" in _problem(ledger, filled)


@pytest.mark.parametrize(("level", "idx", "where"), [(0, 0, "tile/0/000 hash #3"), (0, 2, "tile/0/002 hash #3"),
                                                      (1, 0, "tile/1/000 hash #0")])  # fmt: skip
def test_flipped_tile_byte(ledger: Ledger, filled: Log, level: int, idx: int, where: str) -> None:
    with ledger.engine.connect() as conn:
        blob = bytearray(
            conn.execute(text(f"SELECT hashes FROM ledger_tiles WHERE level={level} AND idx={idx}")).scalar_one()
        )
    blob[3 * 32 + 7 if len(blob) > 100 else 7] ^= 0x40
    _flip(ledger, f"UPDATE ledger_tiles SET hashes=:b WHERE level={level} AND idx={idx}", b=bytes(blob))
    assert where in _problem(ledger, filled)


def test_missing_and_truncated(ledger: Ledger, filled: Log) -> None:
    _flip(ledger, "DELETE FROM ledger_entries WHERE idx=17")
    assert _problem(ledger, filled) == "ledger_entries: entry 17 is missing"


def test_truncated_tile(ledger: Ledger, filled: Log) -> None:
    _flip(ledger, "UPDATE ledger_tiles SET hashes=substr(hashes, 1, 64) WHERE level=0 AND idx=2")
    assert "tile/0/002 holds 2 hashes (64 bytes), expected 144" in _problem(ledger, filled)


def test_flipped_checkpoint_signature_and_root(ledger: Ledger, filled: Log) -> None:
    note = filled.checkpoint_at(301)
    body, sig = note.rsplit(" ", 1)
    flipped = body + " " + ("A" if sig[10] != "A" else "B").join([sig[:10], sig[11:]])
    _flip(ledger, "UPDATE ledger_checkpoints SET note=:n WHERE size=301", n=flipped)
    assert "checkpoint at size 301" in _problem(ledger, filled)


def test_inconsistent_old_checkpoint(ledger: Ledger, filled: Log) -> None:
    _flip(ledger, "UPDATE ledger_checkpoints SET root_hash=:r WHERE size=1", r=b"\x00" * 32)
    assert "checkpoint at size 1: stored root is not the root of the first 1 entries" in _problem(ledger, filled)


def test_latest_checkpoint_altered(ledger: Ledger, filled: Log) -> None:
    _flip(ledger, "UPDATE ledger_logs SET checkpoint=replace(checkpoint, '\n656\n', '\n655\n')")
    assert "ledger_logs: latest checkpoint" in _problem(ledger, filled)
    _flip(ledger, "UPDATE ledger_logs SET root_hash=:r", r=b"\x01" * 32)
    assert "ledger_logs: stored root hash of size 656" in _problem(ledger, filled)


def test_entry_beyond_size(ledger: Ledger, filled: Log) -> None:
    _flip(ledger, "INSERT INTO ledger_entries (log_id, idx, data) VALUES (1, 656, x'7b7d')")
    assert _problem(ledger, filled) == "ledger_entries: entry 656 exists beyond the log size 656"


def test_parallel_scan_finds_corruption_in_a_worker_chunk(
    ledger: Ledger, filled: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ledger.fsck as fsck_module

    monkeypatch.setattr(fsck_module, "CHUNK_TILES", 1)  # 256-entry chunks: 3 chunks, the first two in workers
    calls: list[int] = []
    real = fsck_module._scan_parallel

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        got = real(*args, **kwargs)
        calls.append(0 if got is None else len(got))
        return got

    monkeypatch.setattr(fsck_module, "_scan_parallel", spy)
    [clean] = fsck(ledger.engine, [filled.origin])
    assert clean.ok, clean.problem
    data = bytearray(filled.entry(260))
    data[-3] ^= 0x02
    _flip(ledger, "UPDATE ledger_entries SET data=:d WHERE idx=260", d=bytes(data))
    assert "ledger_entries index 260" in _problem(ledger, filled)
    if (os.cpu_count() or 1) > 1:
        assert calls == [3, 3]  # both runs: two immutable chunks in workers, the last one here meanwhile


def test_append_refuses_to_overwrite_stray_rows(ledger: Ledger, filled: Log) -> None:
    from ledger.errors import CorruptionError

    _flip(ledger, "INSERT INTO ledger_entries (log_id, idx, data) VALUES (1, 656, x'7b7d')")
    with pytest.raises(CorruptionError, match="beyond its size 656"):
        filled.append([{"kind": "t/1"}], identity="t")
    assert filled.size() == 656


def test_entry_stored_as_another_type(ledger: Ledger, filled: Log) -> None:
    # SQLite keeps a type per value: an altered record type byte turns the blob into text or an integer.
    _flip(ledger, "UPDATE ledger_entries SET data=CAST(data AS TEXT) WHERE idx=400")
    assert _problem(ledger, filled) == "ledger_entries: entry 400 is not stored as bytes (its record was altered)"
    _flip(ledger, "UPDATE ledger_entries SET data=7 WHERE idx=400")
    assert _problem(ledger, filled) == "ledger_entries: entry 400 is not stored as bytes (its record was altered)"
