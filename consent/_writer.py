"""How one registry operation is written so the ledger and the registry tables never silently diverge.

Order of a write (everything is validated before step 1; invalid input never reaches it):

1. store the new signed documents in the content-addressed blob store (fsynced, atomic rename);
2. commit a write-ahead intent row in ``consent_pending`` (the entry and the rows to insert);
3. append the entry to the project's ledger log (its own transaction, signed checkpoint published);
4. in one DB transaction: insert the rows, stamped with the entry's ledger index, leaf hash and ledger time,
   record the documents, delete the intent row.

If step 3 fails, the intent row and any document stored in step 1 are removed, and nothing remains. A crash
between 3 and 4 leaves an intent row whose entry is in the ledger: ``reconcile`` finds the entry (by kind and
record id, at or after the log size noted in the intent) and completes step 4; an intent whose entry never made it
is dropped. ``reconcile`` also finds rows without entries and entries without rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Table, delete, insert, select

from consent import _tables as t
from consent._rows import TABLES, from_json_row, to_json_row
from consent.errors import RegistryIntegrityError
from consent.models import now_utc
from store.blobs import BlobStore

if TYPE_CHECKING:
    from ledger import Log


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite it begins IMMEDIATE (write lock up front), so concurrent writers wait for
    each other instead of failing to upgrade a read lock ("database is locked")."""
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@dataclass(frozen=True)
class Document:
    """A signed document to store with an operation."""

    data: bytes
    filename: str | None = None
    media_type: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Operation:
    """One validated registry operation: its ledger entry and the rows that record it."""

    op_id: str
    entry: dict[str, Any]
    rows: list[tuple[Table, dict[str, Any]]]
    documents: list[Document] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    """Where an operation was recorded."""

    ledger_index: int
    leaf_hash: str
    recorded_at: datetime
    identity: str

    @classmethod
    def at(cls, log: Log, index: int, leaf_hash: str) -> Written:
        """Where entry ``index`` was recorded, with the time and identity the ledger stamped on it."""
        stamp = log.entry_json(index)["ledger"]
        recorded = datetime.fromisoformat(stamp["time"].replace("Z", "+00:00"))
        return cls(index, leaf_hash, recorded, stamp["identity"])


def write(engine: Engine, blobs: BlobStore, log: Log, project: str, op: Operation, identity: str) -> Written:
    """Write ``op`` following the protocol in the module docstring.

    Raises:
        LedgerError: the ledger refused the entry (nothing was written).
        RegistryIntegrityError: the entry is in the ledger but the rows could not be inserted; ``reconcile`` will
            complete them.
    """
    created: list[str] = []
    try:
        # 1. documents
        for doc in op.documents:
            if doc.sha256 not in blobs:
                created.append(blobs.put_bytes(doc.data))
        # 2. write-ahead intent
        with write_transaction(engine) as conn:
            conn.execute(
                insert(t.pending).values(
                    op_id=op.op_id,
                    project=project,
                    entry_kind=op.entry["kind"],
                    log_size_before=log.size(),
                    entry=op.entry,
                    rows=_pending_rows(op),
                    created_at=now_utc(),
                )
            )
        # 3. ledger
        try:
            appended = log.append([op.entry], identity=identity)[0]
        except BaseException:
            with write_transaction(engine) as conn:
                conn.execute(delete(t.pending).where(t.pending.c.op_id == op.op_id))
            raise
    except BaseException:
        for digest in created:
            blobs.path_for(digest).unlink(missing_ok=True)
        raise
    # 4. rows
    written = Written.at(log, appended.index, appended.leaf_hash_hex)
    try:
        with write_transaction(engine) as conn:
            complete(conn, project, op.op_id, [(tbl, values) for tbl, values in op.rows], op.documents, written)
    except Exception as exc:
        raise RegistryIntegrityError(
            f"{op.entry['kind']} {op.op_id} is recorded in the ledger at index {appended.index} but its registry "
            f"rows could not be written ({exc}); run `cutproof consent check --repair` to complete them"
        ) from exc
    return written


def _pending_rows(op: Operation) -> dict[str, Any]:
    return {
        "rows": [{"table": tbl.name, "values": to_json_row(tbl, values)} for tbl, values in op.rows],
        "documents": [
            {"sha256": d.sha256, "size": len(d.data), "filename": d.filename, "media_type": d.media_type}
            for d in op.documents
        ],
    }


def rows_from_pending(payload: dict[str, Any]) -> tuple[list[tuple[Table, dict[str, Any]]], list[dict[str, Any]]]:
    """The rows and document records an intent row holds."""
    rows = [(TABLES[r["table"]], from_json_row(TABLES[r["table"]], r["values"])) for r in payload["rows"]]
    return rows, list(payload["documents"])


def complete(
    conn: Connection,
    project: str,
    op_id: str,
    rows: list[tuple[Table, dict[str, Any]]],
    documents: list[Document] | list[dict[str, Any]],
    written: Written,
) -> None:
    """Insert an operation's rows stamped with where it was recorded, its documents, and drop its intent."""
    for tbl, values in rows:
        pk = next(iter(tbl.primary_key.columns))
        exists = conn.execute(select(pk).where(pk == values[pk.name])).first()
        if exists is None:
            conn.execute(
                insert(tbl).values(
                    **values,
                    ledger_index=written.ledger_index,
                    leaf_hash=written.leaf_hash,
                    recorded_at=written.recorded_at,
                    identity=written.identity,
                )
            )
    for doc in documents:
        meta = (
            {"sha256": doc.sha256, "size": len(doc.data), "filename": doc.filename, "media_type": doc.media_type}
            if isinstance(doc, Document)
            else doc
        )
        exists = conn.execute(
            select(t.documents.c.sha256).where(t.documents.c.project == project, t.documents.c.sha256 == meta["sha256"])
        ).first()
        if exists is None:
            conn.execute(insert(t.documents).values(project=project, first_recorded_at=written.recorded_at, **meta))
    conn.execute(delete(t.pending).where(t.pending.c.op_id == op_id))


def leaf_hash_hex(entry_bytes: bytes) -> str:
    """RFC 6962 leaf hash of stored entry bytes."""
    return hashlib.sha256(b"\x00" + entry_bytes).hexdigest()
