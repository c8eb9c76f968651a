"""QC checks against the project's ledger: the edit entry, checkpoint consistency, the label record, the decision
and the consent it relied on.

Entries are read as typed records (``records``, through ``cutproof.core.recorded``): an entry that is not the
record it must be, or not a record this release can read, fails the check that needed it and says why. Consent is
judged from the ledger's own consent entries (``consent.granted/1``, ``consent.revoked/1``, ``consent.suspended/1``,
``consent.suspension_lifted/1``) by the consent clock (``consent.clock``), the same rules the gate and the audit
use; every finding names the ledger index it rests on so a reader can pull the receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from consent import clock
from cutproof.core import recorded
from cutproof.core.recorded import Recorded
from labeler.verify import Check, Status
from ledger import Log
from ledger.checkpoint import Checkpoint
from ledger.errors import LedgerError
from ledger.merkle import verify_consistency
from records import (
    AnyRecord,
    ConsentGranted,
    ConsentRevoked,
    ConsentSuspended,
    DecisionReliance,
    EditApplied,
    LabelApplied,
    Obligations,
    PolicyDecided,
    RecordError,
    ReviewSigned,
    SuspensionLifted,
)


def records_after(log: Log, index: int) -> Iterator[Recorded[AnyRecord]]:
    """Records of entries ``index+1 .. size-1`` (the ledger's own entries left out).

    Raises:
        RecordError: an entry is not a record this release can read.
    """
    return recorded.scan(log, index + 1)


def check_edit_entry(log: Log, index: int) -> tuple[Check, Recorded[EditApplied] | None]:
    """The ledger entry the deliverable points to exists and records a gated edit."""
    try:
        found = recorded.read(log, index)
    except (LedgerError, RecordError) as exc:
        return Check("ledger_entry", Status.FAIL, {"origin": log.origin, "index": index}, str(exc)), None
    kind = found.record.kind if found else "ledger's own entry"
    evidence = {"origin": log.origin, "index": index, "kind": kind, "time": _iso(found.time) if found else None}
    if found is None or not isinstance(found.record, EditApplied):
        return Check("ledger_entry", Status.FAIL, evidence, f"entry {index} is a {kind!r}, not a gated edit"), None
    return Check("ledger_entry", Status.PASS, evidence), found  # type: ignore[return-value]  # narrowed above


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


def find_label(log: Log, edit_index: int, manifest_sha256: str | None) -> Recorded[LabelApplied] | None:
    """The ``label.applied/1`` record for this edit (and manifest, when known).

    Raises:
        RecordError: an entry after the edit is not a record this release can read.
    """
    for found in records_after(log, edit_index):
        rec = found.record
        same_edit = isinstance(rec, LabelApplied) and rec.edit_index == edit_index
        if same_edit and (manifest_sha256 is None or rec.manifest_sha256 == manifest_sha256):  # type: ignore[union-attr]
            return found  # type: ignore[return-value]  # narrowed above
    return None


def find_label_by_key(log: Log, key_hex: str) -> Recorded[LabelApplied] | None:
    """The ``label.applied/1`` record whose watermark key is ``key_hex`` (when the index table lacks it).

    Raises:
        RecordError: an entry is not a record this release can read.
    """
    for found in records_after(log, -1):
        rec = found.record
        if isinstance(rec, LabelApplied) and rec.watermark is not None and rec.watermark.key == key_hex.lower():
            return found  # type: ignore[return-value]  # narrowed above
    return None


def check_label_recorded(
    log: Log, edit_index: int, manifest_sha256: str | None
) -> tuple[Check, Recorded[LabelApplied] | None]:
    """A ``label.applied/1`` record of this project's labeller names this manifest."""
    evidence = {"edit_index": edit_index, "manifest_sha256": manifest_sha256}
    try:
        found = find_label(log, edit_index, manifest_sha256)
    except RecordError as exc:
        return Check("label_recorded", Status.FAIL, evidence, str(exc)), None
    if found is None:
        return (
            Check(
                "label_recorded",
                Status.FAIL,
                evidence,
                "no label.applied entry records this manifest: it was not issued by this project's labeller",
            ),
            None,
        )
    return Check("label_recorded", Status.PASS, {"index": found.index, "manifest_sha256": manifest_sha256}), found


def recorded_obligations(log: Log, edit: Recorded[EditApplied], decision: Recorded[PolicyDecided]) -> Obligations:
    """The obligations the deliverable owes as recorded: those legal's sign-off recomputed from its answers (the
    ``review.signed`` entry the edit names), else the gate's decision's."""
    ri = edit.record.review_index
    if ri is not None:
        try:
            found = recorded.read(log, ri)
        except (LedgerError, RecordError):
            found = None
        if found is not None and isinstance(found.record, ReviewSigned) and found.record.obligations is not None:
            return found.record.obligations
    return decision.record.obligations


def check_decision(
    log: Log, edit_index: int, edit: Recorded[EditApplied]
) -> tuple[Check, Recorded[PolicyDecided] | None]:
    """The gate allowed the edit, or asked for review and legal approved it before the edit."""
    di = edit.record.decision_index
    if di >= edit_index:
        return Check(
            "decision", Status.FAIL, {"edit_index": edit_index}, "the edit entry names no earlier gate decision"
        ), None
    try:
        found = recorded.read(log, di)
    except (LedgerError, RecordError) as exc:
        return Check("decision", Status.FAIL, {"decision_index": di}, str(exc)), None
    if found is None or not isinstance(found.record, PolicyDecided):
        kind = found.record.kind if found else "ledger's own entry"
        return Check(
            "decision", Status.FAIL, {"decision_index": di, "kind": kind}, f"entry {di} is not a policy decision"
        ), None
    decision: Recorded[PolicyDecided] = found  # type: ignore[assignment]  # narrowed above
    outcome = decision.record.outcome
    evidence = {"decision_index": di, "outcome": outcome, "kind": decision.record.kind}
    if outcome == "allow":
        return Check("decision", Status.PASS, evidence), decision
    if outcome == "review":
        try:
            for r in recorded.scan(log, di + 1, edit_index):
                if isinstance(r.record, ReviewSigned) and r.record.decision_index == di:
                    if r.record.verdict == "approve":
                        return Check(
                            "decision", Status.PASS, {**evidence, "review_index": r.index, "review": "approve"}
                        ), decision
                    return Check(
                        "decision",
                        Status.FAIL,
                        {**evidence, "review_index": r.index},
                        f"legal review: {r.record.verdict}",
                    ), None
        except RecordError as exc:
            return Check("decision", Status.FAIL, evidence, str(exc)), None
        return Check(
            "decision", Status.FAIL, evidence, "the decision required legal review; no approval precedes the edit"
        ), None
    return Check("decision", Status.FAIL, evidence, f"the gate decided {outcome!r}: the edit should not exist"), None


# ------------------------------------------------------------------------------------------------ consent


@dataclass
class LedgerConsent:
    """A log's consent entries as the consent clock's inputs, each with the ledger index and time it was recorded
    (the time the registry's rows carry too, so a ``known_at`` means the same here and there)."""

    grants: dict[str, Recorded[ConsentGranted]] = field(default_factory=dict)
    history: clock.History = field(default_factory=clock.History)
    revocations: list[tuple[int, clock.Revocation]] = field(default_factory=list)
    suspension_index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, log: Log) -> LedgerConsent:
        """Read the log's consent entries once.

        Raises:
            RecordError: an entry is not a record this release can read.
        """
        out = cls()
        suspended: list[clock.SuspensionEvent] = []
        lifts: list[clock.Lift] = []
        for found in recorded.scan(log):
            rec, t = found.record, found.time
            if isinstance(rec, ConsentGranted):
                out.grants.setdefault(rec.grant_id, found)  # type: ignore[arg-type]  # narrowed above
            elif isinstance(rec, ConsentRevoked):
                out.revocations.append((found.index, clock.Revocation(rec.grant_id, rec.effective_at, t)))
            elif isinstance(rec, ConsentSuspended):
                out.suspension_index[rec.suspension_id] = found.index
                suspended.append(
                    clock.SuspensionEvent(
                        rec.suspension_id, rec.performer_id, rec.start, rec.end, tuple(rec.categories), rec.strike,
                        "", t,
                    )
                )  # fmt: skip
            elif isinstance(rec, SuspensionLifted):
                lifts.append(clock.Lift(rec.suspension_id, rec.end, t))
        out.history = clock.History(tuple(r for _, r in out.revocations), tuple(suspended), tuple(lifts))
        return out

    def terms(self, grant_id: str) -> clock.GrantTerms | None:
        """The clock's view of a grant recorded in the log (None if none is)."""
        found = self.grants.get(grant_id)
        if found is None:
            return None
        g = found.record
        return clock.GrantTerms(g.grant_id, g.performer_id, g.category, g.valid_from, g.valid_until, found.time)

    def judge(self, grant_id: str, at: dt.datetime, known_at: dt.datetime | None = None) -> clock.Judgement | None:
        """The clock's judgement of a grant at ``at`` from the ledger's entries (recorded by ``known_at``)."""
        terms = self.terms(grant_id)
        if terms is None or not clock.is_known(terms.recorded_at, known_at):
            return None
        return clock.judge(terms, self.history, at, known_at)


def check_consent(
    log: Log,
    edit_index: int,
    decision: Recorded[PolicyDecided] | None,
    edit: Recorded[EditApplied],
    now: dt.datetime | None = None,
) -> list[Check]:
    """Consent relied on was in force at edit time, and whether it has been withdrawn since.

    Judges each grant the decision relied on with the consent clock, from the ledger's consent entries, at the
    edit's ledger time counting every entry recorded so far: a revocation recorded after the edit but effective
    before it means the edit had no valid basis, though the gate could not have known. Withdrawals in force now
    (at ``now``, default the current time) but not at the edit — or a revocation already recorded to take effect
    later — hold the deliverable for legal review.
    """
    if decision is None:
        return [Check("consent_at_edit", Status.SKIP, {}, "no valid decision to read the consent basis from")]
    relied: tuple[DecisionReliance, ...] = decision.record.relied_on or edit.record.consent
    if not relied:
        return [Check("consent_at_edit", Status.PASS, {"basis": "none required (no performer in the edited region)"})]
    try:
        ledger = LedgerConsent.read(log)
    except RecordError as exc:
        return [Check("consent_at_edit", Status.FAIL, {}, str(exc))]
    edit_time = edit.time
    now = now or dt.datetime.now(dt.UTC)
    at_edit: list[str] = []
    problems: list[str] = []
    later: list[str] = []
    for r in relied:
        if r.kind == "exemption":
            at_edit.append(f"exemption {r.exemption} ({r.justification or 'no justification'})")
            continue
        gi, name = r.ledger_index, f"grant {r.grant_id or r.ledger_index}"
        found = ledger.grants.get(r.grant_id or "")
        if found is None or gi is None or found.index != gi or gi >= edit_index:
            problems.append(f"{name}: no consent.granted entry before the edit (entry {gi})")
            continue
        grant = found.record
        judged = ledger.judge(grant.grant_id, edit_time)
        assert judged is not None
        if judged.status in ("not_yet_valid", "expired"):
            until = _iso(grant.valid_until) if grant.valid_until else "open"
            problems.append(f"{name} (entry {gi}) was not in force at the edit ({_iso(grant.valid_from)}–{until})")
            continue
        at_edit.append(f"{name} (entry {gi})")
        current = ledger.judge(grant.grant_id, now)
        assert current is not None
        if current.expired_since is not None:
            later.append(f"{name}: expired {_iso(current.expired_since)}")
        for i, rev in ledger.revocations:
            if rev.grant_id != grant.grant_id:
                continue
            when = "recorded before the edit" if i < edit_index else "recorded after the edit"
            if rev.effective_at == judged.revoked_since:
                problems.append(f"{name}: revoked effective {_iso(rev.effective_at)} ({when}, entry {i})")
            elif judged.revoked_since is not None:
                continue  # an earlier revocation already decides it
            elif rev.effective_at == current.revoked_since:
                later.append(f"{name}: revoked effective {_iso(rev.effective_at)} (entry {i})")
            elif current.revoked_since is None:
                later.append(f"{name}: revocation takes effect {_iso(rev.effective_at)} (entry {i})")
        at_edit_ids = {s.suspension_id for s in judged.suspensions}
        for s in judged.suspensions:
            problems.append(
                f"{name}: suspended at the edit ({_span(s)}, entry {ledger.suspension_index[s.suspension_id]})"
            )
        for s in current.suspensions:
            if s.suspension_id not in at_edit_ids:
                later.append(f"{name}: suspended {_span(s)} (entry {ledger.suspension_index[s.suspension_id]})")
    checks = [
        Check("consent_at_edit", Status.FAIL if problems else Status.PASS, {"basis": at_edit}, "; ".join(problems))
    ]
    reason = "consent withdrawn since the edit — hold distribution for legal review: " + "; ".join(later)
    checks.append(
        Check("consent_current", Status.FAIL if later else Status.PASS, {"withdrawals": later}, reason if later else "")
    )
    return checks


def _span(s: clock.SuspensionSpan) -> str:
    return f"from {_iso(s.start)}" + (f" to {_iso(s.end)}" if s.end else "")


def _iso(t: dt.datetime | None) -> str:
    return t.isoformat().replace("+00:00", "Z") if t else "(time not recorded)"
