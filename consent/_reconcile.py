"""Checking the registry against the ledger, and completing writes interrupted between ledger and tables.

For every registry row, the entry it names must exist, hash to the leaf hash stored with the row, and be exactly
the entry the row would produce (same kind, ids, scope, dates and commitment to the private fields) — so a row
edited after the fact, or inserted without a ledger entry, is found. Every consent entry of the project in the
ledger must have its rows. Intent rows (``consent_pending``) are completed when their entry is in the ledger, and
dropped when it is not and they are older than ``abandon_after`` (a younger one may still be in flight).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, delete, select

from consent import _entries as en
from consent import _tables as t
from consent._rows import grant_from_row, performer_from_row
from consent._writer import Written, complete, leaf_hash_hex, rows_from_pending
from consent.models import now_utc

if TYPE_CHECKING:
    from ledger import Log


class ReconcileReport(BaseModel):
    """What ``reconcile`` found and did."""

    model_config = ConfigDict(frozen=True)

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
    if kind == "revoked":
        return en.revoked_entry(
            project, row["event_id"], row["grant_id"], row["performer_id"], row["effective_at"], row["reason"], salt
        )
    if kind == "suspended":
        return en.suspended_entry(
            project, row["event_id"], row["performer_id"], row["effective_at"], row["end_at"], row["reason"], salt
        )
    return en.lifted_entry(project, row["event_id"], row["suspension_id"], row["effective_at"], row["reason"], salt)


def reconcile(engine: Engine, log: Log, project: str, *, repair: bool, abandon_after: timedelta) -> ReconcileReport:
    """Compare the project's registry rows with its ledger log (see the module docstring)."""
    size = log.size()
    ours: dict[str, tuple[int, dict[str, Any]]] = {}
    for i in range(size):
        entry = log.entry_json(i)
        if entry.get("kind") in en.ENTRY_KINDS and entry.get("project") == project:
            rid = en.entry_record_id(entry)
            if rid is not None:
                ours.setdefault(rid, (i, entry))
    problems: list[str] = []
    completed: list[str] = []
    abandoned: list[str] = []
    unfinished: list[str] = []

    with engine.connect() as conn:
        intents = [dict(r._mapping) for r in conn.execute(select(t.pending).where(t.pending.c.project == project))]
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
                with engine.begin() as conn:
                    complete(conn, project, op_id, rows, docs, written)
                completed.append(op_id)
            else:
                unfinished.append(f"{op_id}: in the ledger at index {found[0]} but its rows are missing")
        elif now_utc() - intent["created_at"] >= abandon_after:
            if repair:
                with engine.begin() as conn:
                    conn.execute(delete(t.pending).where(t.pending.c.op_id == op_id))
                abandoned.append(op_id)
            else:
                unfinished.append(f"{op_id}: never reached the ledger (interrupted write; repair drops it)")
        else:
            unfinished.append(f"{op_id}: write in progress (started {intent['created_at'].isoformat()})")

    seen: set[str] = {i["op_id"] for i in intents}
    checked = 0
    with engine.connect() as conn:
        for table, key in ((t.performers, "performer_id"), (t.grants, "grant_id"), (t.events, "event_id")):
            for r in conn.execute(select(table).where(table.c.project == project).order_by(table.c.ledger_index)):
                row = dict(r._mapping)
                rid, index = row[key], row["ledger_index"]
                seen.add(rid)
                checked += 1
                if index >= size:
                    problems.append(f"{table.name} {rid}: ledger index {index} is beyond the log (size {size})")
                    continue
                data = log.entry(index)
                if leaf_hash_hex(data) != row["leaf_hash"]:
                    problems.append(f"{table.name} {rid}: the ledger entry at {index} does not match its leaf hash")
                    continue
                actual = {k: v for k, v in log.entry_json(index).items() if k != "ledger"}
                if actual != _expected_entry(project, table.name, row):
                    problems.append(
                        f"{table.name} {rid}: the row differs from the ledger entry at {index} that recorded it "
                        "(edited after recording, or recorded without its entry)"
                    )
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
