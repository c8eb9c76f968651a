"""The inputs hash is SHA-256 over RFC 8785 JSON of exactly the inputs; a golden vector pins the encoding."""

from __future__ import annotations

import hashlib

import rfc8785
from policy_builders import base_consent, base_request, build

from policies import PolicySet, inputs_hash
from policies.engine import ENGINE_VERSION

# Regenerate only on a deliberate change of the input models (it invalidates replay of recorded decisions).
# Changed when the consent state became judged by the application's consent clock (grants carry ``standing``,
# performers ``years_since_death``, the state ``judged_at``; grants also ``signed_at`` and ``court_approved_at``).
GOLDEN_INPUTS_HASH = "5c946a5153e4b3a8e95fd118b71469bf36cf4dae69805fd1375b57e337465a9c"


def test_inputs_hash_is_sha256_of_rfc8785_inputs() -> None:
    request, state = build(base_request(), base_consent())
    dumped = request.model_dump(mode="json")
    dumped["edit"].pop("not_deep_fake_reason")  # inputs added later are left out at their defaults
    dumped.pop("photoreal")
    body = {"consent": state.model_dump(mode="json"), "request": dumped}
    assert inputs_hash(request, state) == hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    assert inputs_hash(request, state) == GOLDEN_INPUTS_HASH
    animated = request.model_copy(update={"photoreal": False})
    assert inputs_hash(animated, state) != GOLDEN_INPUTS_HASH  # a non-default later input is hashed


def test_policy_set_hash_is_sha256_of_rfc8785_pack_documents() -> None:
    policy_set = PolicySet.load()
    body = {"engine": ENGINE_VERSION, "packs": [{"id": p.id, "document": p.document} for p in policy_set.packs]}
    assert policy_set.hash == hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    for pack in policy_set.packs:
        assert pack.sha256 == hashlib.sha256(rfc8785.dumps(pack.document)).hexdigest()


def test_same_instant_in_another_offset_is_another_input() -> None:
    """Hashes cover the inputs as given: the request records the offset it was made in."""
    a = base_request()
    b = base_request()
    b["time"] = "2026-11-20T13:00:00+01:00"
    ra, sa = build(a, base_consent())
    rb, sb = build(b, base_consent())
    assert ra.time == rb.time
    assert inputs_hash(ra, sa) != inputs_hash(rb, sb)
    decision_a, decision_b = PolicySet.load().evaluate(ra, sa), PolicySet.load().evaluate(rb, sb)
    assert decision_a.outcome == decision_b.outcome
    assert [r.rule_id for r in decision_a.reasons] == [r.rule_id for r in decision_b.reasons]
