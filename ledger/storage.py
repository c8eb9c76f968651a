"""The ledger's tables (SQLAlchemy Core) and the few storage operations the log needs.

    ledger_logs         one row per log: origin, latest size/root/checkpoint (the compare-and-swap row)
    ledger_entries      (log, index) -> exact canonical entry bytes; insert-only, there is no update/delete path
    ledger_tiles        (log, level, index) -> concatenated 32-byte hashes (tlog-tiles); partial tiles grow
    ledger_checkpoints  (log, size) -> every signed checkpoint ever published
    ledger_keys         (log, key id) -> verifier key string, whether it still signs (private keys live on disk)

Entries and tiles are stored clustered by primary key (``WITHOUT ROWID`` on SQLite) so that range scans (fsck,
export) and point reads (proofs) touch contiguous pages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    tuple_,
    union_all,
    update,
)

from ledger.errors import CorruptionError
from ledger.tiles import TileKey
from store.db import sqlite_execute, writer_lock

metadata = MetaData()

logs = Table(
    "ledger_logs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", String(255), nullable=False, unique=True),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("checkpoint", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)

entries = Table(
    "ledger_entries",
    metadata,
    Column("log_id", Integer, ForeignKey("ledger_logs.id"), primary_key=True),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
    sqlite_with_rowid=False,
)

tiles = Table(
    "ledger_tiles",
    metadata,
    Column("log_id", Integer, ForeignKey("ledger_logs.id"), primary_key=True),
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hashes", LargeBinary, nullable=False),
    sqlite_with_rowid=False,
)

checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("log_id", Integer, ForeignKey("ledger_logs.id"), primary_key=True),
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    sqlite_with_rowid=False,
)

keys = Table(
    "ledger_keys",
    metadata,
    Column("log_id", Integer, ForeignKey("ledger_logs.id"), primary_key=True),
    Column("key_id", String(8), primary_key=True),
    Column("vkey", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("retired_at", String(40), nullable=True),
)


def create_schema(engine: Engine) -> None:
    """Create the ledger tables that do not exist yet (idempotent)."""
    metadata.create_all(engine)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite it waits for the file's writer lock, then starts with ``BEGIN IMMEDIATE`` (see
    ``store.db``)."""
    with writer_lock(engine), engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        yield conn


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one consistent state of the database throughout.

    SQLite read transactions are snapshots already; PostgreSQL needs REPEATABLE READ (its default READ COMMITTED
    would let every statement see newer commits, e.g. a checkpoint beyond the size read a moment earlier).
    """
    conn = engine.connect()
    try:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn
    finally:
        conn.close()


_TILE_SQL = "SELECT hashes FROM ledger_tiles WHERE log_id = ? AND level = ? AND idx = ?"


def fetch_tiles(conn: Connection, log_id: int, wanted: Sequence[TileKey]) -> dict[TileKey, bytes]:
    """The stored tiles among ``wanted``: a primary-key lookup per tile (on SQLite one cached statement run per
    tile; elsewhere one query for all).

    (A row-value ``(level, idx) IN (…)`` or an OR of pairs makes SQLite scan every tile of the log; one
    ``level = ? AND idx IN (…)`` branch per level, joined with UNION ALL, stays on the primary key.)
    """
    if not wanted:
        return {}
    if conn.dialect.name == "sqlite":
        # In-process database: one small prepared statement run per tile (the driver caches it) costs less than
        # preparing the UNION ALL below, which only pays where each statement is a network round trip.
        cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            got: dict[TileKey, bytes] = {}
            for level, idx in wanted:
                row = cur.execute(_TILE_SQL, (log_id, level, idx)).fetchone()
                if row is not None:
                    got[(level, idx)] = bytes(row[0])
            return got
        finally:
            cur.close()
    by_level: dict[int, list[int]] = {}
    for level, idx in wanted:
        by_level.setdefault(level, []).append(idx)
    if _placeholder(conn) is not None:  # hot path for proofs: plain driver SQL, no statement construction per call
        sql_parts: list[str] = []
        params: list[int] = []
        for level, idxs in sorted(by_level.items()):
            sql_parts.append(
                f"SELECT level, idx, hashes FROM ledger_tiles WHERE log_id = ? AND level = ? "
                f"AND idx IN ({', '.join(['?'] * len(idxs))})"
            )
            params += [log_id, level, *idxs]
        return {(r[0], r[1]): bytes(r[2]) for r in _query(conn, " UNION ALL ".join(sql_parts), tuple(params))}
    cols = (tiles.c.level, tiles.c.idx, tiles.c.hashes)
    parts = [
        select(*cols).where((tiles.c.log_id == log_id) & (tiles.c.level == level) & tiles.c.idx.in_(idxs))
        for level, idxs in sorted(by_level.items())
    ]
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    return {(r[0], r[1]): bytes(r[2]) for r in conn.execute(query)}


def _placeholder(conn: Connection) -> str | None:
    """The positional placeholder of the driver, or None when it has none we use."""
    return {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(conn.dialect.paramstyle)


def store_tiles(conn: Connection, log_id: int, changed: Mapping[TileKey, bytes]) -> None:
    """Insert new tiles and replace the grown partial ones (one statement per kind)."""
    if not changed:
        return
    rows = [{"log_id": log_id, "level": k[0], "idx": k[1], "hashes": v} for k, v in changed.items()]
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql") and _placeholder(conn) is not None:
        sql = (
            "INSERT INTO ledger_tiles (log_id, level, idx, hashes) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (log_id, level, idx) DO UPDATE SET hashes = excluded.hashes"
        )
        _run(conn, sql, [(log_id, k[0], k[1], v) for k, v in changed.items()], many=True)
        return
    if dialect in ("sqlite", "postgresql"):
        from sqlalchemy.dialects import postgresql, sqlite

        stmt: Any = sqlite.insert(tiles) if dialect == "sqlite" else postgresql.insert(tiles)
        stmt = stmt.on_conflict_do_update(
            index_elements=[tiles.c.log_id, tiles.c.level, tiles.c.idx], set_={"hashes": stmt.excluded.hashes}
        )
        conn.execute(stmt, rows)
        return
    keys_ = [tuple(k) for k in changed]
    conn.execute(delete(tiles).where((tiles.c.log_id == log_id) & tuple_(tiles.c.level, tiles.c.idx).in_(keys_)))
    conn.execute(insert(tiles), rows)


def store_entries(conn: Connection, log_id: int, start: int, datas: Sequence[bytes]) -> None:
    """Insert entries ``start, start+1, …`` (one driver-level executemany, no per-row ORM/Core processing)."""
    if _placeholder(conn) is None:
        conn.execute(insert(entries), [{"log_id": log_id, "idx": start + i, "data": d} for i, d in enumerate(datas)])
        return
    sql = "INSERT INTO ledger_entries (log_id, idx, data) VALUES (?, ?, ?)"
    _run(conn, sql, [(log_id, start + i, d) for i, d in enumerate(datas)], many=True)


# -- the append path's statements as plain driver SQL (SQLAlchemy Core statement construction costs more CPU than
# the statements themselves at small batch sizes); each falls back to Core on drivers without a positional style.


def _run(conn: Connection, sql: str, params: Any, *, many: bool = False) -> int:
    """Run a write statement (``?`` placeholders; ``many``: a list of parameter tuples); returns the row count.

    On SQLite it runs on the driver connection itself, as ``_query`` does: the same connection and transaction,
    without SQLAlchemy's per-statement execution context (about 40 µs a statement, a fifth of a whole append)."""
    if conn.dialect.name == "sqlite":
        cur = sqlite_execute(conn, sql, params, many=many)
        try:
            return int(cur.rowcount)
        finally:
            cur.close()
    mark = _placeholder(conn)
    assert mark is not None
    return int(conn.exec_driver_sql(sql.replace("?", mark), params).rowcount)


def _query(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """Rows of a read statement (``?`` placeholders). On SQLite it runs on the driver connection itself: the same
    connection and transaction as ``conn`` (SQLite transactions are per connection and SQLAlchemy issues BEGIN
    itself, see ``store.db``), without SQLAlchemy's per-statement execution context — which costs more than a
    primary-key lookup on the proof path."""
    if conn.dialect.name == "sqlite":
        cur = sqlite_execute(conn, sql, params)
        try:
            return cur.fetchall()
        finally:
            cur.close()
    mark = _placeholder(conn)
    assert mark is not None
    return list(conn.exec_driver_sql(sql.replace("?", mark), params).all())


def current_size(conn: Connection, log_id: int) -> int:
    """The log's latest published size."""
    if _placeholder(conn) is None:
        return int(conn.execute(select(logs.c.size).where(logs.c.id == log_id)).scalar_one())
    return int(_one(_query(conn, "SELECT size FROM ledger_logs WHERE id = ?", (log_id,)), "ledger_logs row"))


def _one(rows: list[Any], what: str) -> Any:
    if len(rows) != 1:
        raise CorruptionError(f"expected exactly one {what}, found {len(rows)}; run `cutproof ledger fsck`")
    return rows[0][0]


def latest_checkpoint(conn: Connection, log_id: int) -> str:
    """The log's latest signed checkpoint (signed note text)."""
    if _placeholder(conn) is None:
        return str(conn.execute(select(logs.c.checkpoint).where(logs.c.id == log_id)).scalar_one())
    return str(_one(_query(conn, "SELECT checkpoint FROM ledger_logs WHERE id = ?", (log_id,)), "ledger_logs row"))


def checkpoint_note(conn: Connection, log_id: int, size: int) -> str | None:
    """The stored signed checkpoint at ``size``, or None if none was published at that size."""
    if _placeholder(conn) is None:
        c = checkpoints.c
        note = conn.execute(select(c.note).where((c.log_id == log_id) & (c.size == size))).scalar()
    else:
        sql = "SELECT note FROM ledger_checkpoints WHERE log_id = ? AND size = ?"
        rows = _query(conn, sql, (log_id, size))
        note = rows[0][0] if rows else None
    return None if note is None else str(note)


def active_key_ids(conn: Connection, log_id: int) -> list[str]:
    """Hex key ids of the keys that sign new checkpoints, oldest first."""
    if _placeholder(conn) is None:
        q = select(keys.c.key_id).where((keys.c.log_id == log_id) & keys.c.active).order_by(keys.c.created_at)
        return [str(k) for k in conn.execute(q).scalars()]
    sql = "SELECT key_id FROM ledger_keys WHERE log_id = ? AND active ORDER BY created_at"
    return [str(row[0]) for row in _query(conn, sql, (log_id,))]


def swap_head(conn: Connection, log_id: int, old: int, new: int, root: bytes, note: str) -> bool:
    """Compare-and-swap the log's head from size ``old`` to ``new``; False if another writer moved it first."""
    if _placeholder(conn) is None:
        stmt = (
            update(logs)
            .where((logs.c.id == log_id) & (logs.c.size == old))
            .values(size=new, root_hash=root, checkpoint=note)
        )
        return bool(conn.execute(stmt).rowcount == 1)
    sql = "UPDATE ledger_logs SET size = ?, root_hash = ?, checkpoint = ? WHERE id = ? AND size = ?"
    return _run(conn, sql, (new, root, note, log_id, old)) == 1


def store_checkpoint(conn: Connection, log_id: int, size: int, root: bytes, note: str, created_at: str) -> None:
    """Keep a newly signed checkpoint."""
    if _placeholder(conn) is None:
        values = {"log_id": log_id, "size": size, "root_hash": root, "note": note, "created_at": created_at}
        conn.execute(insert(checkpoints).values(**values))
        return
    sql = "INSERT INTO ledger_checkpoints (log_id, size, root_hash, note, created_at) VALUES (?, ?, ?, ?, ?)"
    _run(conn, sql, (log_id, size, root, note, created_at))


def log_row(conn: Connection, origin: str) -> Any:
    """The id, origin and size of the ``ledger_logs`` row of an origin, or None."""
    return conn.execute(select(logs.c.id, logs.c.origin, logs.c.size).where(logs.c.origin == origin)).first()
