"""The consent clock: every rule about consent times, and who may sign for whom. Pure functions over plain values.

This module alone compares consent times (with its two private parts, ``consent._times`` and
``consent._capacity``); the registry, the gate, delivery QC and the audit all call it, so they give the same answer
about the same grant at the same instant.

Two times are involved. ``at`` is the instant the question is about (an edit, now). ``known_at`` (optional)
limits the answer to what had been recorded by then: an event counts only if its ``recorded_at`` is at or before
``known_at`` (with ``known_at`` None, everything recorded so far counts, including a revocation recorded later
with an earlier effective date). An event with no ``recorded_at`` (a what-if case) always counts.

The rules, all half-open and applied the same way everywhere:

1. a grant is valid from ``valid_from`` (inclusive) until ``valid_until`` (exclusive; none: open-ended);
2. a revocation is in force from its ``effective_at`` (inclusive), whether it was recorded before or after that
   instant; two revocations of one grant (two writers raced): the earliest effective one counts;
3. a suspension applies to its performer's grants (or every performer's, when production-wide) of its categories
   (``*``: all) and is in force from ``start`` (inclusive) until ``end`` (exclusive; none: until lifted); a lift
   ends it at the lift's ``end`` when that is earlier (the earliest lift counts);
4. a court's approval of a grant is in force from ``approved_at`` (inclusive).

A grant is *in force* at ``at`` when 1 holds and neither 2 nor 3 does. ``judge`` says which of them fails, since
when, and in words.

Capacity (``capacity``): who may sign for whom — a minor through a parent or guardian (with a court's approval
where the governing law asks for one, ``COURT_APPROVAL_LAWS``), a deceased performer through the estate's
authorised representative. Those rules live in ``consent._capacity`` (``Signer``, ``SignerFacts``, ``Capacity``,
``CourtApprovalLaw``, ``COURT_APPROVAL_LAWS``, ``signed_in_life``, ``capacity``) and are re-exported here: import
them from this module.

Time primitives (``check_window``/``WindowError``, ``check_not_before``, ``earlier``, ``in_future``,
``whole_years``) live in ``consent._times`` and are re-exported here as well.

This is an encoding of rules for a software gate, not legal advice; the policy packs cite the sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from consent._capacity import (  # noqa: F401 - re-exported: the capacity rules are part of the clock's public surface
    COURT_APPROVAL_LAWS,
    Capacity,
    CourtApprovalLaw,
    Signer,
    SignerFacts,
    capacity,
    signed_in_life,
)
from consent._times import (  # noqa: F401 - re-exported: the clock's time primitives
    WindowError,
    check_not_before,
    check_window,
    earlier,
    in_future,
    whole_years,
)

Status = Literal["in_force", "not_yet_valid", "expired", "revoked", "suspended"]
WILDCARD = "*"


# ------------------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True, slots=True)
class GrantTerms:
    """The parts of a grant the clock needs."""

    grant_id: str
    performer_id: str
    category: str
    valid_from: datetime
    valid_until: datetime | None = None
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        check_window(self.valid_from, self.valid_until, "valid_until", "valid_from")


@dataclass(frozen=True, slots=True)
class Revocation:
    """A revocation of grant ``grant_id``, in force from ``effective_at`` (rule 2)."""

    grant_id: str
    effective_at: datetime
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SuspensionEvent:
    """A suspension as recorded (its end not yet shortened by any lift)."""

    suspension_id: str
    performer_id: str | None
    start: datetime
    end: datetime | None = None
    categories: tuple[str, ...] = (WILDCARD,)
    strike: bool = False
    reason: str = ""
    recorded_at: datetime | None = None

    def __post_init__(self) -> None:
        check_window(self.start, self.end, "suspension end")

    def applies_to(self, performer_id: str, category: str) -> bool:
        """Whether it concerns grants of ``performer_id`` in ``category`` (no time involved)."""
        return (self.performer_id is None or self.performer_id == performer_id) and (
            WILDCARD in self.categories or category in self.categories
        )


@dataclass(frozen=True, slots=True)
class Lift:
    """The lifting of suspension ``suspension_id``, ending it at ``end`` (rule 3)."""

    suspension_id: str
    end: datetime
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CourtApproval:
    """A court's approval of grant ``grant_id``, in force from ``approved_at`` (rule 4)."""

    grant_id: str
    approved_at: datetime
    recorded_at: datetime | None = None


def _known(recorded_at: datetime | None, known_at: datetime | None) -> bool:
    return known_at is None or recorded_at is None or recorded_at <= known_at


@dataclass(frozen=True, slots=True)
class History:
    """Everything recorded after grants: revocations, suspensions, lifts, court approvals."""

    revocations: tuple[Revocation, ...] = ()
    suspensions: tuple[SuspensionEvent, ...] = ()
    lifts: tuple[Lift, ...] = ()
    approvals: tuple[CourtApproval, ...] = ()

    def known(self, known_at: datetime | None) -> History:
        """The part of the history recorded by ``known_at`` (all of it when None)."""
        if known_at is None:
            return self
        return History(
            tuple(r for r in self.revocations if _known(r.recorded_at, known_at)),
            tuple(s for s in self.suspensions if _known(s.recorded_at, known_at)),
            tuple(lift for lift in self.lifts if _known(lift.recorded_at, known_at)),
            tuple(a for a in self.approvals if _known(a.recorded_at, known_at)),
        )


def is_known(recorded_at: datetime | None, known_at: datetime | None) -> bool:
    """Whether something recorded at ``recorded_at`` had been recorded by ``known_at`` (None: everything counts)."""
    return _known(recorded_at, known_at)


# ------------------------------------------------------------------------------------------------ the rules


def in_window(terms: GrantTerms, at: datetime) -> bool:
    """Rule 1: ``valid_from <= at < valid_until``."""
    return terms.valid_from <= at and (terms.valid_until is None or at < terms.valid_until)


def expired_since(terms: GrantTerms, at: datetime) -> datetime | None:
    """Rule 1: ``valid_until`` when ``at`` is at or after it, else None."""
    return terms.valid_until if terms.valid_until is not None and at >= terms.valid_until else None


def revocation_effective(grant_id: str, history: History) -> datetime | None:
    """Rule 2: the effective time of the grant's revocation (the earliest), in force or not yet; None if none."""
    times = [r.effective_at for r in history.revocations if r.grant_id == grant_id]
    return min(times) if times else None


def revoked_since(grant_id: str, history: History, at: datetime) -> datetime | None:
    """Rule 2: when the grant's revocation took effect, if it is in force at ``at``."""
    effective = revocation_effective(grant_id, history)
    return effective if effective is not None and effective <= at else None


@dataclass(frozen=True, slots=True)
class SuspensionSpan:
    """A suspension with its end as lifted."""

    suspension_id: str
    performer_id: str | None
    start: datetime
    end: datetime | None
    categories: tuple[str, ...]
    strike: bool
    reason: str

    def active_at(self, at: datetime) -> bool:
        """Rule 3: ``start <= at < end``."""
        return self.start <= at and (self.end is None or at < self.end)

    def applies_to(self, performer_id: str, category: str) -> bool:
        """Whether it concerns grants of ``performer_id`` in ``category``."""
        return (self.performer_id is None or self.performer_id == performer_id) and (
            WILDCARD in self.categories or category in self.categories
        )


def spans(history: History) -> list[SuspensionSpan]:
    """Rule 3: every suspension with its end shortened by the earliest lift, by start."""
    lifted: dict[str, datetime] = {}
    for lift in history.lifts:
        prev = lifted.get(lift.suspension_id)
        lifted[lift.suspension_id] = lift.end if prev is None else min(prev, lift.end)
    out = []
    for s in history.suspensions:
        end, lift = s.end, lifted.get(s.suspension_id)
        if lift is not None:
            end = lift if end is None else min(end, lift)
        out.append(SuspensionSpan(s.suspension_id, s.performer_id, s.start, end, s.categories, s.strike, s.reason))
    return sorted(out, key=lambda x: (x.start, x.suspension_id))


def suspended_by(terms: GrantTerms, history: History, at: datetime) -> tuple[SuspensionSpan, ...]:
    """Rule 3: the suspensions of the grant's performer and category in force at ``at``."""
    return tuple(s for s in spans(history) if s.applies_to(terms.performer_id, terms.category) and s.active_at(at))


def court_approved_since(grant_id: str, history: History, at: datetime) -> datetime | None:
    """Rule 4: when the court's approval of the grant took effect, if it is in force at ``at``."""
    times = [a.approved_at for a in history.approvals if a.grant_id == grant_id and a.approved_at <= at]
    return min(times) if times else None


@dataclass(frozen=True, slots=True)
class Judgement:
    """A grant at an instant: whether it is in force and, if not, every reason, since when."""

    grant_id: str
    at: datetime
    valid_from: datetime
    not_yet_valid: bool
    expired_since: datetime | None
    revoked_since: datetime | None
    suspensions: tuple[SuspensionSpan, ...] = field(default=())

    @property
    def in_force(self) -> bool:
        return self.status == "in_force"

    @property
    def status(self) -> Status:
        """The first failing rule, in the order 1 (not yet valid, expired), 2 (revoked), 3 (suspended)."""
        if self.not_yet_valid:
            return "not_yet_valid"
        if self.expired_since is not None:
            return "expired"
        if self.revoked_since is not None:
            return "revoked"
        if self.suspensions:
            return "suspended"
        return "in_force"

    @property
    def since(self) -> datetime | None:
        """When the status began: valid_from (in force / not yet valid), expiry, revocation, suspension start."""
        status = self.status
        if status == "expired":
            return self.expired_since
        if status == "revoked":
            return self.revoked_since
        if status == "suspended":
            return min(s.start for s in self.suspensions)
        return self.valid_from

    @property
    def strike(self) -> bool:
        """Whether a strike suspension is among those in force."""
        return any(s.strike for s in self.suspensions)

    def why_not(self) -> list[str]:
        """Every reason the grant is not in force, in words (empty when it is)."""
        why: list[str] = []
        if self.not_yet_valid:
            why.append(f"not yet valid at {self.at.isoformat()}: valid from {self.valid_from.isoformat()}")
        if self.expired_since is not None:
            why.append(f"expired: valid until {self.expired_since.isoformat()}")
        if self.revoked_since is not None:
            why.append(f"revoked with effect from {self.revoked_since.isoformat()}")
        for s in self.suspensions:
            until = s.end.isoformat() if s.end else "further notice"
            why.append(f"suspended from {s.start.isoformat()} until {until} ({s.reason})")
        return why


def judge(terms: GrantTerms, history: History, at: datetime, known_at: datetime | None = None) -> Judgement:
    """The grant at ``at``, counting what had been recorded by ``known_at`` (rules 1–3)."""
    seen = history.known(known_at)
    return Judgement(
        grant_id=terms.grant_id,
        at=at,
        valid_from=terms.valid_from,
        not_yet_valid=at < terms.valid_from,
        expired_since=expired_since(terms, at),
        revoked_since=revoked_since(terms.grant_id, seen, at),
        suspensions=suspended_by(terms, seen, at),
    )
