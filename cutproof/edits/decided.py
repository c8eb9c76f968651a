"""The one seam between the policy engine's answers and the ledger: ``policies.Decision`` and
``policies.ReviewSignoff`` become the ``policy.decided/1`` and ``review.signed/1`` records, and back; a request
submitted again becomes ``request.resubmitted/1``.

The engine owns the decision (its fields, and ``decision_id``, the SHA-256 of its canonical JSON); the record
adds what the application knows about the request (clip, frames, who was detected and how). Reading a decision
back from its record re-checks ``decision_id``, so an altered entry is refused.
"""

from __future__ import annotations

from policies import Decision, ReviewSignoff
from records import GateRequest, PolicyDecided, RequestResubmitted, ReviewSigned


def decision_record(decision: Decision, request: GateRequest) -> PolicyDecided:
    """The ``policy.decided/1`` record of a decision on ``request``."""
    body = decision.to_json()
    body.pop("schema")
    return PolicyDecided.model_validate({**body, "decision_id": decision.decision_id, "request": request})


def decision_of(record: PolicyDecided) -> Decision:
    """The decision a ``policy.decided/1`` record holds.

    Raises:
        PolicyError: the record's ``decision_id`` does not match its content (it was altered).
    """
    return Decision.from_json(record.entry())


def review_record(signoff: ReviewSignoff, *, request_id: str, decision_index: int) -> ReviewSigned:
    """The ``review.signed/1`` record of a legal user's sign-off on the decision at ``decision_index``."""
    return ReviewSigned(
        decision_id=signoff.decision_id,
        reviewer=signoff.reviewer,
        verdict=signoff.verdict,
        note=signoff.note,
        time=signoff.time,
        request_id=request_id,
        decision_index=decision_index,
        answers=signoff.answers,
        obligations=signoff.obligations,
    )


def resubmitted_record(request_id: str, ended: str, new_request_id: str) -> RequestResubmitted:
    """The ``request.resubmitted/1`` record of ``request_id``, which ``ended`` without a deliverable (``failed``,
    ``cancelled``, ``denied`` or ``rejected``), submitted again as ``new_request_id``."""
    return RequestResubmitted.model_validate(
        {"request_id": request_id, "ended": ended, "resubmitted_as": new_request_id}
    )
