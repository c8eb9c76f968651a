"""Records of the consent registry: performers, grants, revocations, suspensions, court approvals (see
``records.entries``)."""

# No `from __future__ import annotations` here: pydantic then reads the models' annotations as objects instead of
# compiling each one from a string (about 4 % of a short command's start-up, bench/cli.py --instructions).
from typing import Literal, Self

from pydantic import model_validator

from records._base import Category, PerformerKind, Record, Signer
from records.values import (
    EditKind,
    FixedUtc,
    Sha256Hex,
)

# ------------------------------------------------------------------------------------------- consent registry
# Ids, scope, dates and document hashes in clear; names, reasons and descriptions only as the salted
# ``record_sha256`` commitment (see ``consent._entries``). Times are fixed-width UTC text.


class PerformerRegistered(Record):
    kind: Literal["performer.registered/1"] = "performer.registered/1"
    project: str
    performer_id: str
    performer_kind: PerformerKind
    representative_document_sha256: Sha256Hex | None
    record_sha256: Sha256Hex


class PerformerAmended(Record):
    kind: Literal["performer.amended/1"] = "performer.amended/1"
    project: str
    event_id: str
    performer_id: str
    performer_kind: PerformerKind
    representative_document_sha256: Sha256Hex | None
    record_sha256: Sha256Hex


class ConsentGranted(Record):
    """One consent for one specific use: its scope, signer, signed document and validity window."""

    kind: Literal["consent.granted/1"] = "consent.granted/1"
    project: str
    grant_id: str
    performer_id: str
    category: Category
    edit_kinds: tuple[EditKind | Literal["*"], ...]
    purposes: tuple[str, ...]
    shots: tuple[str, ...] | Literal["all"]
    scenes: tuple[str, ...] | Literal["all"]
    separately_signed: bool
    signed_by: Signer
    signed_at: FixedUtc
    notice_given_at: FixedUtc | None
    document_sha256: Sha256Hex
    governing_law: str | None
    contract_edition: str
    valid_from: FixedUtc
    valid_until: FixedUtc | None
    languages: tuple[str, ...] | None
    record_sha256: Sha256Hex


class ConsentRevoked(Record):
    """A grant is revoked from ``effective_at`` (which may lie before or after the entry was recorded)."""

    kind: Literal["consent.revoked/1"] = "consent.revoked/1"
    project: str
    event_id: str
    grant_id: str
    performer_id: str
    effective_at: FixedUtc
    record_sha256: Sha256Hex


class ConsentSuspended(Record):
    """Consent suspended from ``start`` until ``end`` (open when null), for one performer or the project."""

    kind: Literal["consent.suspended/1"] = "consent.suspended/1"
    project: str
    suspension_id: str
    scope: Literal["performer", "project"]
    performer_id: str | None
    categories: tuple[Category | Literal["*"], ...]
    strike: bool
    start: FixedUtc
    end: FixedUtc | None
    record_sha256: Sha256Hex

    @model_validator(mode="after")
    def _scope(self) -> Self:
        if (self.scope == "project") != (self.performer_id is None):
            raise ValueError("scope 'project' has no performer_id; scope 'performer' names one")
        return self


class SuspensionLifted(Record):
    """A suspension ends at ``end`` (earlier than it was set to)."""

    kind: Literal["consent.suspension_lifted/1"] = "consent.suspension_lifted/1"
    project: str
    event_id: str
    suspension_id: str
    end: FixedUtc
    record_sha256: Sha256Hex


class CourtApproved(Record):
    """A court approved a minor's consent contract (grant), from ``approved_at``, by the recorded order."""

    kind: Literal["consent.court_approved/1"] = "consent.court_approved/1"
    project: str
    event_id: str
    grant_id: str
    performer_id: str
    approved_at: FixedUtc
    court_document_sha256: Sha256Hex
    record_sha256: Sha256Hex
