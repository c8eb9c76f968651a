"""Disk corruption: flip random bits in the SQLite file's ledger tables → fsck and client verification catch it.

A pristine log (~700 entries, so that level-1 tiles exist) is built once; every case copies the file, flips one
random bit in one stored value with raw SQL (simulating disk corruption underneath the ledger), then requires:

* ``fsck`` reports the log as corrupt and names the table and the place (entry index, tile path, checkpoint size);
* the data a client is served no longer verifies: the receipt of the altered entry, the receipts whose proofs read
  the altered tile hash, the receipts under the altered checkpoint.

Redundant copies that no client is ever served (the ``root_hash`` columns) are fsck's alone. A flip is drawn again
when it does not change meaning; an unused base64 padding bit of a signature line is not such a flip, since notes
are read only in canonical base64 (``test_a_pad_bit_flip_in_a_stored_signature_is_reported``).
"""

from __future__ import annotations

import functools
import random
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from ledger import Ledger, Log, verify_receipt
from ledger.errors import LedgerError, NoteError, ReceiptError
from ledger.fsck import fsck
from ledger.merkle import Subtree, inclusion_proof
from ledger.note import Verifier, open_note, parse_note
from ledger.tiles import TILE_WIDTH, tile_key_for, tile_path
from store.db import open_engine

ORIGIN = "cutproof.test/mutation"
BATCHES = [1, 1, 1, 2, 5, 30, 100, 200, 3, 150, 7, 64, 128, 1, 9]  # 702 entries: tiles 0/0-0/2 and 1/0.p/2
SIZE = sum(BATCHES)


class Pristine:
    def __init__(self, db: Path, keys: Path, vkeys: list[str], readers: dict[tuple[int, int, int], list[int]]) -> None:
        self.db, self.keys, self.vkeys, self.readers = db, keys, vkeys, readers


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    home = tmp_path_factory.mktemp("pristine")
    db = home / "store.db"
    engine = open_engine(f"sqlite:///{db}")
    ledger = Ledger(engine, home / "keys")
    ledger.create_schema()
    log = ledger.create_log(ORIGIN)
    seq = 0
    for n in BATCHES:
        log.append([{"kind": "test.entry/1", "seq": seq + i} for i in range(n)], identity="test:mutation")
        seq += n
    vkeys = log.verifier_keys()
    engine.dispose()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    # Which leaves' inclusion proofs (at the latest size) read each stored tile hash.
    readers: dict[tuple[int, int, int], list[int]] = {}
    for leaf in range(SIZE):
        wanted: list[Subtree] = []
        record = functools.partial(_record_reads, wanted)
        inclusion_proof(leaf, SIZE, record)
        for s in wanted:
            (level, index), first, count = tile_key_for(s)
            for pos in range(first, first + count):
                readers.setdefault((level, index, pos), []).append(leaf)
    return Pristine(db, home / "keys", vkeys, readers)


def _record_reads(wanted: list[Subtree], subtrees: Sequence[Subtree]) -> list[bytes]:
    """A hash reader that records which subtrees a proof reads (and answers zeros)."""
    wanted.extend(subtrees)
    return [b"\0" * 32 for _ in subtrees]


def _copy(pristine: Pristine, tmp_path: Path) -> Path:
    db = tmp_path / "store.db"
    shutil.copyfile(pristine.db, db)
    return db


def _flip_bit(value: bytes, rng: random.Random, ascii_only: bool) -> bytes:
    b = bytearray(value)
    if ascii_only:  # keep TEXT columns valid UTF-8: flip one of the low 7 bits of an ASCII byte
        pos = rng.choice([i for i, c in enumerate(b) if c < 0x80])
        b[pos] ^= 1 << rng.randrange(7)
    else:
        pos = rng.randrange(len(b))
        b[pos] ^= 1 << rng.randrange(8)
    return bytes(b)


def _same_note_meaning(a: str, b: str) -> bool:
    try:
        na, nb = parse_note(a), parse_note(b)
    except NoteError:
        return False
    return na == nb


def _mutate(db: Path, table: str, column: str, where: str, args: tuple, rng: random.Random) -> bytes | str:
    """Flip one bit of one stored value; return the new value. TEXT columns stay valid UTF-8."""
    with sqlite3.connect(db) as conn:
        (old,) = conn.execute(f"SELECT {column} FROM {table} WHERE {where}", args).fetchone()
        if isinstance(old, str):
            while True:
                new: bytes | str = _flip_bit(old.encode(), rng, ascii_only=True).decode()
                if not _same_note_meaning(old, str(new)):
                    break
        else:
            new = _flip_bit(bytes(old), rng, ascii_only=False)
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (new, *args))
    return new


def _open(db: Path, pristine: Pristine) -> tuple[Ledger, Log]:
    ledger = Ledger(open_engine(f"sqlite:///{db}"), pristine.keys)
    return ledger, ledger.open_log(ORIGIN)


def _fsck_problem(ledger: Ledger) -> str:
    (result,) = fsck(ledger.engine, [ORIGIN])
    assert not result.ok, "fsck did not notice the corruption"
    assert result.problem
    return result.problem


def _receipt_fails(log: Log, index: int, vkeys: list[str], size: int | None = None) -> None:
    try:
        receipt = log.prove(index, size)
    except LedgerError:
        return  # refusing to serve a proof from corrupt storage is also a failure a client sees
    with pytest.raises(ReceiptError):
        verify_receipt(receipt, log.entry(index), vkeys)


CASES = [("entry", i) for i in range(16)] + [("tile", i) for i in range(16)]
CASES += [("checkpoint", i) for i in range(10)] + [("latest", i) for i in range(4)] + [("root", i) for i in range(4)]


@pytest.mark.parametrize(("kind", "seed"), CASES, ids=[f"{k}-{s}" for k, s in CASES])
def test_bit_flip_is_caught(pristine: Pristine, tmp_path: Path, kind: str, seed: int) -> None:
    rng = random.Random(f"{kind}-{seed}")
    db = _copy(pristine, tmp_path)
    if kind == "entry":
        index = rng.choice([0, 1, 255, 256, SIZE - 1, *rng.sample(range(SIZE), 3)])
        _mutate(db, "ledger_entries", "data", "idx = ?", (index,), rng)
        ledger, log = _open(db, pristine)
        problem = _fsck_problem(ledger)
        assert "ledger_entries" in problem and f"index {index}" in problem, problem
        _receipt_fails(log, index, pristine.vkeys)
    elif kind == "tile":
        keys = [(0, 0), (0, 1), (0, 2), (1, 0)]
        level, tindex = keys[seed % len(keys)]
        with sqlite3.connect(db) as conn:
            (blob,) = conn.execute("SELECT hashes FROM ledger_tiles WHERE level = ? AND idx = ?", (level, tindex))
        width = len(blob[0]) // 32
        pos = rng.randrange(width)
        b = bytearray(blob[0])
        b[pos * 32 + rng.randrange(32)] ^= 1 << rng.randrange(8)
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE ledger_tiles SET hashes = ? WHERE level = ? AND idx = ?", (bytes(b), level, tindex))
        ledger, log = _open(db, pristine)
        problem = _fsck_problem(ledger)
        assert tile_path(level, tindex) in problem and f"#{pos}" in problem, problem
        readers = pristine.readers[(level, tindex, pos)]
        assert readers, "every stored tile hash is read by some inclusion proof"
        for leaf in rng.sample(readers, min(3, len(readers))):
            _receipt_fails(log, leaf, pristine.vkeys)
    elif kind == "checkpoint":
        with sqlite3.connect(db) as conn:
            sizes = [r[0] for r in conn.execute("SELECT size FROM ledger_checkpoints ORDER BY size")]
        size = rng.choice(sizes)
        _mutate(db, "ledger_checkpoints", "note", "size = ?", (size,), rng)
        ledger, log = _open(db, pristine)
        problem = _fsck_problem(ledger)
        assert "ledger_checkpoints" in problem and f"size {size}" in problem, problem
        if size == 0:
            with pytest.raises(NoteError):
                open_note(log.checkpoint_at(0), [Verifier.from_vkey(v) for v in pristine.vkeys])
        else:
            _receipt_fails(log, rng.randrange(size), pristine.vkeys, size)
    elif kind == "latest":
        _mutate(db, "ledger_logs", "checkpoint", "origin = ?", (ORIGIN,), rng)
        ledger, log = _open(db, pristine)
        problem = _fsck_problem(ledger)
        assert "ledger_logs" in problem, problem
        _receipt_fails(log, rng.randrange(SIZE), pristine.vkeys)
    else:
        table, where, args = (
            ("ledger_logs", "origin = ?", (ORIGIN,))
            if seed % 2
            else ("ledger_checkpoints", "size = ?", (rng.choice([1, 3, 10, SIZE]),))
        )
        _mutate(db, table, "root_hash", where, args, rng)
        ledger, _ = _open(db, pristine)
        problem = _fsck_problem(ledger)
        assert table in problem and "root" in problem, problem
        if table == "ledger_checkpoints":
            assert f"size {args[0]}" in problem, problem


def test_pristine_copy_is_clean(pristine: Pristine, tmp_path: Path) -> None:
    """The control: without a flip, fsck is clean and every receipt verifies."""
    ledger, log = _open(_copy(pristine, tmp_path), pristine)
    (result,) = fsck(ledger.engine, [ORIGIN])
    assert result.ok, result.problem
    assert result.size == SIZE
    for index in (0, 255, 256, 511, 512, SIZE - 1):
        verify_receipt(log.prove(index), log.entry(index), pristine.vkeys)
    assert len(pristine.readers) == SIZE + SIZE // TILE_WIDTH  # every stored hash is read by some proof


def test_a_pad_bit_flip_in_a_stored_signature_is_reported(pristine: Pristine, tmp_path: Path) -> None:
    """The last base64 character of a 68-byte signature carries 2 unused bits. Flipping one decodes to the same
    signature under a lenient decoder (Go's note.Open accepts it); ``ledger.note`` reads only canonical base64, so
    the flip is corruption like any other: fsck reports it and the checkpoint no longer proves anything."""
    db = _copy(pristine, tmp_path)
    with sqlite3.connect(db) as conn:
        (note,) = conn.execute("SELECT note FROM ledger_checkpoints WHERE size = 1").fetchone()
    sig_line = note.rstrip("\n").rsplit("\n", 1)[1]
    b64 = sig_line.rsplit(" ", 1)[1]
    assert b64.endswith("=") and not b64.endswith("==")  # 4 + 64 = 68 bytes: 2 padding bits in the last char
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(b64[-2])
    flipped = note.replace(b64, b64[:-2] + alphabet[last ^ 1] + "=")
    assert flipped != note and not _same_note_meaning(note, flipped)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE ledger_checkpoints SET note = ? WHERE size = 1", (flipped,))
    ledger, log = _open(db, pristine)
    assert "ledger_checkpoints" in _fsck_problem(ledger)
    _receipt_fails(log, 0, pristine.vkeys, size=1)


@pytest.mark.parametrize(
    ("table", "column", "where"),
    [
        ("ledger_checkpoints", "note", "size = 3"),
        ("ledger_logs", "checkpoint", "origin = 'cutproof.test/mutation'"),
    ],
)
def test_invalid_utf8_in_a_stored_checkpoint_is_reported(
    pristine: Pristine, tmp_path: Path, table: str, column: str, where: str
) -> None:
    """Real disk corruption does not respect UTF-8: a TEXT column holding invalid UTF-8 must be reported by fsck
    (as corruption, naming the table), not crash it."""
    db = _copy(pristine, tmp_path)
    with sqlite3.connect(db) as conn:
        (note,) = conn.execute(f"SELECT {column} FROM {table} WHERE {where}").fetchone()
        raw = bytearray(note.encode())
        raw[raw.index("\u2014".encode())] ^= 0x40  # break the em dash's lead byte
        conn.execute(f"UPDATE {table} SET {column} = CAST(? AS TEXT) WHERE {where}", (bytes(raw),))
    ledger, _ = _open(db, pristine)
    problem = _fsck_problem(ledger)
    assert table in problem, problem


@pytest.mark.slow
def test_bit_flips_in_a_log_big_enough_for_parallel_fsck(tmp_path_factory: pytest.TempPathFactory) -> None:
    """fsck scans immutable 65,536-entry chunks in worker processes once a log has more than three of them; the
    corruption must be found and placed just the same there (first chunks) as in the last chunk."""
    home = tmp_path_factory.mktemp("large")
    db = home / "store.db"
    engine = open_engine(f"sqlite:///{db}")
    ledger = Ledger(engine, home / "keys")
    ledger.create_schema()
    log = ledger.create_log(ORIGIN)
    size = 4 * 65_536 + 1_000
    for lo in range(0, size, 8192):
        log.append([{"kind": "test.entry/1", "seq": i} for i in range(lo, min(size, lo + 8192))], identity="t:big")
    engine.dispose()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    big = Pristine(db, home / "keys", [], {})
    (result,) = fsck(_open(_copy(big, tmp_path_factory.mktemp("c")), big)[0].engine, [ORIGIN])
    assert result.ok, result.problem
    rng = random.Random(9)
    for index in (5, 70_000, 140_000, size - 3):
        copy = _copy(big, tmp_path_factory.mktemp("m"))
        _mutate(copy, "ledger_entries", "data", "idx = ?", (index,), rng)
        problem = _fsck_problem(_open(copy, big)[0])
        assert f"ledger_entries index {index}" in problem, problem
    for level, tindex in ((0, 3), (0, 300), (1, 0), (2, 0)):
        copy = _copy(big, tmp_path_factory.mktemp("t"))
        with sqlite3.connect(copy) as conn:
            (blob,) = conn.execute(
                "SELECT hashes FROM ledger_tiles WHERE level = ? AND idx = ?", (level, tindex)
            ).fetchone()
            b = bytearray(blob)
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            conn.execute("UPDATE ledger_tiles SET hashes = ? WHERE level = ? AND idx = ?", (bytes(b), level, tindex))
        problem = _fsck_problem(_open(copy, big)[0])
        assert tile_path(level, tindex) in problem, problem


@pytest.mark.parametrize(
    ("table", "where", "expect"),
    [
        ("ledger_entries", "idx = 300", "entry 300 is missing"),
        ("ledger_tiles", "level = 0 AND idx = 1", "tile/0/001"),
        ("ledger_tiles", "level = 1 AND idx = 0", "tile/1/000"),
        ("ledger_checkpoints", f"size = {SIZE}", f"size {SIZE}"),
    ],
)
def test_lost_rows_are_reported(pristine: Pristine, tmp_path: Path, table: str, where: str, expect: str) -> None:
    """A lost page can drop rows as well as flip bits: a missing entry, tile or latest checkpoint is corruption."""
    db = _copy(pristine, tmp_path)
    with sqlite3.connect(db) as conn:
        assert conn.execute(f"DELETE FROM {table} WHERE {where}").rowcount == 1
    ledger, log = _open(db, pristine)
    problem = _fsck_problem(ledger)
    assert table in problem and expect in problem, problem
    if table == "ledger_entries":
        with pytest.raises(LedgerError):
            log.entry(300)
