"""The ledger entries the registry writes, and the salted commitments that keep personal data out of them.

An entry carries ids, scope, dates and document hashes in clear, and a ``record_sha256`` commitment to the whole
registry record: SHA-256 of a random per-record salt followed by the RFC 8785 canonical JSON of the record. Names,
guild ids, representatives, the use description, compensation references and free-text reasons stay in the
registry; an auditor handed the record and its salt can open the commitment, nobody else can guess it.

Entry kinds (versioned, modelled in ``records``): ``performer.registered/1``, ``performer.amended/1``,
``consent.granted/1``, ``consent.revoked/1``, ``consent.suspended/1``, ``consent.suspension_lifted/1``,
``consent.court_approved/1``. Each builder returns the entry payload of its record model.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

import rfc8785

from consent.errors import InvalidRecordError
from consent.models import ConsentGrant, Performer, Suspension
from records import (
    ConsentGranted,
    ConsentRevoked,
    ConsentSuspended,
    CourtApproved,
    PerformerAmended,
    PerformerRegistered,
    SuspensionLifted,
)

PERFORMER_REGISTERED = PerformerRegistered.KIND
PERFORMER_AMENDED = PerformerAmended.KIND
CONSENT_GRANTED = ConsentGranted.KIND
CONSENT_REVOKED = ConsentRevoked.KIND
CONSENT_SUSPENDED = ConsentSuspended.KIND
SUSPENSION_LIFTED = SuspensionLifted.KIND
COURT_APPROVED = CourtApproved.KIND
ENTRY_KINDS = (
    PERFORMER_REGISTERED,
    PERFORMER_AMENDED,
    CONSENT_GRANTED,
    CONSENT_REVOKED,
    CONSENT_SUSPENDED,
    SUSPENSION_LIFTED,
    COURT_APPROVED,
)

_GRANT_STATE_FIELDS = {"ledger_index", "recorded_at", "revoked_at", "suspensions", "court_approved_at", "capacity"}


def new_salt() -> str:
    """A fresh 128-bit salt, hex."""
    return secrets.token_hex(16)


def commitment(salt: str, record: dict[str, Any]) -> str:
    """SHA-256 hex of ``salt`` bytes followed by the canonical JSON of ``record``.

    Raises:
        InvalidRecordError: the record has no canonical JSON (text that is not Unicode, such as a lone UTF-16
            surrogate from a ``\\ud800`` escape or an undecodable command-line byte); nothing can be committed to.
    """
    try:
        canonical = rfc8785.dumps(record)
    except rfc8785.CanonicalizationError as exc:
        raise InvalidRecordError(
            f"the record cannot be signed: {exc} (text must be valid Unicode; a lone UTF-16 surrogate is not); "
            "correct the text and submit it again"
        ) from None
    return hashlib.sha256(bytes.fromhex(salt) + canonical).hexdigest()


def performer_record(performer: Performer) -> dict[str, Any]:
    """The committed form of a performer (every field, JSON mode)."""
    return performer.model_dump(mode="json")


def grant_record(grant: ConsentGrant) -> dict[str, Any]:
    """The committed form of a grant: every field except its evaluated state and where it was recorded."""
    return grant.model_dump(mode="json", exclude=_GRANT_STATE_FIELDS)


def event_record(event_id: str, reason: str) -> dict[str, Any]:
    """The committed form of an event's private part."""
    return {"event_id": event_id, "reason": reason}


def performer_entry(project: str, performer: Performer, salt: str) -> dict[str, Any]:
    """The ``performer.registered/1`` entry for a performer."""
    rep = performer.representative
    return PerformerRegistered(
        project=project,
        performer_id=performer.performer_id,
        performer_kind=performer.kind,
        representative_document_sha256=rep.authority_document_sha256 if rep else None,
        record_sha256=commitment(salt, performer_record(performer)),
    ).entry()


def amended_entry(project: str, event_id: str, performer: Performer, reason: str, salt: str) -> dict[str, Any]:
    """The ``performer.amended/1`` entry: the performer's record changed (e.g. death, a representative appointed)."""
    rep = performer.representative
    record = {"event_id": event_id, "performer": performer_record(performer), "reason": reason}
    return PerformerAmended(
        project=project,
        event_id=event_id,
        performer_id=performer.performer_id,
        performer_kind=performer.kind,
        representative_document_sha256=rep.authority_document_sha256 if rep else None,
        record_sha256=commitment(salt, record),
    ).entry()


def grant_entry(grant: ConsentGrant, salt: str) -> dict[str, Any]:
    """The ``consent.granted/1`` entry for a grant (scope and dates in clear, text committed)."""
    return ConsentGranted(
        project=grant.project,
        grant_id=grant.grant_id,
        performer_id=grant.performer_id,
        category=grant.category,
        edit_kinds=tuple(grant.edit_kinds),  # type: ignore[arg-type]  # checked by ConsentGrant
        purposes=tuple(grant.purposes),
        shots=grant.shots if isinstance(grant.shots, str) else tuple(grant.shots),
        scenes=grant.scenes if isinstance(grant.scenes, str) else tuple(grant.scenes),
        separately_signed=grant.separately_signed,
        signed_by=grant.signed_by,
        signed_at=grant.signed_at,
        notice_given_at=grant.notice_given_at,
        document_sha256=grant.document_sha256,
        governing_law=grant.governing_law,
        contract_edition=grant.contract_edition,
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        languages=tuple(grant.languages) if grant.languages is not None else None,
        record_sha256=commitment(salt, grant_record(grant)),
    ).entry()


def revoked_entry(
    project: str, event_id: str, grant_id: str, performer_id: str, effective_at: datetime, reason: str, salt: str
) -> dict[str, Any]:
    """The ``consent.revoked/1`` entry."""
    return ConsentRevoked(
        project=project,
        event_id=event_id,
        grant_id=grant_id,
        performer_id=performer_id,
        effective_at=effective_at,
        record_sha256=commitment(salt, event_record(event_id, reason)),
    ).entry()


def suspended_entry(project: str, s: Suspension, salt: str) -> dict[str, Any]:
    """The ``consent.suspended/1`` entry (``scope`` is ``performer`` or ``project``)."""
    return ConsentSuspended(
        project=project,
        suspension_id=s.suspension_id,
        scope="project" if s.performer_id is None else "performer",
        performer_id=s.performer_id,
        categories=tuple(s.categories),
        strike=s.strike,
        start=s.start,
        end=s.end,
        record_sha256=commitment(salt, event_record(s.suspension_id, s.reason)),
    ).entry()


def lifted_entry(
    project: str, event_id: str, suspension_id: str, end: datetime, reason: str, salt: str
) -> dict[str, Any]:
    """The ``consent.suspension_lifted/1`` entry."""
    return SuspensionLifted(
        project=project,
        event_id=event_id,
        suspension_id=suspension_id,
        end=end,
        record_sha256=commitment(salt, event_record(event_id, reason)),
    ).entry()


def court_approved_entry(
    project: str,
    event_id: str,
    grant_id: str,
    performer_id: str,
    approved_at: datetime,
    court_document_sha256: str,
    reason: str,
    salt: str,
) -> dict[str, Any]:
    """The ``consent.court_approved/1`` entry (the court's order is a recorded document; the case reference is
    committed)."""
    return CourtApproved(
        project=project,
        event_id=event_id,
        grant_id=grant_id,
        performer_id=performer_id,
        approved_at=approved_at,
        court_document_sha256=court_document_sha256,
        record_sha256=commitment(salt, event_record(event_id, reason)),
    ).entry()


def entry_record_id(entry: dict[str, Any]) -> str | None:
    """The registry id an entry of ours records (performer, grant, suspension or event id), or None."""
    kind = entry.get("kind")
    if kind == PERFORMER_REGISTERED:
        return entry.get("performer_id")
    if kind == CONSENT_GRANTED:
        return entry.get("grant_id")
    if kind == CONSENT_SUSPENDED:
        return entry.get("suspension_id")
    if kind in (CONSENT_REVOKED, SUSPENSION_LIFTED, PERFORMER_AMENDED, COURT_APPROVED):
        return entry.get("event_id")
    return None
