"""Capacity: who may sign for whom, and whether a court approval the governing law asks is on record. Pure
functions over plain values; part of the consent clock, whose public module (``consent.clock``) re-exports every
name here — import them from there.

A living adult signs for themself (a representative's or the union's signature is the policies' question, not a
capacity failure). A minor consents through a parent or guardian — the representative, with the authority document
on record — never alone; where the governing law makes court approval the only way a minor's entertainment contract
binds (``COURT_APPROVAL_LAWS``) the approval must be on record too. A deceased performer consents through the
estate's authorised representative, with the authority document on record (the union only when no representative
can be identified); their own signature counts only if it is dated before their recorded death. A grant signed
without capacity does not cover a use.

This is an encoding of rules for a software gate, not legal advice; the policy packs cite the sources.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Literal

Signer = Literal["performer", "representative", "union"]


def signed_in_life(signed_at: datetime | None, died_at: datetime | None) -> bool:
    """Whether a signature is dated before a recorded death (no date, or no date of death: it cannot be shown)."""
    return signed_at is not None and died_at is not None and signed_at < died_at


@dataclass(frozen=True, slots=True)
class CourtApprovalLaw:
    """A jurisdiction whose law makes a minor's entertainment contract binding only once a court approves it."""

    code: str
    citation: str
    rule: str


COURT_APPROVAL_LAWS: Mapping[str, CourtApprovalLaw] = MappingProxyType(
    {
        "US-CA": CourtApprovalLaw(
            "US-CA",
            "Cal. Fam. Code §§6750–6753",
            "a minor's contract for artistic or creative services (including motion pictures) approved by the "
            "superior court cannot be disaffirmed on the ground of minority; without that approval the minor may "
            "disaffirm it (Cal. Fam. Code §6710), and the court sets aside part of the earnings in trust (§6752)",
        ),
        "US-NY": CourtApprovalLaw(
            "US-NY",
            "N.Y. Arts & Cult. Aff. Law §35.03",
            "a contract of a child performer approved by the court cannot be disaffirmed on the ground of infancy; "
            "the court's order sets aside part of the earnings in trust",
        ),
    }
)
"""Where the governing law asks for a court-approved contract before a minor's consent binds. Data, not legal
advice: keep it to jurisdictions whose statute you can cite, and have counsel confirm it for a production."""


@dataclass(frozen=True, slots=True)
class SignerFacts:
    """What capacity depends on about the performer (as the registry knew them when the grant was recorded, with
    their death as known now)."""

    performer_id: str
    minor: bool = False
    deceased: bool = False
    died_at: datetime | None = None
    representative_document_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Capacity:
    """Whether the signer could consent for the performer, and whether a court approval the law asks is on record.

    ``court_approval``: ``not_required``, ``on_record`` (in force at the instant judged) or ``missing``.
    """

    ok: bool
    problem: str | None = None
    court_approval: Literal["not_required", "on_record", "missing"] = "not_required"
    law: CourtApprovalLaw | None = None


def capacity(
    grant_id: str,
    signed_by: Signer,
    signed_at: datetime | None,
    performer: SignerFacts,
    governing_law: str | None,
    approved_since: datetime | None = None,
) -> Capacity:
    """Judge who signed grant ``grant_id`` against the performer (see the module docstring).

    ``approved_since``: when a court's approval of the grant took effect, if one is in force
    (``consent.clock.court_approved_since``).
    """
    pid, has_doc = performer.performer_id, performer.representative_document_sha256 is not None
    if performer.deceased:
        if signed_by == "performer":
            if signed_in_life(signed_at, performer.died_at):
                return Capacity(True)
            dated = "no date of death is on record" if performer.died_at is None else "it is not dated before death"
            return Capacity(
                False,
                f"{grant_id} was signed by {pid} themself, but {pid} is deceased and {dated}; a deceased performer "
                "consents through the estate's authorised representative, with the authority document on record",
            )
        if signed_by == "representative" and not has_doc:
            return Capacity(
                False,
                f"{grant_id} was signed by a representative of deceased {pid}, but no authorised representative "
                "with an authority document is on record for the estate",
            )
        if signed_by == "union" and has_doc:
            return Capacity(
                False,
                f"{grant_id} was signed by the union for deceased {pid}, who has an authorised representative on "
                "record; the union signs only when no representative can be identified",
            )
        return Capacity(True)
    if performer.minor:
        if signed_by != "representative":
            who = f"{pid} alone" if signed_by == "performer" else "the union"
            return Capacity(
                False,
                f"{grant_id} was signed by {who}, but {pid} is a minor; a minor consents through a parent or "
                "guardian, signing as the representative with the authority document on record",
            )
        if not has_doc:
            return Capacity(
                False,
                f"{grant_id} was signed by a representative of minor {pid}, but no parent's or guardian's "
                "authority document is on record",
            )
        law = COURT_APPROVAL_LAWS.get(governing_law or "")
        if law is None:
            return Capacity(True)
        return Capacity(True, None, "on_record" if approved_since is not None else "missing", law)
    return Capacity(True)
