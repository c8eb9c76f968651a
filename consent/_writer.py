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

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from consent import _sql as q
from consent._validate import Document
from consent.errors import RegistryIntegrityError
from consent.models import now_utc
from records import parse_utc
from store.blobs import BlobStore
from store.sql import Database, Sql

if TYPE_CHECKING:
    from ledger import Log

# The primary key of each table an operation inserts into.
KEYS = {q.PERFORMERS: "performer_id", q.GRANTS: "grant_id", q.EVENTS: "event_id"}


@dataclass
class Operation:
    """One validated registry operation: its ledger entry and the rows that record it (table name, values)."""

    op_id: str
    entry: dict[str, Any]
    rows: list[tuple[str, dict[str, Any]]]
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


def write(db: Database, blobs: BlobStore, log: Log, project: str, op: Operation, identity: str) -> Written:
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
        intent = {
            "op_id": op.op_id,
            "project": project,
            "entry_kind": op.entry["kind"],
            "log_size_before": log.size(),
            "entry": op.entry,
            "rows": _pending_rows(op),
            "created_at": now_utc(),
        }
        with db.write() as sql:
            q.insert(sql, q.PENDING, intent)
        # 3. ledger
        try:
            appended = log.append([op.entry], identity=identity)[0]
        except BaseException:
            with db.write() as sql:
                sql.run(f"DELETE FROM {q.PENDING} WHERE op_id = ?", (op.op_id,))
            raise
    except BaseException:
        for digest in created:
            blobs.path_for(digest).unlink(missing_ok=True)
        raise
    # 4. rows
    written = Written.at(log, appended.index, appended.leaf_hash_hex)
    try:
        with db.write() as sql:
            complete(sql, project, op.op_id, op.rows, op.documents, written)
    except Exception as exc:
        raise RegistryIntegrityError(
            f"{op.entry['kind']} {op.op_id} is recorded in the ledger at index {appended.index} but its registry "
            f"rows could not be written ({exc}); run `cutproof consent check --repair` to complete them"
        ) from exc
    return written


def _pending_rows(op: Operation) -> dict[str, Any]:
    return {
        "rows": [{"table": table, "values": _to_json_row(values)} for table, values in op.rows],
        "documents": [
            {"sha256": d.sha256, "size": len(d.data), "filename": d.filename, "media_type": d.media_type}
            for d in op.documents
        ],
    }


def _to_json_row(values: dict[str, Any]) -> dict[str, Any]:
    """Values with times as fixed-width UTC text, for the intent's JSON."""
    return {k: q.encode(k, v) if k in q.TIME_COLUMNS else v for k, v in values.items()}


def rows_from_pending(payload: dict[str, Any]) -> tuple[list[tuple[str, dict[str, Any]]], list[dict[str, Any]]]:
    """The rows and document records an intent row holds (times back to datetimes).

    Raises:
        RegistryIntegrityError: the intent names a table the registry does not write.
    """
    rows = []
    for r in payload["rows"]:
        if r["table"] not in KEYS:
            raise RegistryIntegrityError(f"an interrupted write names the unknown table {r['table']!r}")
        values = {k: parse_utc(v) if k in q.TIME_COLUMNS and isinstance(v, str) else v for k, v in r["values"].items()}
        rows.append((r["table"], values))
    return rows, list(payload["documents"])


def complete(
    sql: Sql,
    project: str,
    op_id: str,
    rows: list[tuple[str, dict[str, Any]]],
    documents: list[Document] | list[dict[str, Any]],
    written: Written,
) -> None:
    """Insert an operation's rows stamped with where it was recorded, its documents, and drop its intent."""
    for table, values in rows:
        key = KEYS[table]
        if not q.exists(sql, table, f"{key} = ?", (values[key],)):
            stamp = {
                "ledger_index": written.ledger_index,
                "leaf_hash": written.leaf_hash,
                "recorded_at": written.recorded_at,
                "identity": written.identity,
            }
            q.insert(sql, table, values | stamp)
    for doc in documents:
        meta = (
            {"sha256": doc.sha256, "size": len(doc.data), "filename": doc.filename, "media_type": doc.media_type}
            if isinstance(doc, Document)
            else doc
        )
        if not q.exists(sql, q.DOCUMENTS, "project = ? AND sha256 = ?", (project, meta["sha256"])):
            q.insert(sql, q.DOCUMENTS, {"project": project, "first_recorded_at": written.recorded_at, **meta})
    sql.run(f"DELETE FROM {q.PENDING} WHERE op_id = ?", (op_id,))
