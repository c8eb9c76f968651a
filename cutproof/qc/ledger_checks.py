"""QC checks against the project's ledger: the edit entry, checkpoint consistency, the label record, the decision
and the consent it relied on.

Entry payloads are read defensively (the field names of ``edit.applied/1``, ``policy.decided/1``,
``review.signed/1``, ``consent.*`` entries as described in the team brief), and every finding names the ledger
index it rests on so a reader can pull the receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from labeler.verify import Check, Status
from ledger import Log
from ledger.checkpoint import Checkpoint
from ledger.entries import parse_entry
from ledger.errors import LedgerError
from ledger.merkle import verify_consistency

EDIT_KIND = "edit.applied/1"
DECISION_KIND = "policy.decided/1"
REVIEW_KIND = "review.signed/1"
LABEL_KIND = "label.applied/1"
GRANT_KIND = "consent.granted/1"
REVOKED_KIND = "consent.revoked/1"
SUSPENDED_KIND = "consent.suspended/1"
LIFTED_KIND = "consent.suspension_lifted/1"


def entries_after(log: Log, index: int) -> Iterator[tuple[int, dict[str, Any]]]:
    """Entries ``index+1 .. size-1`` as (index, payload)."""
    for i, data in log.entries(index + 1):
        yield i, parse_entry(data)


def check_edit_entry(log: Log, index: int) -> tuple[Check, dict[str, Any] | None]:
    """The ledger entry the deliverable points to exists and records an edit."""
    try:
        entry = log.entry_json(index)
    except LedgerError as exc:
        return Check("ledger_entry", Status.FAIL, {"origin": log.origin, "index": index}, str(exc)), None
    evidence = {"origin": log.origin, "index": index, "kind": entry.get("kind"), "time": _time(entry)}
    if entry.get("kind") != EDIT_KIND:
        return Check(
            "ledger_entry", Status.FAIL, evidence, f"entry {index} is a {entry.get('kind')!r}, not an edit"
        ), None
    return Check("ledger_entry", Status.PASS, evidence), entry


def check_consistency(log: Log, size: int, root_hash_hex: str) -> Check:
    """The checkpoint the receipt was made against is consistent with the log's latest signed checkpoint."""
    try:
        latest = Checkpoint.open(log.checkpoint(), log.verifiers())
        proof = log.consistency_proof(size, latest.size)
        verify_consistency(size, latest.size, bytes.fromhex(root_hash_hex), latest.root_hash, proof)
    except (LedgerError, ValueError) as exc:
        return Check(
            "ledger_consistency",
            Status.FAIL,
            {"receipt_size": size},
            f"the receipt's checkpoint is not consistent with the latest ({exc}): the log was forked or rewritten",
        )
    return Check(
        "ledger_consistency",
        Status.PASS,
        {"receipt_size": size, "latest_size": latest.size, "proof_hashes": len(proof)},
    )


def find_label(log: Log, edit_index: int, manifest_sha256: str | None) -> tuple[int, dict[str, Any]] | None:
    """The ``label.applied/1`` entry for this edit (and manifest, when known)."""
    for i, e in entries_after(log, edit_index):
        same_edit = e.get("kind") == LABEL_KIND and e.get("edit_index") == edit_index
        if same_edit and (manifest_sha256 is None or e.get("manifest_sha256") == manifest_sha256):
            return i, e
    return None


def find_label_by_key(log: Log, key_hex: str) -> tuple[int, dict[str, Any]] | None:
    """Scan for the ``label.applied/1`` entry whose watermark key is ``key_hex`` (when the index table lacks it)."""
    for i, e in entries_after(log, -1):
        wm = e.get("watermark") if e.get("kind") == LABEL_KIND else None
        if isinstance(wm, Mapping) and str(wm.get("key", "")).lower() == key_hex:
            return i, e
    return None


def check_label_recorded(log: Log, edit_index: int, manifest_sha256: str | None) -> tuple[Check, dict | None]:
    found = find_label(log, edit_index, manifest_sha256)
    if found is None:
        return (
            Check(
                "label_recorded",
                Status.FAIL,
                {"edit_index": edit_index, "manifest_sha256": manifest_sha256},
                "no label.applied entry records this manifest: it was not issued by this project's labeller",
            ),
            None,
        )
    i, e = found
    return Check("label_recorded", Status.PASS, {"index": i, "manifest_sha256": e.get("manifest_sha256")}), e


def _decision_index(edit: Mapping[str, Any]) -> int | None:
    for candidate in (
        edit.get("decision_index"),
        _get(edit, "decision", "index"),
        _get(edit, "decision", "ledger_index"),
    ):
        if isinstance(candidate, int):
            return candidate
    return None


def check_decision(log: Log, edit_index: int, edit: Mapping[str, Any]) -> tuple[Check, dict[str, Any] | None]:
    """The gate allowed the edit, or asked for review and legal approved it before the edit."""
    di = _decision_index(edit)
    if di is None or di >= edit_index:
        return Check(
            "decision", Status.FAIL, {"edit_index": edit_index}, "the edit entry names no earlier gate decision"
        ), None
    try:
        decision = log.entry_json(di)
    except LedgerError as exc:
        return Check("decision", Status.FAIL, {"decision_index": di}, str(exc)), None
    outcome = decision.get("outcome") or _get(decision, "decision", "outcome")
    evidence = {"decision_index": di, "outcome": outcome, "kind": decision.get("kind")}
    if decision.get("kind") != DECISION_KIND:
        return Check("decision", Status.FAIL, evidence, f"entry {di} is not a policy decision"), None
    if outcome == "allow":
        return Check("decision", Status.PASS, evidence), decision
    if outcome == "review":
        for i, e in entries_after(log, di):
            if i >= edit_index:
                break
            if e.get("kind") == REVIEW_KIND and e.get("decision_index") == di:
                verdict = e.get("outcome") or e.get("verdict") or ("approved" if e.get("approved") is True else None)
                if verdict in ("approve", "approved"):
                    return Check("decision", Status.PASS, {**evidence, "review_index": i, "review": verdict}), decision
                return Check("decision", Status.FAIL, {**evidence, "review_index": i}, f"legal review: {verdict}"), None
        return Check(
            "decision", Status.FAIL, evidence, "the decision required legal review; no approval precedes the edit"
        ), None
    return Check("decision", Status.FAIL, evidence, f"the gate decided {outcome!r}: the edit should not exist"), None


def check_consent(
    log: Log,
    edit_index: int,
    decision: Mapping[str, Any] | None,
    edit: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> list[Check]:
    """Consent relied on was in force at edit time, and whether it has been withdrawn since.

    Reads the ``consent.*`` entries the consent registry writes and applies the registry's own time rules to them:
    a grant is in force from ``valid_from`` to ``valid_until``; a revocation takes effect at its ``effective_at``
    (which may lie before the entry was recorded: a revocation recorded after the edit but effective before it
    means the edit had no valid basis, though the gate could not have known); a suspension covers the performer
    (or the whole project) and the grant's category from ``start`` (inclusive) to ``end`` (exclusive), shortened
    by a ``consent.suspension_lifted/1`` entry's ``end``. Withdrawals in force now (at ``now``, default the
    current time) but not at the edit hold the deliverable for legal review.
    """
    if decision is None:
        return [Check("consent_at_edit", Status.SKIP, {}, "no valid decision to read the consent basis from")]
    relied = list(decision.get("relied_on") or edit.get("consent_refs") or [])
    if not relied:
        return [Check("consent_at_edit", Status.PASS, {"basis": "none required (no performer in the edited region)"})]
    edit_time = _when(_time(log.entry_json(edit_index)))
    now = now or dt.datetime.now(dt.UTC)
    events = _ConsentEvents(log)
    at_edit: list[str] = []
    problems: list[str] = []
    later: list[str] = []
    for r in relied:
        if r.get("kind") == "exemption":
            at_edit.append(f"exemption {r.get('exemption')} ({r.get('justification') or 'no justification'})")
            continue
        gi, grant_id = r.get("ledger_index"), r.get("grant_id")
        name = f"grant {grant_id or gi}"
        grant = _entry(log, gi) if isinstance(gi, int) and gi < edit_index else None
        if grant is None or grant.get("kind") != GRANT_KIND:
            problems.append(f"{name}: no consent.granted entry before the edit (entry {gi})")
            continue
        grant_id = grant_id or grant.get("grant_id")
        performer = r.get("performer_id") or grant.get("performer_id")
        start, until = _when(grant.get("valid_from")), _when(grant.get("valid_until"))
        if edit_time and ((start and start > edit_time) or (until and until < edit_time)):
            problems.append(f"{name} (entry {gi}) was not in force at the edit ({grant.get('valid_from')}–{until})")
            continue
        at_edit.append(f"{name} (entry {gi})")
        if until and until < now:
            later.append(f"{name}: expired {grant.get('valid_until')}")
        for i, effective in events.revocations(grant_id):
            recorded = "recorded before the edit" if i < edit_index else "recorded after the edit"
            if edit_time is None or effective is None or effective <= edit_time:
                problems.append(f"{name}: revoked effective {_iso(effective)} ({recorded}, entry {i})")
            elif effective <= now:
                later.append(f"{name}: revoked effective {_iso(effective)} (entry {i})")
            else:
                later.append(f"{name}: revocation takes effect {_iso(effective)} (entry {i})")
        for i, s_start, s_end in events.suspensions(performer, grant.get("category")):
            span = f"from {_iso(s_start)}" + (f" to {_iso(s_end)}" if s_end else "")
            if edit_time is not None and _covers(s_start, s_end, edit_time):
                problems.append(f"{name}: suspended at the edit ({span}, entry {i})")
            elif _covers(s_start, s_end, now):
                later.append(f"{name}: suspended {span} (entry {i})")
    checks = [
        Check("consent_at_edit", Status.FAIL if problems else Status.PASS, {"basis": at_edit}, "; ".join(problems))
    ]
    reason = "consent withdrawn since the edit — hold distribution for legal review: " + "; ".join(later)
    checks.append(
        Check("consent_current", Status.FAIL if later else Status.PASS, {"withdrawals": later}, reason if later else "")
    )
    return checks


class _ConsentEvents:
    """The log's revocation, suspension and lift entries, read once."""

    def __init__(self, log: Log) -> None:
        self.revoked: list[tuple[int, dict[str, Any]]] = []
        self.suspended: list[tuple[int, dict[str, Any]]] = []
        self.lifted: dict[Any, dt.datetime | None] = {}
        for i, e in entries_after(log, -1):
            kind = e.get("kind")
            if kind == REVOKED_KIND:
                self.revoked.append((i, e))
            elif kind == SUSPENDED_KIND:
                self.suspended.append((i, e))
            elif kind == LIFTED_KIND:
                sid, end = e.get("suspension_id"), _when(e.get("end")) or _when(_time(e))
                prev = self.lifted.get(sid)
                self.lifted[sid] = end if prev is None or end is None else min(prev, end)

    def revocations(self, grant_id: Any) -> Iterator[tuple[int, dt.datetime | None]]:
        for i, e in self.revoked:
            if e.get("grant_id") == grant_id:
                yield i, _when(e.get("effective_at")) or _when(_time(e))

    def suspensions(
        self, performer: Any, category: Any
    ) -> Iterator[tuple[int, dt.datetime | None, dt.datetime | None]]:
        for i, e in self.suspended:
            if not (e.get("scope") == "project" or e.get("performer_id") == performer):
                continue
            cats = e.get("categories")
            if isinstance(cats, list) and cats and "*" not in cats and category is not None and category not in cats:
                continue
            start, end = _when(e.get("start")) or _when(_time(e)), _when(e.get("end"))
            if e.get("suspension_id") in self.lifted:
                lift = self.lifted[e.get("suspension_id")]
                end = lift if end is None or lift is None else min(end, lift)
            yield i, start, end


def _covers(start: dt.datetime | None, end: dt.datetime | None, t: dt.datetime) -> bool:
    return (start is None or start <= t) and (end is None or t < end)


def _iso(t: dt.datetime | None) -> str:
    return t.isoformat().replace("+00:00", "Z") if t else "(time not recorded)"


def _entry(log: Log, index: int) -> dict[str, Any] | None:
    try:
        return log.entry_json(index)
    except LedgerError:
        return None


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def _get(d: Mapping[str, Any], *path: str) -> Any:
    node: Any = d
    for p in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(p)
    return node


def _time(entry: Mapping[str, Any]) -> str | None:
    t = _get(entry, "ledger", "time")
    return t if isinstance(t, str) else None
