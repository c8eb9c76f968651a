"""fsck: re-derive everything from the stored entry bytes and check it against what is stored and signed.

For each log, in this order (the first mismatch is reported, precisely, and checking of that log stops):

1. ``ledger_entries``: indexes 0 … size-1 all present, nothing beyond; every leaf hash recomputed from the bytes.
2. ``ledger_tiles``: every tile of every level (full and partial) equals the hashes recomputed from the level
   below, with exactly the width the tree size implies.
3. ``ledger_logs``: the stored root equals the recomputed root; the latest checkpoint names this origin, size and
   root, is stored in ``ledger_checkpoints``, and its signatures verify against the log's keys.
4. ``ledger_checkpoints``: every stored checkpoint verifies, is for this origin, and its root equals the recomputed
   root at its size — i.e. it is consistent with the latest checkpoint.

Entries are read in large ordered chunks and hashed in bulk; every node of the tree is hashed exactly once.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from ledger import storage as st
from ledger._hashing import leaf_hashes, subtree_roots
from ledger.checkpoint import Checkpoint
from ledger.errors import NoteError, UnknownLogError
from ledger.merkle import EMPTY_ROOT, HASH_SIZE, Subtree, tree_hash
from ledger.note import Verifier, open_note
from ledger.tiles import TILE_HEIGHT, TILE_WIDTH, tile_path
from store.sql import Database, Sql, as_database, open_database

CHUNK_TILES = 256  # level-0 tiles per read: 65,536 entries
TILE_BYTES_FULL = TILE_WIDTH * HASH_SIZE


@dataclass(frozen=True)
class FsckResult:
    """The outcome for one log."""

    origin: str
    size: int
    ok: bool
    problem: str | None
    seconds: float

    @property
    def leaves_per_second(self) -> float:
        return self.size / self.seconds if self.seconds > 0 else float("inf")


class _Corrupt(Exception):
    pass


def _raw(sql: Sql, column: str) -> str:
    """Select a TEXT column as bytes on SQLite, where disk corruption can leave invalid UTF-8 that the driver
    would refuse to decode (PostgreSQL never stores invalid UTF-8 in text)."""
    return f"CAST({column} AS BLOB)" if sql.dialect == "sqlite" else column


def _text(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Corrupt(f"{where} is not valid UTF-8 (byte {exc.start})") from None


@dataclass(frozen=True)
class _Head:
    """The ``ledger_logs`` row of the log being checked (the checkpoint as stored: text, or bytes on SQLite)."""

    size: int
    root_hash: bytes
    checkpoint: Any


def fsck(db: Database | Any, origins: Sequence[str] | None = None) -> list[FsckResult]:
    """Check the given logs (default: all) of ``db`` (a ``store.sql.Database`` or a SQLAlchemy ``Engine``) and
    report per log.

    Raises:
        UnknownLogError: an origin names no log.
    """
    database = as_database(db)
    with database.read() as sql:
        by_origin = st.logs_by_origin(sql)
    wanted = list(origins) if origins is not None else list(by_origin)
    for o in wanted:
        if o not in by_origin:
            raise UnknownLogError(f"no log {o!r} in this database")
    return [_check_log(database, by_origin[o], o) for o in wanted]


def _check_log(db: Database, log_id: int, origin: str) -> FsckResult:
    start = time.perf_counter()
    size = 0
    with db.read() as sql:
        q = f"SELECT size, root_hash, {_raw(sql, 'checkpoint')} FROM ledger_logs WHERE id = ?"
        [(size_, root_hash, checkpoint)] = sql.rows(q, (log_id,))
        row = _Head(int(size_), bytes(root_hash), checkpoint)
        size = row.size
        try:
            levels = _check_entries_and_tiles(sql, db.url, log_id, size)
            _check_checkpoints(sql, log_id, origin, row, levels)
        except _Corrupt as exc:
            return FsckResult(origin, size, False, str(exc), time.perf_counter() - start)
    return FsckResult(origin, size, True, None, time.perf_counter() - start)


def _check_entries_and_tiles(sql: Sql, url: str, log_id: int, size: int) -> list[bytearray]:
    """Steps 1 and 2. Returns the recomputed hash rows: levels[L] = hashes of complete 256**L-leaf subtrees."""
    q = "SELECT idx FROM ledger_entries WHERE log_id = ? AND idx >= ? ORDER BY idx LIMIT 1"
    found = sql.rows(q, (log_id, size))
    beyond = found[0][0] if found else None
    if beyond is not None:
        raise _Corrupt(f"ledger_entries: entry {beyond} exists beyond the log size {size}")
    chunk = CHUNK_TILES * TILE_WIDTH
    ranges = [(lo, min(size, lo + chunk)) for lo in range(0, size, chunk)]
    # Every chunk but the last is immutable (complete tiles below the snapshot's size): other processes may
    # check those concurrently; the last one, with the growing right edge, is checked inside our snapshot.
    # The last chunk is scanned here while the workers scan the others.
    results = _scan_parallel(sql, url, log_id, ranges[:-1], last=ranges[-1]) if len(ranges) > 2 else None
    if results is None:
        results = [_scan_chunk(sql, log_id, lo, hi) for lo, hi in ranges]
    levels: list[bytearray] = [bytearray(), bytearray()]
    for i, (leaves, roots, problem) in enumerate(results):
        if problem:
            raise _Corrupt(problem)
        levels[0] += leaves
        levels[1] += roots
        results[i] = (b"", b"", None)  # keep the peak memory at one copy of the leaf hashes
    # Upper levels: compare the stored tiles of each level, then its full tiles' roots form the next level.
    level = 1
    while levels[level]:
        row = levels[level]
        stored = dict(st.level_tiles(sql, log_id, level))
        count = (len(row) // HASH_SIZE + TILE_WIDTH - 1) // TILE_WIDTH
        for n in range(count):
            _compare_tile(level, n, stored.get(n), bytes(row[n * TILE_BYTES_FULL : (n + 1) * TILE_BYTES_FULL]))
        extra = sorted(set(stored) - set(range(count)))
        if extra:
            raise _Corrupt(f"ledger_tiles: tile {tile_path(level, extra[0])} lies beyond the tree of size {size}")
        levels.append(_tile_roots(bytes(row)))
        level += 1
    levels.pop()  # the empty row above the top
    q = "SELECT level, idx FROM ledger_tiles WHERE log_id = ? AND level >= ? ORDER BY level, idx LIMIT 1"
    tops = sql.rows(q, (log_id, level))
    top = (int(tops[0][0]), int(tops[0][1])) if tops else None
    last0 = (size - 1) // TILE_WIDTH if size else -1
    q = "SELECT idx FROM ledger_tiles WHERE log_id = ? AND level = 0 AND idx > ? ORDER BY idx LIMIT 1"
    found = sql.rows(q, (log_id, last0))
    level0_beyond = found[0][0] if found else None
    if top is not None or level0_beyond is not None:
        where = tile_path(*top) if top is not None else tile_path(0, int(level0_beyond or 0))
        raise _Corrupt(f"ledger_tiles: tile {where} lies beyond the tree of size {size}")
    return levels


def _tile_roots(row: bytes) -> bytearray:
    """The root of every full 256-hash tile in a row of concatenated hashes."""
    return bytearray(subtree_roots(row, TILE_HEIGHT))


def _scan_chunk(sql: Sql, log_id: int, lo: int, hi: int) -> tuple[bytes, bytes, str | None]:
    """Leaf hashes of entries [lo, hi), checked against the level-0 tiles; plus the roots of the full tiles."""
    datas = _entry_bytes(sql, log_id, lo, hi)
    if len(datas) != hi - lo:  # (log_id, idx) is the primary key: a short count means a gap
        q = "SELECT idx FROM ledger_entries WHERE log_id = ? AND idx >= ? AND idx < ?"
        have = {int(r[0]) for r in sql.rows(q, (log_id, lo, hi))}
        missing = next(i for i in range(lo, hi) if i not in have)
        return b"", b"", f"ledger_entries: entry {missing} is missing"
    try:
        leaves = leaf_hashes(datas)
    except TypeError:  # a value whose stored type is no longer a blob (the type byte of the record was altered)
        bad = next(i for i, row in enumerate(datas) if not isinstance(row[0] if isinstance(row, tuple) else row, bytes))
        return b"", b"", f"ledger_entries: entry {lo + bad} is not stored as bytes (its record was altered)"
    first, last = lo // TILE_WIDTH, (hi - 1) // TILE_WIDTH
    q = "SELECT idx, hashes FROM ledger_tiles WHERE log_id = ? AND level = 0 AND idx >= ? AND idx <= ?"
    tiles: dict[int, bytes] = {int(i): bytes(h) for i, h in sql.rows(q, (log_id, first, last))}
    try:
        for n in range(first, last + 1):
            want = leaves[(n * TILE_WIDTH - lo) * HASH_SIZE : ((n + 1) * TILE_WIDTH - lo) * HASH_SIZE]
            _compare_tile(0, n, tiles.get(n), want, leaf_base=n * TILE_WIDTH)
    except _Corrupt as exc:
        return b"", b"", str(exc)
    return leaves, bytes(_tile_roots(leaves)), None


PARALLEL_MIN_CHUNKS = 2


def _scan_parallel(
    sql: Sql, url: str, log_id: int, ranges: list[tuple[int, int]], last: tuple[int, int]
) -> list[tuple[bytes, bytes, str | None]] | None:
    """Scan immutable chunks in worker processes (one per CPU) and, meanwhile, the ``last`` chunk on ``sql``;
    the results of all of them in order, or None where that is not possible."""
    workers = min(os.cpu_count() or 1, len(ranges))
    if workers < 2 or len(ranges) < PARALLEL_MIN_CHUNKS or not url.startswith(("sqlite", "postgresql")):
        return None
    if url.startswith("sqlite") and url.rstrip("/") in ("sqlite:", "sqlite:///:memory:"):
        return None
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        return None
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        pending = pool.map(_scan_worker, [(url, log_id, lo, hi) for lo, hi in ranges])
        tail = _scan_chunk(sql, log_id, *last)
        return [*pending, tail]


def _scan_worker(job: tuple[str, int, int, int]) -> tuple[bytes, bytes, str | None]:
    url, log_id, lo, hi = job
    with _worker_database(url).read() as sql:
        return _scan_chunk(sql, log_id, lo, hi)


_DATABASES: dict[str, Database] = {}


def _worker_database(url: str) -> Database:
    if url not in _DATABASES:
        _DATABASES[url] = open_database(url)
    return _DATABASES[url]


def _entry_bytes(sql: Sql, log_id: int, lo: int, hi: int) -> list[Any]:
    """Entry bytes (as one-column rows) of indexes [lo, hi) in order, straight from the driver."""
    q = "SELECT data FROM ledger_entries WHERE log_id = ? AND idx >= ? AND idx < ? ORDER BY idx"
    return sql.rows(q, (log_id, lo, hi))  # rows of one bytes column: leaf_hashes takes them as they are


def _compare_tile(level: int, index: int, stored: bytes | None, want: bytes, leaf_base: int | None = None) -> None:
    path = tile_path(level, index)
    if stored is None:
        raise _Corrupt(f"ledger_tiles: tile {path} is missing")
    stored = bytes(stored)
    if len(stored) != len(want):
        raise _Corrupt(
            f"ledger_tiles: tile {path} holds {len(stored) // HASH_SIZE} hashes ({len(stored)} bytes), "
            f"expected {len(want) // HASH_SIZE}"
        )
    if stored != want:
        pos = next(i for i in range(0, len(want), HASH_SIZE) if stored[i : i + HASH_SIZE] != want[i : i + HASH_SIZE])
        pos //= HASH_SIZE
        if leaf_base is not None:
            raise _Corrupt(
                f"ledger_tiles: tile {path} hash #{pos} does not match the leaf hash of ledger_entries index "
                f"{leaf_base + pos} (either the entry bytes or the tile were altered)"
            )
        raise _Corrupt(f"ledger_tiles: tile {path} hash #{pos} does not match the tiles below it")


class _LevelReader:
    """merkle.HashReader over the recomputed levels, memoising the intermediate subtrees it builds."""

    def __init__(self, levels: list[bytearray]) -> None:
        self.levels = levels
        self.memo: dict[Subtree, bytes] = {}

    def __call__(self, subtrees: Sequence[Subtree]) -> list[bytes]:
        return [self.get(s) for s in subtrees]

    def get(self, s: Subtree) -> bytes:
        level, r = divmod(s.height, TILE_HEIGHT)
        if r == 0:
            row = self.levels[level]
            return bytes(row[s.index * HASH_SIZE : (s.index + 1) * HASH_SIZE])
        got = self.memo.get(s)
        if got is None:
            left = self.get(Subtree(s.height - 1, 2 * s.index))
            right = self.get(Subtree(s.height - 1, 2 * s.index + 1))
            got = hashlib.sha256(b"\x01" + left + right).digest()
            if len(self.memo) > 1_000_000:
                self.memo.clear()
            self.memo[s] = got
        return got


def _check_checkpoints(sql: Sql, log_id: int, origin: str, row: _Head, levels: list[bytearray]) -> None:
    """Steps 3 and 4."""
    size = row.size
    reader = _LevelReader(levels)
    root = tree_hash(size, reader) if size else EMPTY_ROOT
    if row.root_hash != root:
        raise _Corrupt(f"ledger_logs: stored root hash of size {size} does not match the recomputed root")
    vkeys = [r[0] for r in sql.rows(f"SELECT {_raw(sql, 'vkey')} FROM ledger_keys WHERE log_id = ?", (log_id,))]
    try:
        verifiers = [Verifier.from_vkey(_text(v, "ledger_keys: a verifier key")) for v in vkeys]
    except NoteError as exc:
        raise _Corrupt(f"ledger_keys: a verifier key of this log is malformed ({exc})") from None
    latest = _text(row.checkpoint, "ledger_logs: latest checkpoint")
    _check_note(latest, verifiers, origin, size, root, "ledger_logs: latest checkpoint")
    note_col = _raw(sql, "note")
    q = f"SELECT {note_col} FROM ledger_checkpoints WHERE log_id = ? AND size = ?"
    found = sql.rows(q, (log_id, size))
    stored_latest = found[0][0] if found else None
    if stored_latest is None or _text(stored_latest, f"ledger_checkpoints: checkpoint at size {size}") != latest:
        raise _Corrupt(f"ledger_checkpoints: the checkpoint at size {size} differs from the latest in ledger_logs")
    q = f"SELECT size, root_hash, {note_col} FROM ledger_checkpoints WHERE log_id = ? ORDER BY size"
    for cp_size, cp_root, note in sql.rows(q, (log_id,)):
        where = f"ledger_checkpoints: checkpoint at size {cp_size}"
        if cp_size > size:
            raise _Corrupt(f"{where} is beyond the latest size {size}")
        want = tree_hash(int(cp_size), reader) if cp_size else EMPTY_ROOT
        if bytes(cp_root) != want:
            raise _Corrupt(f"{where}: stored root is not the root of the first {cp_size} entries (inconsistent)")
        _check_note(_text(note, where), verifiers, origin, int(cp_size), want, where)


def _check_note(note: str, verifiers: list[Verifier], origin: str, size: int, root: bytes, where: str) -> None:
    try:
        text, _ = open_note(note, verifiers)
        cp = Checkpoint.parse(text)
    except NoteError as exc:
        raise _Corrupt(f"{where}: {exc}") from None
    if cp.origin != origin or cp.size != size:
        raise _Corrupt(f"{where} names {cp.origin} size {cp.size}, expected {origin} size {size}")
    if cp.root_hash != root:
        raise _Corrupt(f"{where}: signed root is not the recomputed root at size {size} (inconsistent history)")
