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
)

from ledger.tiles import TileKey

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
    """A write transaction; on SQLite it starts with ``BEGIN IMMEDIATE`` (see ``ledger.db``)."""
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        yield conn


def fetch_tiles(conn: Connection, log_id: int, wanted: Sequence[TileKey]) -> dict[TileKey, bytes]:
    """The stored tiles among ``wanted``: one query, a primary-key lookup per tile.

    (A row-value ``(level, idx) IN (…)`` or an OR of pairs makes SQLite scan every tile of the log; one
    ``level = ? AND idx IN (…)`` branch per level, joined with UNION ALL, stays on the primary key.)
    """
    if not wanted:
        return {}
    by_level: dict[int, list[int]] = {}
    for level, idx in wanted:
        by_level.setdefault(level, []).append(idx)
    mark = _placeholder(conn)
    if mark is not None:  # hot path for proofs: plain driver SQL, no statement construction per call
        sql_parts: list[str] = []
        params: list[int] = []
        for level, idxs in sorted(by_level.items()):
            sql_parts.append(
                f"SELECT level, idx, hashes FROM ledger_tiles WHERE log_id = {mark} AND level = {mark} "
                f"AND idx IN ({', '.join([mark] * len(idxs))})"
            )
            params += [log_id, level, *idxs]
        rows = conn.exec_driver_sql(" UNION ALL ".join(sql_parts), tuple(params))
        return {(r[0], r[1]): bytes(r[2]) for r in rows}
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
    mark = _placeholder(conn)
    if mark is None:
        conn.execute(insert(entries), [{"log_id": log_id, "idx": start + i, "data": d} for i, d in enumerate(datas)])
        return
    sql = f"INSERT INTO ledger_entries (log_id, idx, data) VALUES ({mark}, {mark}, {mark})"
    conn.exec_driver_sql(sql, [(log_id, start + i, d) for i, d in enumerate(datas)])


def log_row(conn: Connection, origin: str) -> Any:
    """The id, origin and size of the ``ledger_logs`` row of an origin, or None."""
    return conn.execute(select(logs.c.id, logs.c.origin, logs.c.size).where(logs.c.origin == origin)).first()
