"""Evaluating consent at a time: pure functions over registry rows (no database, no ledger).

Two times are involved. ``at`` is the time the question is about (the edit); ``known_at`` (optional) limits the
answer to what had been recorded in the registry by then. With ``known_at`` unset, everything recorded so far
counts, including a revocation recorded later with an earlier effective date. Windows are half-open: a grant is
valid from ``valid_from`` (inclusive) until ``valid_until`` (exclusive); a suspension is in force from ``start``
until ``end``; a revocation is in force from its ``effective_at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from consent._rows import grant_from_row, performer_from_row, suspension_from_row
from consent.models import ALL, WILDCARD, ConsentGrant, Performer, Suspension

Rowish = Mapping[str, Any]


R = TypeVar("R", bound=Mapping[str, Any])


def known(rows: Iterable[R], known_at: datetime | None) -> list[R]:
    """The rows recorded by ``known_at`` (all of them when it is None)."""
    return [r for r in rows if known_at is None or r["recorded_at"] <= known_at]


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


def suspensions(events: Iterable[Rowish]) -> list[Suspension]:
    """Every suspension the events describe, each with its end as shortened by any lift among the events."""
    events = list(events)
    lifts: dict[str, datetime] = {}
    for e in events:
        if e["event_kind"] == "suspension_lifted":
            prev = lifts.get(e["suspension_id"])
            lifts[e["suspension_id"]] = e["effective_at"] if prev is None else min(prev, e["effective_at"])
    out = []
    for e in events:
        if e["event_kind"] != "suspended":
            continue
        end = e["end_at"]
        lifted = lifts.get(e["event_id"])
        if lifted is not None:
            end = lifted if end is None else min(end, lifted)
        out.append(suspension_from_row(dict(e), end=end))
    return sorted(out, key=lambda s: (s.start, s.suspension_id))


def revocations(events: Iterable[Rowish]) -> dict[str, datetime]:
    """Grant id -> effective time of its revocation (the earliest, should two writers have raced)."""
    out: dict[str, datetime] = {}
    for e in events:
        if e["event_kind"] == "revoked":
            prev = out.get(e["grant_id"])
            out[e["grant_id"]] = e["effective_at"] if prev is None else min(prev, e["effective_at"])
    return out


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


def grant_at(row: Rowish, revoked: dict[str, datetime], susp: list[Suspension], at: datetime) -> ConsentGrant:
    """A grant with its state at ``at``: ``revoked_at`` if the revocation is in force, active suspensions."""
    rev = revoked.get(row["grant_id"])
    active = [s for s in applicable(susp, row["performer_id"], row["category"]) if s.active_at(at)]
    return grant_from_row(dict(row), revoked_at=rev if rev is not None and rev <= at else None, suspensions=active)


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
    if at < grant.valid_from:
        why.append(f"not yet valid at {at.isoformat()}: valid from {grant.valid_from.isoformat()}")
    if grant.valid_until is not None and at >= grant.valid_until:
        why.append(f"expired: valid until {grant.valid_until.isoformat()}")
    if grant.revoked_at is not None:
        why.append(f"revoked with effect from {grant.revoked_at.isoformat()}")
    for s in grant.suspensions:
        until = s.end.isoformat() if s.end else "further notice"
        why.append(f"suspended from {s.start.isoformat()} until {until} ({s.reason})")
    return why
