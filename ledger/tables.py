"""The ledger's tables as SQLAlchemy Core ``Table`` objects: the schema, for the workspace's migrations and for
``Ledger.create_schema``. The log itself reads and writes them with plain SQL (``ledger.storage``).

    ledger_logs         one row per log: origin, latest size/root/checkpoint (the compare-and-swap row)
    ledger_entries      (log, index) -> exact canonical entry bytes; insert-only, there is no update/delete path
    ledger_tiles        (log, level, index) -> concatenated 32-byte hashes (tlog-tiles); partial tiles grow
    ledger_checkpoints  (log, size) -> every signed checkpoint ever published
    ledger_keys         (log, key id) -> verifier key string, whether it still signs (private keys live on disk)

Entries and tiles are stored clustered by primary key (``WITHOUT ROWID`` on SQLite) so that range scans (fsck,
export) and point reads (proofs) touch contiguous pages.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

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
