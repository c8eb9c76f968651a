"""The few storage operations the log needs, as plain SQL on a ``store.sql.Sql`` (``?`` placeholders).

The tables are described once, for the schema, in ``ledger.tables`` (SQLAlchemy Core, used by the migrations);
reading and appending need no SQLAlchemy: on a SQLite file the ledger commands run on the standard library's
driver (``store.sql.SqliteFile``), elsewhere on an engine (``store._engine_sql``). Every statement here is one
both SQLite and PostgreSQL run as written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledger.errors import CorruptionError
from ledger.tiles import TileKey
from store.sql import Sql

_TILE_SQL = "SELECT hashes FROM ledger_tiles WHERE log_id = ? AND level = ? AND idx = ?"


def _one(rows: list[tuple[Any, ...]], what: str) -> Any:
    if len(rows) != 1:
        raise CorruptionError(f"expected exactly one {what}, found {len(rows)}; run `cutproof ledger fsck`")
    return rows[0][0]


# -- logs and keys -------------------------------------------------------------------------------------------------


def origins(sql: Sql) -> list[str]:
    """Origins of every log, sorted."""
    return [str(r[0]) for r in sql.rows("SELECT origin FROM ledger_logs ORDER BY origin")]


def logs_by_origin(sql: Sql) -> dict[str, int]:
    """Every log's id by its origin."""
    return {str(o): int(i) for i, o in sql.rows("SELECT id, origin FROM ledger_logs ORDER BY origin")}


def log_id_of(sql: Sql, origin: str) -> int | None:
    """The id of the log of ``origin``, or None."""
    rows = sql.rows("SELECT id FROM ledger_logs WHERE origin = ?", (origin,))
    return int(rows[0][0]) if rows else None


def insert_log(sql: Sql, origin: str, root: bytes, note: str, created_at: str) -> int:
    """A new log row of size 0; returns its id."""
    sql.run(
        "INSERT INTO ledger_logs (origin, size, root_hash, checkpoint, created_at) VALUES (?, 0, ?, ?, ?)",
        (origin, root, note, created_at),
    )
    return int(_one(sql.rows("SELECT id FROM ledger_logs WHERE origin = ?", (origin,)), "ledger_logs row"))


def insert_key(sql: Sql, log_id: int, key_id: str, vkey: str, created_at: str) -> None:
    """A new active signing key of the log."""
    sql.run(
        "INSERT INTO ledger_keys (log_id, key_id, vkey, active, created_at) VALUES (?, ?, ?, ?, ?)",
        (log_id, key_id, vkey, True, created_at),
    )


def retire_keys(sql: Sql, log_id: int, retired_at: str) -> None:
    """Every active key of the log stops signing."""
    sql.run(
        "UPDATE ledger_keys SET active = ?, retired_at = ? WHERE log_id = ? AND active",
        (False, retired_at, log_id),
    )


def active_key_ids(sql: Sql, log_id: int) -> list[str]:
    """Hex key ids of the keys that sign new checkpoints, oldest first."""
    q = "SELECT key_id FROM ledger_keys WHERE log_id = ? AND active ORDER BY created_at"
    return [str(row[0]) for row in sql.rows(q, (log_id,))]


def verifier_keys(sql: Sql, log_id: int) -> list[str]:
    """Verifier key strings of every key the log ever signed with, oldest first."""
    q = "SELECT vkey FROM ledger_keys WHERE log_id = ? ORDER BY created_at"
    return [str(row[0]) for row in sql.rows(q, (log_id,))]


# -- the head and checkpoints --------------------------------------------------------------------------------------


def current_size(sql: Sql, log_id: int) -> int:
    """The log's latest published size."""
    return int(_one(sql.rows("SELECT size FROM ledger_logs WHERE id = ?", (log_id,)), "ledger_logs row"))


def latest_checkpoint(sql: Sql, log_id: int) -> str:
    """The log's latest signed checkpoint (signed note text)."""
    return str(_one(sql.rows("SELECT checkpoint FROM ledger_logs WHERE id = ?", (log_id,)), "ledger_logs row"))


def checkpoint_note(sql: Sql, log_id: int, size: int) -> str | None:
    """The stored signed checkpoint at ``size``, or None if none was published at that size."""
    rows = sql.rows("SELECT note FROM ledger_checkpoints WHERE log_id = ? AND size = ?", (log_id, size))
    return str(rows[0][0]) if rows else None


def checkpoint_sizes(sql: Sql, log_id: int) -> list[int]:
    """Every size at which a checkpoint was published, ascending."""
    return [
        int(r[0]) for r in sql.rows("SELECT size FROM ledger_checkpoints WHERE log_id = ? ORDER BY size", (log_id,))
    ]


def swap_head(sql: Sql, log_id: int, old: int, new: int, root: bytes, note: str) -> bool:
    """Compare-and-swap the log's head from size ``old`` to ``new``; False if another writer moved it first."""
    q = "UPDATE ledger_logs SET size = ?, root_hash = ?, checkpoint = ? WHERE id = ? AND size = ?"
    return sql.run(q, (new, root, note, log_id, old)) == 1


def store_checkpoint(sql: Sql, log_id: int, size: int, root: bytes, note: str, created_at: str) -> None:
    """Keep a newly signed checkpoint."""
    q = "INSERT INTO ledger_checkpoints (log_id, size, root_hash, note, created_at) VALUES (?, ?, ?, ?, ?)"
    sql.run(q, (log_id, size, root, note, created_at))


# -- entries and tiles ---------------------------------------------------------------------------------------------


def entry_data(sql: Sql, log_id: int, index: int) -> bytes | None:
    """The stored bytes of one entry, or None."""
    rows = sql.rows("SELECT data FROM ledger_entries WHERE log_id = ? AND idx = ?", (log_id, index))
    return bytes(rows[0][0]) if rows else None


def entry_range(sql: Sql, log_id: int, lo: int, hi: int) -> list[tuple[int, bytes]]:
    """(index, bytes) of the stored entries in [lo, hi), in order."""
    q = "SELECT idx, data FROM ledger_entries WHERE log_id = ? AND idx >= ? AND idx < ? ORDER BY idx"
    return [(int(i), bytes(d)) for i, d in sql.rows(q, (log_id, lo, hi))]


def store_entries(sql: Sql, log_id: int, start: int, datas: Sequence[bytes]) -> None:
    """Insert entries ``start, start+1, …`` (one executemany)."""
    q = "INSERT INTO ledger_entries (log_id, idx, data) VALUES (?, ?, ?)"
    sql.run(q, [(log_id, start + i, d) for i, d in enumerate(datas)], many=True)


def fetch_tiles(sql: Sql, log_id: int, wanted: Sequence[TileKey]) -> dict[TileKey, bytes]:
    """The stored tiles among ``wanted``: a primary-key lookup per tile (on SQLite one cached statement run per
    tile; elsewhere one query for all).

    (A row-value ``(level, idx) IN (…)`` or an OR of pairs makes SQLite scan every tile of the log; one
    ``level = ? AND idx IN (…)`` branch per level, joined with UNION ALL, stays on the primary key.)
    """
    if not wanted:
        return {}
    if sql.dialect == "sqlite":
        # In-process database: one small prepared statement run per tile (the driver caches it) costs less than
        # preparing the UNION ALL below, which only pays where each statement is a network round trip.
        got: dict[TileKey, bytes] = {}
        for level, idx in wanted:
            rows = sql.rows(_TILE_SQL, (log_id, level, idx))
            if rows:
                got[(level, idx)] = bytes(rows[0][0])
        return got
    by_level: dict[int, list[int]] = {}
    for level, idx in wanted:
        by_level.setdefault(level, []).append(idx)
    parts: list[str] = []
    params: list[int] = []
    for level, idxs in sorted(by_level.items()):
        marks = ", ".join(["?"] * len(idxs))
        parts.append(f"SELECT level, idx, hashes FROM ledger_tiles WHERE log_id = ? AND level = ? AND idx IN ({marks})")
        params += [log_id, level, *idxs]
    return {(int(r[0]), int(r[1])): bytes(r[2]) for r in sql.rows(" UNION ALL ".join(parts), params)}


def store_tiles(sql: Sql, log_id: int, changed: Mapping[TileKey, bytes]) -> None:
    """Insert new tiles and replace the grown partial ones (one upsert statement)."""
    if not changed:
        return
    q = (
        "INSERT INTO ledger_tiles (log_id, level, idx, hashes) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (log_id, level, idx) DO UPDATE SET hashes = excluded.hashes"
    )
    sql.run(q, [(log_id, k[0], k[1], v) for k, v in changed.items()], many=True)


def level_tiles(sql: Sql, log_id: int, level: int) -> list[tuple[int, bytes]]:
    """(index, hashes) of every stored tile of one level, in order."""
    q = "SELECT idx, hashes FROM ledger_tiles WHERE log_id = ? AND level = ? ORDER BY idx"
    return [(int(i), bytes(h)) for i, h in sql.rows(q, (log_id, level))]


def tile(sql: Sql, log_id: int, level: int, index: int) -> bytes | None:
    """One stored tile, or None."""
    rows = sql.rows(_TILE_SQL, (log_id, level, index))
    return bytes(rows[0][0]) if rows else None
