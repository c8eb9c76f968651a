"""Review sign-off: data plus a pure function; decisions round-trip through their ledger entry and replay."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from policy_builders import base_consent, base_request, build

from cutproof.edits.decided import decision_record, review_record
from policies import Decision, PolicyError, PolicySet, ReviewError, ReviewSignoff, effective_outcome
from records import EditAsked, GateRequest

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def policy_set() -> PolicySet:
    return PolicySet.load()


def _decide(policy_set: PolicySet, **request_changes: object) -> Decision:
    r = base_request()
    r.update(request_changes)
    return policy_set.evaluate(*build(r, base_consent()))


def _signoff(decision: Decision, verdict: str) -> ReviewSignoff:
    return ReviewSignoff(
        decision_id=decision.decision_id,
        reviewer="legal:priya",
        verdict=verdict,
        note="checked the call sheet: the face is a crew member",
        time=NOW,
    )


def test_review_becomes_allow_or_deny_after_signoff(policy_set: PolicySet) -> None:
    decision = _decide(policy_set, unidentified_faces=1)
    assert decision.outcome == "review"
    assert effective_outcome(decision) == "review"
    assert effective_outcome(decision, _signoff(decision, "approve")) == "allow"
    assert effective_outcome(decision, _signoff(decision, "reject")) == "deny"


def test_signoff_for_other_decision_or_non_review_is_refused(policy_set: PolicySet) -> None:
    review = _decide(policy_set, unidentified_faces=1)
    other = _decide(policy_set, unidentified_faces=2)
    with pytest.raises(ReviewError, match="refers to decision"):
        effective_outcome(review, _signoff(other, "approve"))
    allowed = _decide(policy_set)
    assert allowed.outcome == "allow"
    with pytest.raises(ReviewError, match="not awaiting review"):
        effective_outcome(allowed, _signoff(allowed, "approve"))


def test_signoff_validation() -> None:
    with pytest.raises(ValueError):
        ReviewSignoff(decision_id="x" * 64, reviewer="a", verdict="approve", note="n", time=NOW)
    with pytest.raises(ValueError):
        ReviewSignoff(decision_id="a" * 64, reviewer="a", verdict="approve", note="  ", time=NOW)
    with pytest.raises(ValueError):
        ReviewSignoff(decision_id="a" * 64, reviewer="a", verdict="maybe", note="n", time=NOW)
    with pytest.raises(ValueError):
        ReviewSignoff(decision_id="a" * 64, reviewer="a", verdict="approve", note="n", time=datetime(2026, 1, 1))
    signoff = ReviewSignoff(decision_id="a" * 64, reviewer="a", verdict="reject", note="n", time=NOW)
    entry = review_record(signoff, request_id="r-1", decision_index=4).entry()  # the app's seam to the ledger
    assert entry["kind"] == "review.signed/1" and entry["verdict"] == "reject"


GATE_REQUEST = GateRequest(
    id="r-1", project="harbor-lights", clip="c" * 64, scene="12", shot="12A",
    edit=EditAsked(kind="relight", purpose="continuity"), region=None, frames=(0, None), declared=("mara",),
    detected=("mara",), unidentified_faces=1, detection_method="test",
)  # fmt: skip


def test_decision_round_trips_through_its_ledger_entry(policy_set: PolicySet) -> None:
    decision = _decide(policy_set, unidentified_faces=1)
    entry = decision_record(decision, GATE_REQUEST).entry()  # the app's seam to the ledger
    assert entry["kind"] == "policy.decided/1" and entry["decision_id"] == decision.decision_id
    again = Decision.from_json(entry)
    assert again == decision and again.decision_id == decision.decision_id
    with pytest.raises(PolicyError):
        Decision.from_json({"kind": "policy.decided/1", "outcome": "perhaps"})
    with pytest.raises(PolicyError):
        Decision.from_json({"kind": "edit.applied/1"})
    tampered = {**entry, "outcome": "allow"}
    with pytest.raises(PolicyError, match="altered"):
        Decision.from_json(tampered)


def test_replay_shows_the_decision_identical(policy_set: PolicySet) -> None:
    request, state = build(base_request(), base_consent())
    decision = policy_set.evaluate(request, state)
    assert policy_set.replay(decision, request, state) == decision
    r2 = base_request()
    r2["shot"] = "12B"
    with pytest.raises(PolicyError, match="inputs hash mismatch"):
        policy_set.replay(decision, *build(r2, base_consent()))

    other = PolicySet([*policy_set.packs[:-1]])
    with pytest.raises(PolicyError, match="different policy set"):
        other.replay(decision, request, state)
