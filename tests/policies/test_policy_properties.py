"""Property tests: deny is monotone under deny-producing facts, evaluation is deterministic, hashes are stable,
and the fast canonical JSON equals RFC 8785."""

from __future__ import annotations

import copy
from typing import Any

import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_builders import base_consent, base_request, build

from policies import PolicySet
from policies._hashing import canonical_model_json

POLICY_SET = PolicySet.load()
FRESH_SET = PolicySet.load()  # loaded separately from the same files

kinds = st.sampled_from(["relight", "eyeline", "background", "dialogue"])
purposes = st.sampled_from(["continuity", "ratings", "performance_change", "dubbing", "eyeline_match", "cosmetic"])
people = st.lists(st.sampled_from(["mara", "nia", "theo", "ada", "kid"]), max_size=3, unique=True)
territories = st.lists(
    st.sampled_from(["US", "US-CA", "US-NY", "EU", "DE", "FR", "GB", "JP"]), min_size=1, max_size=3, unique=True
)
agreements = st.sampled_from(["sag-aftra-tv-theatrical-2023", "sag-aftra-tv-theatrical-2026"])
times = st.sampled_from(["2026-07-01T00:00:00Z", "2026-11-20T12:00:00Z", "2028-03-02T10:00:00Z"])
replicas = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "category": st.sampled_from(["ebdr", "icdr", "background_replica"]),
            "source_project": st.sampled_from(["harbor-lights", "tidewater"]),
        }
    ),
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    r, c = base_request(), base_consent()
    r["edit"] = {
        "kind": draw(kinds),
        "purpose": draw(purposes),
        "target_language": draw(st.sampled_from([None, "en", "de", "fr"])),
        "is_deep_fake": draw(st.sampled_from([None, True, False])),
        "replica": draw(replicas),
    }
    who = draw(people)
    r["performers"] = who
    r["detected_performers"] = who
    r["unidentified_faces"] = draw(st.integers(0, 1))
    r["time"] = draw(times)
    r["project"].update(
        distribution_territories=draw(territories),
        agreement=draw(agreements),
        principal_photography_start=draw(st.sampled_from(["2025-03-01", "2027-07-01", "2027-09-01"])),
        evidently_artistic=draw(st.booleans()),
        output_role=draw(st.sampled_from(["intermediate", "distribution_master"])),
    )
    return r, c


def _deny_producing(r: dict[str, Any], c: dict[str, Any], which: int) -> None:
    """Add a fact that can only add deny reasons: revoke, un-sign, or suspend every grant, or add a strike."""
    if which == 0:
        for g in c["grants"]:
            g["revoked_at"] = "2020-01-01T00:00:00Z" if g["valid_from"] < "2020" else g["valid_from"]
    elif which == 1:
        for g in c["grants"]:
            g["separately_signed"] = False
    elif which == 2:
        for g in c["grants"]:
            g["suspensions"] = [{"start": "2019-01-01T00:00:00Z", "end": None, "reason": "dispute"}]
    else:
        c["suspensions"].append({"start": "2019-01-01T00:00:00Z", "reason": "strike", "strike": True})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 3))
def test_deny_stays_deny_when_a_deny_producing_fact_is_added(sc: tuple[dict, dict], which: int) -> None:
    r, c = sc
    before = POLICY_SET.evaluate(*build(r, c))
    r2, c2 = copy.deepcopy(r), copy.deepcopy(c)
    _deny_producing(r2, c2, which)
    after = POLICY_SET.evaluate(*build(r2, c2))
    rank = ["allow", "review", "deny"].index
    assert rank(after.outcome) >= rank(before.outcome), (before.reasons, after.reasons)
    if before.outcome == "deny":
        assert after.outcome == "deny"


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_evaluation_is_deterministic_and_hashes_stable(sc: tuple[dict, dict]) -> None:
    r, c = sc
    first = POLICY_SET.evaluate(*build(r, c))
    # fresh model objects, a separately loaded policy set: same decision, same hashes, same decision id
    second = FRESH_SET.evaluate(*build(copy.deepcopy(r), copy.deepcopy(c)))
    assert first == second and first.decision_id == second.decision_id
    assert first.inputs_hash == second.inputs_hash and first.policy_set_hash == second.policy_set_hash
    assert first.outcome == max((x.effect for x in first.reasons), key=["allow", "review", "deny"].index)
    assert first.reasons, "every decision carries at least one reason"


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.text(min_size=1, max_size=40), st.text(max_size=40))
def test_inputs_hash_changes_with_any_input_and_fast_json_is_rfc8785(
    sc: tuple[dict, dict], shot: str, why: str
) -> None:
    r, c = sc
    r["shot"] = shot.strip() or "x"
    r["edit"]["claimed_exemption"] = {"kind": "standard_editing", "justification": why}
    request, state = build(r, c)
    dumped = request.model_dump(mode="json")
    assert canonical_model_json(dumped) == rfc8785.dumps(dumped)
    assert state.canonical() == rfc8785.dumps(state.model_dump(mode="json"))
    other = copy.deepcopy(r)
    other["scene"] = r["scene"] + "x"
    assert POLICY_SET.evaluate(request, state).inputs_hash != POLICY_SET.evaluate(*build(other, c)).inputs_hash


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@given(_json_values)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_canonical_json_equals_rfc8785_for_any_json_value(value: Any) -> None:
    from policies._hashing import canonical_json

    try:
        expected = rfc8785.dumps(value)
    except Exception as exc:  # a value RFC 8785 refuses (e.g. a lone surrogate) is refused the same way
        try:
            canonical_json(value)
        except Exception as mine:
            assert type(mine) is type(exc)
            return
        raise AssertionError("canonical_json accepted a value rfc8785 refuses") from None
    assert canonical_json(value) == expected
