"""Reviews that answer: the questions a review opens, the answers a sign-off must give, and what they imply."""

from __future__ import annotations

import pytest
from policy_builders import base_consent, base_request, build

from policies import PolicySet, ReviewError, answered, check_answers, open_questions


@pytest.fixture(scope="module")
def shipped() -> PolicySet:
    return PolicySet.load()


def _request(**edit: object):  # type: ignore[no-untyped-def]
    r, c = base_request(), base_consent()
    r["project"]["distribution_territories"] = ["US", "EU"]
    r["edit"].update({"kind": "eyeline", "purpose": "performance_change", **edit})
    return build(r, c)


def test_a_not_a_deep_fake_claim_opens_the_deep_fake_question(shipped: PolicySet) -> None:
    request, state = _request(is_deep_fake=False, not_deep_fake_reason="the gaze was already there")
    decision = shipped.evaluate(request, state)
    assert decision.outcome == "review"
    assert open_questions(shipped, decision) == ("deep_fake",)


def test_an_inferred_deep_fake_opens_no_question(shipped: PolicySet) -> None:
    request, state = _request()
    decision = shipped.evaluate(request, state)
    assert decision.outcome == "allow" and open_questions(shipped, decision) == ()


def test_answers_must_match_the_questions_exactly() -> None:
    with pytest.raises(ReviewError, match="does not answer"):
        check_answers(("deep_fake",), None)
    with pytest.raises(ReviewError, match="did not ask"):
        check_answers(("deep_fake",), {"deep_fake": True, "fee": True})
    with pytest.raises(ReviewError, match="true or false"):
        check_answers(("deep_fake",), {"deep_fake": "yes"})
    assert check_answers(("deep_fake",), {"deep_fake": False}) == {"deep_fake": False}


@pytest.mark.parametrize(("answer", "disclosure"), [(True, ("end_credit", "sidecar")), (False, ())])
def test_the_answer_sets_the_obligations(shipped: PolicySet, answer: bool, disclosure: tuple[str, ...]) -> None:
    request, state = _request(is_deep_fake=False, not_deep_fake_reason="the gaze was already there")
    again = shipped.evaluate(answered(request, {"deep_fake": answer}, "legal's reading"), state)
    assert again.outcome != "deny"
    assert again.obligations.disclosure == disclosure
    assert again.obligations.marking == ("c2pa_metadata", "watermark")
