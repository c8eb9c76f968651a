"""Checking the registry against the ledger, and completing writes interrupted between ledger and tables.

For every registry row, the entry it names must exist, hash to the leaf hash stored with the row, and be exactly
the entry the row would produce (same kind, ids, scope, dates and commitment to the private fields) — so a row
edited after the fact, or inserted without a ledger entry, is found. Every consent entry of the project in the
ledger must have its rows. Intent rows (``consent_pending``) are completed when their entry is in the ledger, and
dropped when it is not and they are older than ``abandon_after`` (a younger one may still be in flight).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from consent import _entries as en
from consent import _sql as q
from consent._reader import leaf_hash_hex
from consent._rows import grant_from_row, performer_from_row, suspension_from_row
from consent._writer import KEYS, Written, complete, rows_from_pending
from consent.models import Performer, now_utc
from store.blobs import BlobStore
from store.errors import StoreError
from store.sql import Database

if TYPE_CHECKING:
    from ledger import Log


class ReconcileReport(BaseModel):
    """What ``reconcile`` found and did."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built on first use

    project: str
    log_size: int
    rows_checked: int
    entries_checked: int
    completed: list[str]
    abandoned: list[str]
    pending: list[str]
    problems: list[str]

    @property
    def ok(self) -> bool:
        """True when rows and entries agree and no write is left unfinished."""
        return not self.problems and not self.pending


def _expected_entry(project: str, table: str, row: dict[str, Any]) -> dict[str, Any]:
    salt = row["salt"]
    if table == "consent_performers":
        return en.performer_entry(project, performer_from_row(row), salt)
    if table == "consent_grants":
        return en.grant_entry(grant_from_row(row), salt)
    kind = row["event_kind"]
    if kind == "performer_amended":
        return en.amended_entry(project, row["event_id"], Performer.model_validate(row["record"]), row["reason"], salt)
    if kind == "revoked":
        return en.revoked_entry(
            project, row["event_id"], row["grant_id"], row["performer_id"], row["effective_at"], row["reason"], salt
        )
    if kind == "suspended":
        return en.suspended_entry(project, suspension_from_row(row, end=row["end_at"]), salt)
    if kind == "court_approved":
        return en.court_approved_entry(
            project, row["event_id"], row["grant_id"], row["performer_id"], row["effective_at"],
            (row["record"] or {}).get("court_document_sha256", ""), row["reason"], salt,
        )  # fmt: skip
    return en.lifted_entry(project, row["event_id"], row["suspension_id"], row["effective_at"], row["reason"], salt)


def _check_documents(db: Database, project: str, blobs: BlobStore) -> list[str]:
    """Every document a grant or representative names is recorded for the project, stored, and intact."""
    problems = []
    with db.read() as sql:
        recorded = {r[0] for r in sql.rows(f"SELECT sha256 FROM {q.DOCUMENTS} WHERE project = ?", (project,))}
        named = {
            r[0]: f"grant {r[1]}"
            for r in sql.rows(f"SELECT document_sha256, grant_id FROM {q.GRANTS} WHERE project = ?", (project,))
        }
        for r in sql.rows(
            f"SELECT representative_document_sha256, performer_id FROM {q.PERFORMERS} "
            "WHERE project = ? AND representative_document_sha256 IS NOT NULL",
            (project,),
        ):
            named.setdefault(r[0], f"performer {r[1]}")
        events = q.select(sql, q.EVENTS, "project = ? AND event_kind IN ('performer_amended', 'court_approved')",
                          (project,), order="ledger_index")  # fmt: skip
    for e in events:
        record = e["record"] or {}
        if e["event_kind"] == "performer_amended" and record.get("representative"):
            named.setdefault(
                record["representative"]["authority_document_sha256"], f"performer {e['performer_id']} (amended)"
            )
        elif e["event_kind"] == "court_approved":
            named.setdefault(record.get("court_document_sha256", ""), f"court approval of grant {e['grant_id']}")
    for digest, owner in sorted(named.items()):
        if digest not in recorded:
            problems.append(f"document {digest} of {owner} is not recorded in consent_documents")
    for digest in sorted(recorded):
        try:
            blobs.read_bytes(digest)
        except StoreError as exc:
            problems.append(f"document {digest}: {exc}")
    return problems  # fmt: skip


def reconcile(
    db: Database, log: Log, project: str, *, repair: bool, abandon_after: timedelta, blobs: BlobStore | None = None
) -> ReconcileReport:
    """Compare the project's registry rows with its ledger log (see the module docstring); with ``blobs``, also
    check every signed document the rows name is stored and intact."""
    size = log.size()
    ours: dict[str, tuple[int, dict[str, Any]]] = {}
    raw: dict[int, bytes] = {}
    for i in range(size):
        data = log.entry(i)
        entry = json.loads(data)
        if entry.get("kind") in en.ENTRY_KINDS and entry.get("project") == project:
            raw[i] = data
            rid = en.entry_record_id(entry)
            if rid is not None:
                ours.setdefault(rid, (i, entry))
    problems: list[str] = []
    completed: list[str] = []
    abandoned: list[str] = []
    unfinished: list[str] = []

    with db.read() as sql:
        intents = q.select(sql, q.PENDING, "project = ?", (project,), order="created_at")
    for intent in intents:
        op_id = intent["op_id"]
        found = ours.get(op_id)
        landed = (
            found is not None and found[0] >= intent["log_size_before"] and found[1]["kind"] == intent["entry_kind"]
        )
        if landed and found is not None:
            if repair:
                index = found[0]
                rows, docs = rows_from_pending(intent["rows"])
                written = Written.at(log, index, leaf_hash_hex(log.entry(index)))
                with db.write() as sql:
                    complete(sql, project, op_id, rows, docs, written)
                completed.append(op_id)
            else:
                unfinished.append(f"{op_id}: in the ledger at index {found[0]} but its rows are missing")
        elif now_utc() - intent["created_at"] >= abandon_after:
            if repair:
                with db.write() as sql:
                    sql.run(f"DELETE FROM {q.PENDING} WHERE op_id = ?", (op_id,))
                abandoned.append(op_id)
            else:
                unfinished.append(f"{op_id}: never reached the ledger (interrupted write; repair drops it)")
        else:
            unfinished.append(f"{op_id}: write in progress (started {intent['created_at'].isoformat()})")

    seen: set[str] = {i["op_id"] for i in intents}
    checked = 0
    with db.read() as sql:
        tables = {table: q.select(sql, table, "project = ?", (project,), order="ledger_index") for table in KEYS}
    for table, key in KEYS.items():
        for row in tables[table]:
            rid, index = row[key], row["ledger_index"]
            seen.add(rid)
            checked += 1
            if index >= size:
                problems.append(f"{table} {rid}: ledger index {index} is beyond the log (size {size})")
                continue
            data = raw[index] if index in raw else log.entry(index)
            if leaf_hash_hex(data) != row["leaf_hash"]:
                problems.append(f"{table} {rid}: the ledger entry at {index} does not match its leaf hash")
                continue
            actual = {k: v for k, v in json.loads(data).items() if k != "ledger"}
            if actual != _expected_entry(project, table, row):
                problems.append(
                    f"{table} {rid}: the row differs from the ledger entry at {index} that recorded it "
                    "(edited after recording, or recorded without its entry)"
                )
    if blobs is not None:
        problems.extend(_check_documents(db, project, blobs))
    for rid, (index, entry) in sorted(ours.items(), key=lambda kv: kv[1][0]):
        if rid not in seen:
            problems.append(f"ledger entry {index} ({entry['kind']} {rid}) has no registry rows")
    return ReconcileReport(
        project=project,
        log_size=size,
        rows_checked=checked,
        entries_checked=len(ours),
        completed=completed,
        abandoned=abandoned,
        pending=unfinished,
        problems=problems,
    )
