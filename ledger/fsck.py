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
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select

from ledger import storage as st
from ledger.checkpoint import Checkpoint
from ledger.errors import NoteError
from ledger.merkle import EMPTY_ROOT, HASH_SIZE, Subtree, tree_hash
from ledger.note import Verifier, open_note
from ledger.tiles import TILE_HEIGHT, TILE_WIDTH, tile_path

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


def fsck(engine: Engine, origins: Sequence[str] | None = None) -> list[FsckResult]:
    """Check the given logs (default: all) and report per log.

    Raises:
        UnknownLogError: an origin names no log.
    """
    from ledger.errors import UnknownLogError

    with engine.connect() as conn:
        rows = conn.execute(select(st.logs.c.id, st.logs.c.origin).order_by(st.logs.c.origin)).all()
    by_origin = {r.origin: int(r.id) for r in rows}
    wanted = list(origins) if origins is not None else list(by_origin)
    for o in wanted:
        if o not in by_origin:
            raise UnknownLogError(f"no log {o!r} in this database")
    return [_check_log(engine, by_origin[o], o) for o in wanted]


def _check_log(engine: Engine, log_id: int, origin: str) -> FsckResult:
    start = time.perf_counter()
    size = 0
    with engine.connect() as conn, conn.begin():  # one read snapshot
        row = conn.execute(select(st.logs).where(st.logs.c.id == log_id)).one()
        size = int(row.size)
        try:
            levels = _check_entries_and_tiles(conn, log_id, size)
            _check_checkpoints(conn, log_id, origin, row, levels)
        except _Corrupt as exc:
            return FsckResult(origin, size, False, str(exc), time.perf_counter() - start)
    return FsckResult(origin, size, True, None, time.perf_counter() - start)


def _check_entries_and_tiles(conn: Connection, log_id: int, size: int) -> list[bytearray]:
    """Steps 1 and 2. Returns the recomputed hash rows: levels[L] = hashes of complete 256**L-leaf subtrees."""
    e, t = st.entries.c, st.tiles.c
    beyond = conn.execute(select(e.idx).where((e.log_id == log_id) & (e.idx >= size)).limit(1)).scalar()
    if beyond is not None:
        raise _Corrupt(f"ledger_entries: entry {beyond} exists beyond the log size {size}")
    levels: list[bytearray] = [bytearray()]
    sha = hashlib.sha256
    chunk = CHUNK_TILES * TILE_WIDTH
    for lo in range(0, size, chunk):
        hi = min(size, lo + chunk)
        rows = conn.execute(
            select(e.idx, e.data).where((e.log_id == log_id) & (e.idx >= lo) & (e.idx < hi)).order_by(e.idx)
        ).all()
        if len(rows) != hi - lo:
            have = {int(r[0]) for r in rows}
            missing = next(i for i in range(lo, hi) if i not in have)
            raise _Corrupt(f"ledger_entries: entry {missing} is missing")
        leaves = b"".join([sha(b"\x00" + r[1]).digest() for r in rows])
        tiles = dict(
            conn.execute(
                select(t.idx, t.hashes).where(
                    (t.log_id == log_id)
                    & (t.level == 0)
                    & (t.idx >= lo // TILE_WIDTH)
                    & (t.idx <= (hi - 1) // TILE_WIDTH)
                )
            ).all()
        )
        for n in range(lo // TILE_WIDTH, (hi - 1) // TILE_WIDTH + 1):
            want = leaves[(n * TILE_WIDTH - lo) * HASH_SIZE : ((n + 1) * TILE_WIDTH - lo) * HASH_SIZE]
            _compare_tile(0, n, tiles.get(n), want, leaf_base=n * TILE_WIDTH)
        levels[0] += leaves
    # Upper levels: each full tile's root is the next level's hash.
    level = 0
    while len(levels[level]) >= TILE_BYTES_FULL:
        below = levels[level]
        up = bytearray()
        for off in range(0, len(below) - TILE_BYTES_FULL + 1, TILE_BYTES_FULL):
            row = [bytes(below[i : i + HASH_SIZE]) for i in range(off, off + TILE_BYTES_FULL, HASH_SIZE)]
            while len(row) > 1:
                row = [sha(b"\x01" + row[i] + row[i + 1]).digest() for i in range(0, len(row), 2)]
            up += row[0]
        level += 1
        levels.append(up)
        stored = dict(conn.execute(select(t.idx, t.hashes).where((t.log_id == log_id) & (t.level == level))).all())
        count = len(up) // HASH_SIZE
        for n in range((count + TILE_WIDTH - 1) // TILE_WIDTH):
            _compare_tile(level, n, stored.get(n), bytes(up[n * TILE_BYTES_FULL : (n + 1) * TILE_BYTES_FULL]))
        extra = sorted(set(stored) - set(range((count + TILE_WIDTH - 1) // TILE_WIDTH)))
        if extra:
            raise _Corrupt(f"ledger_tiles: tile {tile_path(level, extra[0])} lies beyond the tree of size {size}")
    top = conn.execute(
        select(t.level, t.idx).where((t.log_id == log_id) & (t.level > level)).order_by(t.level, t.idx).limit(1)
    ).first()
    last0 = (size - 1) // TILE_WIDTH if size else -1
    level0_beyond = conn.execute(
        select(t.idx).where((t.log_id == log_id) & (t.level == 0) & (t.idx > last0)).limit(1)
    ).scalar()
    if top is not None or level0_beyond is not None:
        where = tile_path(*top) if top is not None else tile_path(0, int(level0_beyond))
        raise _Corrupt(f"ledger_tiles: tile {where} lies beyond the tree of size {size}")
    return levels


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


def _check_checkpoints(conn: Connection, log_id: int, origin: str, row: object, levels: list[bytearray]) -> None:
    """Steps 3 and 4."""
    size = int(row.size)  # type: ignore[attr-defined]
    reader = _LevelReader(levels)
    root = tree_hash(size, reader) if size else EMPTY_ROOT
    if bytes(row.root_hash) != root:  # type: ignore[attr-defined]
        raise _Corrupt(f"ledger_logs: stored root hash of size {size} does not match the recomputed root")
    vkeys = conn.execute(select(st.keys.c.vkey).where(st.keys.c.log_id == log_id)).scalars().all()
    try:
        verifiers = [Verifier.from_vkey(v) for v in vkeys]
    except NoteError as exc:
        raise _Corrupt(f"ledger_keys: a verifier key of this log is malformed ({exc})") from None
    latest = str(row.checkpoint)  # type: ignore[attr-defined]
    _check_note(latest, verifiers, origin, size, root, "ledger_logs: latest checkpoint")
    c = st.checkpoints.c
    stored_latest = conn.execute(select(c.note).where((c.log_id == log_id) & (c.size == size))).scalar()
    if stored_latest != latest:
        raise _Corrupt(f"ledger_checkpoints: the checkpoint at size {size} differs from the latest in ledger_logs")
    result = conn.execute(select(c.size, c.root_hash, c.note).where(c.log_id == log_id).order_by(c.size))
    for cp_size, cp_root, note in result:
        where = f"ledger_checkpoints: checkpoint at size {cp_size}"
        if cp_size > size:
            raise _Corrupt(f"{where} is beyond the latest size {size}")
        want = tree_hash(int(cp_size), reader) if cp_size else EMPTY_ROOT
        if bytes(cp_root) != want:
            raise _Corrupt(f"{where}: stored root is not the root of the first {cp_size} entries (inconsistent)")
        _check_note(str(note), verifiers, origin, int(cp_size), want, where)


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
