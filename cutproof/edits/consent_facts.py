"""The one seam between ``consent`` and ``policies``: consent judged with the consent clock, handed to the engine.

The policy engine never compares consent times (``policies.models``). The application gives it a consent state
judged at the request's time: every grant's ``Standing`` (in force, or not yet valid / expired / revoked /
suspended since when; whether its signer could consent; whether a court approval the law asks for is on record)
and every performer's years since death, all computed here by ``consent.clock``. Two sources:

- ``from_registry``: the registry's state at the request's time (the gate, ``cutproof policy evaluate
  --project``);
- ``judge_snapshot``: a what-if consent state written by hand in a request file (``cutproof policy evaluate``).

Both end in the same judgement, so a what-if case and the registry agree about the same facts.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from consent import clock
from policies import ConsentGrant, ConsentState, Performer, RequestError
from policies.models import Standing

if TYPE_CHECKING:  # the registry's models (and its database layer) only for the registry's state
    from consent import ConsentState as RegistryState


def _standing(judged: clock.Judgement, capacity: Any) -> Standing:
    """``capacity``: the clock's ``Capacity`` or the registry's ``GrantCapacity`` (same fields), or None."""
    law = getattr(capacity, "law", None)
    citation = law.citation if law is not None else getattr(capacity, "court_approval_law", None)
    suspended = judged.status == "suspended"
    return Standing(
        status=judged.status,
        since=judged.since,
        strike=suspended and judged.strike,
        suspension_reasons=[s.reason for s in judged.suspensions] if suspended else [],
        capacity_ok=capacity.ok if capacity is not None else True,
        capacity_problem=capacity.problem if capacity is not None else None,
        court_approval=capacity.court_approval if capacity is not None else "not_required",
        court_approval_law=citation,
    )


def _performer(data: dict[str, Any], at: datetime) -> Performer:
    died_at = data.get("died_at")
    years = clock.whole_years(died_at, at) if isinstance(died_at, datetime) else None
    return Performer.model_validate({**data, "years_since_death": years})


def from_registry(state: RegistryState, at: datetime) -> ConsentState:
    """The policy engine's consent state from the registry's state at ``at``: each grant's carried state (its
    revocation, suspensions, court approval and signer's capacity) judged by the clock at ``at``."""
    grants = [
        ConsentGrant.model_validate({**g.model_dump(), "standing": _standing(g.judge(at), g.capacity)})
        for g in state.grants
    ]
    return ConsentState(
        performers=[_performer(p.model_dump(), at) for p in state.performers],
        grants=grants,
        suspensions=[s.model_dump() for s in state.suspensions],  # type: ignore[misc]  # validated into models
        judged_at=at,
    )


def judge_snapshot(snapshot: ConsentState, at: datetime) -> ConsentState:
    """A hand-written consent state (a what-if case) judged by the clock at ``at``.

    Raises:
        RequestError: a window in it ends at or before it starts (the field is named).
    """
    performers = {p.performer_id: p for p in snapshot.performers}
    production = [
        _suspension(f"consent.suspensions[{i}]", f"production-{i}", s.performer_id, s, tuple(s.categories))
        for i, s in enumerate(snapshot.suspensions)
    ]
    grants = []
    for i, g in enumerate(snapshot.grants):
        where = f"consent.grants[{i}]"
        try:
            terms = clock.GrantTerms(g.grant_id, g.performer_id, g.category, g.valid_from, g.valid_until)
        except clock.WindowError as exc:
            raise RequestError(where, str(exc)) from None
        own = [
            _suspension(f"{where}.suspensions[{j}]", f"{g.grant_id}-{j}", g.performer_id, s, ("*",))
            for j, s in enumerate(g.suspensions)
        ]
        history = clock.History(
            revocations=() if g.revoked_at is None else (clock.Revocation(g.grant_id, g.revoked_at),),
            suspensions=(*own, *production),
            approvals=() if g.court_approved_at is None else (clock.CourtApproval(g.grant_id, g.court_approved_at),),
        )
        p = performers.get(g.performer_id)
        signer = clock.SignerFacts(
            g.performer_id,
            minor=bool(p and p.minor),
            deceased=bool(p and p.deceased),
            died_at=p.died_at if p else None,
            representative_document_sha256=p.representative.authority_document_sha256
            if p and p.representative
            else None,
        )
        approved = clock.court_approved_since(g.grant_id, history, at)
        capacity = clock.capacity(g.grant_id, g.signed_by, g.signed_at, signer, g.governing_law, approved)
        grants.append(g.model_copy(update={"standing": _standing(clock.judge(terms, history, at), capacity)}))
    return ConsentState(
        performers=[_performer(p.model_dump(), at) for p in snapshot.performers],
        grants=grants,
        suspensions=list(snapshot.suspensions),
        judged_at=at,
    )


def _suspension(
    field: str, sid: str, performer_id: str | None, s: Any, categories: tuple[str, ...]
) -> clock.SuspensionEvent:
    try:
        return clock.SuspensionEvent(sid, performer_id, s.start, s.end, categories, s.strike, s.reason)
    except clock.WindowError as exc:
        raise RequestError(field, str(exc)) from None
