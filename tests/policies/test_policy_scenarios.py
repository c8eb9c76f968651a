"""Scenario table: each row is the standard case with one situation changed, the expected outcome, and the
rule that decides it (a reason with that rule id and the outcome as its effect must be present)."""

from __future__ import annotations

import pytest
from policy_builders import base_consent, base_request, build
from scenario_kit import Case
from scenarios_eu import EU_CASES
from scenarios_law import LAW_CASES
from scenarios_sag import SAG_CASES

from policies import PolicySet, load_pack
from policies.packs import EXAMPLE_PACKS_DIR, shipped_pack_paths

CASES: list[Case] = [*SAG_CASES, *LAW_CASES, *EU_CASES]


@pytest.fixture(scope="module")
def shipped() -> PolicySet:
    return PolicySet.load()


@pytest.fixture(scope="module")
def with_studio() -> PolicySet:
    paths = [*shipped_pack_paths(), EXAMPLE_PACKS_DIR / "studio-legal-review.yaml"]
    return PolicySet(load_pack(p) for p in paths)


def test_table_is_large_and_ids_unique() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_scenario(case: Case, shipped: PolicySet, with_studio: PolicySet) -> None:
    r, c = base_request(), base_consent()
    case.change(r, c)
    request, state = build(r, c)
    decision = (with_studio if case.studio else shipped).evaluate(request, state)
    summary = [(x.rule_id, x.effect, x.performer_id) for x in decision.reasons]
    assert decision.outcome == case.expected, summary
    deciding = {x.rule_id for x in decision.reasons if x.effect == case.expected}
    assert case.rule in deciding, summary
    fired = {x.rule_id for x in decision.reasons}
    for rule in case.also:
        assert rule in fired, summary
    for rule in case.absent:
        assert rule not in fired, summary
    if case.marking is not None:
        assert decision.obligations.marking == tuple(sorted(case.marking))
    if case.disclosure is not None:
        assert decision.obligations.disclosure == tuple(sorted(case.disclosure))
    if case.icon is not None:
        assert decision.obligations.icon_variant == case.icon
    relied = {x.grant_id for x in decision.relied_on} | {x.exemption for x in decision.relied_on}
    for item in case.relied:
        assert item in relied, decision.relied_on
    for reason in decision.reasons:
        assert reason.citation and reason.explanation and "{" not in reason.explanation
