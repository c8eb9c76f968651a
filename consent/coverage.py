"""Answers for legal: the history of a grant, and what consent covered a performer for a use at a time, with proofs.

A ``Proof`` is a ledger entry (its exact canonical JSON) with a ``c2sp.org/tlog-proof@v1`` receipt; anyone holding
the log's verifier keys can check it offline (``Proof.verify`` / ``Coverage.verify``) without trusting this
registry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from consent.models import ConsentGrant, Suspension, UTCDateTime

if TYPE_CHECKING:
    from ledger import VerifiedReceipt

EventKind = Literal["registered", "granted", "revoked", "suspended", "suspension_lifted", "court_approved"]


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)  # built on first use


class ConsentEvent(_Answer):
    """One thing that happened to a grant (or to consent around it), as recorded."""

    event_id: str
    kind: EventKind
    grant_id: str | None = None
    performer_id: str | None = None
    suspension_id: str | None = None
    effective_at: UTCDateTime
    end: UTCDateTime | None = None
    reason: str | None = None
    recorded_at: UTCDateTime
    identity: str
    ledger_index: int


class Proof(_Answer):
    """A ledger entry and the receipt proving it is in the log."""

    ledger_index: int
    kind: str
    entry: str = Field(description="the entry's exact canonical JSON (UTF-8), as stored in the ledger")
    leaf_hash: str
    receipt: str

    def verify(self, verifier_keys: Sequence[str]) -> VerifiedReceipt:
        """Check the receipt against the entry and the log's keys, offline.

        Raises:
            ReceiptError: the receipt is malformed, for another entry, or not signed by these keys.
        """
        from ledger import verify_receipt

        return verify_receipt(self.receipt, self.entry.encode(), verifier_keys)


class CandidateGrant(_Answer):
    """A grant of the performer considered for the use, with why it does or does not cover it and its proofs."""

    grant: ConsentGrant
    covers: bool
    shortfalls: list[str] = Field(description="why the grant does not cover the use (empty when it does)")
    events: list[ConsentEvent]
    proofs: list[Proof]


class Coverage(_Answer):
    """What consent covered performer ``performer_id`` for the use at ``at``, provable from the ledger."""

    project: str
    origin: str
    performer_id: str
    edit_kind: str
    purpose: str
    shot: str | None
    scene: str | None
    category: str | None = None
    language: str | None = None
    at: datetime
    known_at: datetime | None = None
    covered: bool
    covering: list[CandidateGrant]
    not_covering: list[CandidateGrant]
    suspensions: list[Suspension] = Field(description="suspensions in force at `at` for this performer")
    performer_proofs: list[Proof] = Field(description="the performer's registration, then any amendments")
    checkpoint: str
    verifier_keys: list[str]

    def proofs(self) -> list[Proof]:
        """Every proof in the answer (performer registration first), without duplicates."""
        seen: dict[int, Proof] = {p.ledger_index: p for p in self.performer_proofs}
        for cand in (*self.covering, *self.not_covering):
            for p in cand.proofs:
                seen.setdefault(p.ledger_index, p)
        return list(seen.values())

    def verify(self, verifier_keys: Sequence[str] | None = None) -> int:
        """Verify every receipt in the answer; returns how many were checked.

        Args:
            verifier_keys: keys to trust; defaults to the ones in the answer (pass your own pinned keys to avoid
                trusting the answer's).

        Raises:
            ReceiptError: a receipt does not verify.
        """
        keys = list(verifier_keys) if verifier_keys is not None else self.verifier_keys
        proofs = self.proofs()
        for p in proofs:
            p.verify(keys)
        return len(proofs)
