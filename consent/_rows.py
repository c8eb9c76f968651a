"""Conversions between registry records (pydantic models) and table rows, and JSON-safe row payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from consent.models import ConsentGrant, Performer, Representative, Suspension


def performer_values(project: str, performer: Performer, salt: str) -> dict[str, Any]:
    """Row values of a performer (without the ledger columns)."""
    rep = performer.representative
    return {
        "performer_id": performer.performer_id,
        "project": project,
        "name": performer.name,
        "kind": performer.kind,
        "guild_member": performer.guild_member,
        "guild": performer.guild,
        "guild_id": performer.guild_id,
        "minor": performer.minor,
        "deceased": performer.deceased,
        "died_at": performer.died_at,
        "representative_name": rep.name if rep else None,
        "representative_document_sha256": rep.authority_document_sha256 if rep else None,
        "representation": performer.representation,
        "salt": salt,
    }


def performer_from_row(m: dict[str, Any]) -> Performer:
    """The performer a row holds."""
    rep = None
    if m["representative_name"] is not None:
        rep = Representative(
            name=m["representative_name"], authority_document_sha256=m["representative_document_sha256"]
        )
    return Performer(
        performer_id=m["performer_id"],
        name=m["name"],
        kind=m["kind"],
        guild_member=m["guild_member"],
        guild=m["guild"],
        guild_id=m["guild_id"],
        minor=m["minor"],
        deceased=m["deceased"],
        died_at=m["died_at"],
        representative=rep,
        representation=m["representation"],
    )


_GRANT_FIELDS = (
    "grant_id",
    "project",
    "performer_id",
    "category",
    "edit_kinds",
    "purposes",
    "shots",
    "scenes",
    "use_description",
    "separately_signed",
    "signed_by",
    "signed_at",
    "notice_given_at",
    "document_sha256",
    "governing_law",
    "contract_edition",
    "valid_from",
    "valid_until",
    "compensation_ref",
    "languages",
)


def grant_values(grant: ConsentGrant, salt: str) -> dict[str, Any]:
    """Row values of a grant (without the ledger columns)."""
    values = {f: getattr(grant, f) for f in _GRANT_FIELDS}
    for f in ("edit_kinds", "purposes", "languages"):
        values[f] = None if values[f] is None else list(values[f])
    for f in ("shots", "scenes"):
        values[f] = values[f] if isinstance(values[f], str) else list(values[f])
    values["salt"] = salt
    return values


def grant_from_row(m: dict[str, Any], **state: Any) -> ConsentGrant:
    """The grant a row holds, with the evaluated ``state`` (revoked_at, suspensions) given."""
    fields = {f: m[f] for f in _GRANT_FIELDS}
    return ConsentGrant(**fields, ledger_index=m["ledger_index"], recorded_at=m["recorded_at"], **state)


def suspension_from_row(row: dict[str, Any], *, end: datetime | None) -> Suspension:
    """The suspension a ``suspended`` event row records, ending at ``end``."""
    return Suspension(
        suspension_id=row["event_id"],
        performer_id=row["performer_id"],
        start=row["effective_at"],
        end=end,
        reason=row["reason"],
        categories=row["categories"] or ["*"],
        strike=bool(row["strike"]),
    )
