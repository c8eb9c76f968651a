"""Consent state at a time from registry rows: pure functions that turn rows into the consent clock's inputs and
the clock's answers back into records (no database, no ledger). Every comparison of times is the clock's
(``consent.clock``, where the two time axes, ``at`` and ``known_at``, are explained).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from consent import clock
from consent._rows import grant_from_row, performer_from_row
from consent.models import ALL, WILDCARD, ConsentGrant, GrantCapacity, Performer, Suspension

Rowish = Mapping[str, Any]


R = TypeVar("R", bound=Mapping[str, Any])


def known(rows: Iterable[R], known_at: datetime | None) -> list[R]:
    """The rows recorded by ``known_at`` (all of them when it is None)."""
    return [r for r in rows if clock.is_known(r["recorded_at"], known_at)]


def amend(performers: Iterable[Rowish], events: Iterable[Rowish]) -> list[Performer]:
    """The performers as amended by the ``performer_amended`` events among ``events`` (the latest one wins)."""
    latest: dict[str, Rowish] = {}
    for e in sorted(events, key=lambda e: e["ledger_index"]):
        if e["event_kind"] == "performer_amended":
            latest[e["performer_id"]] = e
    return [
        Performer.model_validate(latest[p["performer_id"]]["record"])
        if p["performer_id"] in latest
        else performer_from_row(dict(p))
        for p in performers
    ]


def history(events: Iterable[Rowish]) -> clock.History:
    """The clock's history from event rows: revocations, suspensions, lifts and court approvals."""
    revocations, suspended, lifts, approvals = [], [], [], []
    for e in events:
        kind = e["event_kind"]
        if kind == "revoked":
            revocations.append(clock.Revocation(e["grant_id"], e["effective_at"], e.get("recorded_at")))
        elif kind == "suspended":
            suspended.append(
                clock.SuspensionEvent(
                    e["event_id"], e["performer_id"], e["effective_at"], e["end_at"],
                    tuple(e["categories"] or [WILDCARD]), bool(e["strike"]), e["reason"], e.get("recorded_at"),
                )
            )  # fmt: skip
        elif kind == "suspension_lifted":
            lifts.append(clock.Lift(e["suspension_id"], e["effective_at"], e.get("recorded_at")))
        elif kind == "court_approved":
            approvals.append(clock.CourtApproval(e["grant_id"], e["effective_at"], e.get("recorded_at")))
    return clock.History(tuple(revocations), tuple(suspended), tuple(lifts), tuple(approvals))


def suspension_of(span: clock.SuspensionSpan) -> Suspension:
    """The registry's record of a suspension the clock describes (its end as lifted)."""
    return Suspension(
        suspension_id=span.suspension_id, performer_id=span.performer_id, start=span.start, end=span.end,
        reason=span.reason, categories=list(span.categories), strike=span.strike,  # type: ignore[arg-type]
    )  # fmt: skip


def suspensions(events: Iterable[Rowish]) -> list[Suspension]:
    """Every suspension the events describe, each with its end as shortened by any lift among the events."""
    return [suspension_of(span) for span in clock.spans(history(events))]


def applicable(
    all_suspensions: Iterable[Suspension], performer_id: str, category: str | None = None
) -> list[Suspension]:
    """The suspensions that apply to a performer's grants (of ``category``, or of any category when None): their
    own and production-wide ones."""
    return [
        s
        for s in all_suspensions
        if (s.performer_id is None or s.performer_id == performer_id)
        and (category is None or "*" in s.categories or category in s.categories)
    ]


def signer_facts(
    row: Rowish, performers: Iterable[Rowish], events: Iterable[Rowish], now: Performer
) -> clock.SignerFacts:
    """What capacity depends on for grant ``row``: the performer as the registry knew them when the grant was
    recorded (minor, representative on record), and their death as known now (``now``)."""
    then: Rowish | None = None
    for p in performers:
        if p["performer_id"] == row["performer_id"]:
            then = p
    for e in sorted(events, key=lambda e: e["ledger_index"]):
        if (
            e["event_kind"] == "performer_amended"
            and e["performer_id"] == row["performer_id"]
            and clock.is_known(e["recorded_at"], row["recorded_at"])
        ):
            then = e["record"]
    if then is None:
        minor, doc = now.minor, now.representative.authority_document_sha256 if now.representative else None
    elif "representative" in then:  # an amendment's record (a Performer dump)
        rep = then.get("representative")
        minor, doc = bool(then.get("minor")), rep["authority_document_sha256"] if rep else None
    else:  # a registration row
        minor, doc = bool(then["minor"]), then["representative_document_sha256"]
    return clock.SignerFacts(now.performer_id, minor, now.deceased, now.died_at, doc)


def grant_at(row: Rowish, hist: clock.History, at: datetime, signer: clock.SignerFacts | None = None) -> ConsentGrant:
    """A grant with its state at ``at``: the revocation and suspensions in force, the court approval in force and
    (given ``signer``) the capacity of whoever signed it."""
    terms = clock.GrantTerms(
        row["grant_id"], row["performer_id"], row["category"], row["valid_from"], row["valid_until"],
        row["recorded_at"],
    )  # fmt: skip
    approved = clock.court_approved_since(row["grant_id"], hist, at)
    judged = None
    if signer is not None:
        judged = GrantCapacity.of(
            clock.capacity(row["grant_id"], row["signed_by"], row["signed_at"], signer, row["governing_law"], approved)
        )
    return grant_from_row(
        dict(row),
        revoked_at=clock.revoked_since(row["grant_id"], hist, at),
        suspensions=[suspension_of(s) for s in clock.suspended_by(terms, hist, at)],
        court_approved_at=approved,
        capacity=judged,
    )


def _listed(what: str, allowed: list[str] | str, value: str | None) -> str | None:
    if allowed == ALL or allowed == [WILDCARD]:
        return None
    if value is None:
        return f"covers only {what} {', '.join(allowed)} and no {what[:-1]} was given"
    if value not in allowed:
        return f"covers {what} {', '.join(allowed)}, not {value}"
    return None


def shortfalls(
    grant: ConsentGrant,
    *,
    edit_kind: str,
    purpose: str,
    shot: str | None,
    scene: str | None,
    at: datetime,
    category: str | None = None,
    language: str | None = None,
) -> list[str]:
    """Every reason ``grant`` (with its state at ``at``) does not cover the use; empty when it covers it."""
    why: list[str] = []
    if category is not None and grant.category != category:
        why.append(f"is a {grant.category} consent, not {category}")
    for reason in (
        _listed("edit kinds", grant.edit_kinds, edit_kind),
        _listed("purposes", grant.purposes, purpose),
        _listed("shots", grant.shots, shot),
        _listed("scenes", grant.scenes, scene),
    ):
        if reason:
            why.append(reason)
    if language is not None and grant.languages is not None and language not in grant.languages:
        why.append(f"covers languages {', '.join(grant.languages)}, not {language}")
    why.extend(grant.judge(at).why_not())
    if grant.capacity is not None and not grant.capacity.ok and grant.capacity.problem:
        why.append(grant.capacity.problem)
    return why
