"""'What consent covered performer P for use U in shot S at time T' — the answer, its reasons and its receipts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from consent import ConsentGrant, ConsentRegistry, Performer
from ledger import Log, verify_receipt
from ledger.errors import LedgerError
from tests.consent.conftest import ts


def test_covering_grant_comes_with_receipts_that_verify_offline(
    registry: ConsentRegistry, log: Log, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    g = make_grant(alice.performer_id)
    cov = registry.covering(alice.performer_id, "eyeline", "continuity", shot="12A", at=ts("2026-04-01"))
    assert cov.covered
    (cand,) = cov.covering
    assert cand.grant.grant_id == g.grant_id and cand.shortfalls == []
    assert [p.ledger_index for p in cand.proofs] == [g.ledger_index]
    # each receipt verifies with the ledger's own verifier, against the exact entry bytes
    keys = log.verifier_keys()
    for proof in cov.proofs():
        verified = verify_receipt(proof.receipt, proof.entry.encode(), keys)
        assert verified.origin == log.origin and verified.index == proof.ledger_index
        assert proof.entry.encode() == log.entry(proof.ledger_index)
    assert cov.verify(keys) == 2  # registration + grant
    assert [p.kind for p in cov.performer_proofs] == ["performer.registered/1"]


def test_receipt_for_a_tampered_entry_fails(
    registry: ConsentRegistry, log: Log, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    make_grant(alice.performer_id)
    cov = registry.covering(alice.performer_id, "eyeline", "continuity", shot="12A", at=ts("2026-04-01"))
    proof = cov.covering[0].proofs[0]
    forged = proof.model_copy(update={"entry": proof.entry.replace('"12A"', '"99Z"')})
    with pytest.raises(LedgerError):
        forged.verify(log.verifier_keys())


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"edit_kind": "relight"}, "covers edit kinds eyeline, not relight"),
        ({"purpose": "performance_change"}, "covers purposes continuity, not performance_change"),
        ({"shot": "14C"}, "covers shots 12A, not 14C"),
        ({"shot": None}, "covers only shots 12A and no shot was given"),
        ({"at": ts("2026-02-28")}, "not yet valid"),
        ({"at": ts("2027-03-01")}, "expired"),
    ],
)
def test_grant_that_does_not_cover_says_why(
    registry: ConsentRegistry,
    alice: Performer,
    make_grant: Callable[..., ConsentGrant],
    query: dict[str, object],
    fragment: str,
) -> None:
    make_grant(alice.performer_id, valid_until=ts("2027-03-01"))
    args: dict[str, object] = {"edit_kind": "eyeline", "purpose": "continuity", "shot": "12A", "at": ts("2026-04-01")}
    args.update(query)
    cov = registry.covering(alice.performer_id, **args)  # type: ignore[arg-type]
    assert not cov.covered and cov.covering == []
    (cand,) = cov.not_covering
    assert any(fragment in s for s in cand.shortfalls), cand.shortfalls
    assert cov.verify() == 2  # the grant that did not cover is proven too


def test_revoked_before_vs_after_the_edit(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    g = make_grant(alice.performer_id)
    registry.revoke(g.grant_id, reason="withdrawn", effective_at=ts("2026-05-01"))
    edit_before = registry.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-04-15"))
    edit_after = registry.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-05-02"))
    assert edit_before.covered
    assert [e.kind for e in edit_before.covering[0].events] == ["granted", "revoked"]
    assert not edit_after.covered
    assert "revoked with effect from 2026-05-01" in edit_after.not_covering[0].shortfalls[0]
    assert edit_after.verify() == 3  # registration, grant, revocation


def test_revocation_recorded_after_the_edit_but_backdated(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    g = make_grant(alice.performer_id)
    edit_time = ts("2026-05-10")
    rev = registry.revoke(g.grant_id, reason="letter dated 1 May", effective_at=ts("2026-05-01"))
    now_view = registry.covering(alice.performer_id, "eyeline", "continuity", "12A", at=edit_time)
    assert not now_view.covered
    # as the registry stood before the revocation was recorded, the edit was covered
    then_view = registry.covering(
        alice.performer_id,
        "eyeline",
        "continuity",
        "12A",
        at=edit_time,
        known_at=rev.recorded_at - timedelta(microseconds=1),
    )
    assert then_view.covered and [e.kind for e in then_view.covering[0].events] == ["granted"]


def test_suspension_blocks_coverage_and_is_reported(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    make_grant(alice.performer_id, edit_kinds=["*"], purposes=["*"], shots="all")
    strike = registry.suspend(None, reason="strike", start=ts("2026-07-14"))
    cov = registry.covering(alice.performer_id, "dialogue", "dubbing", "3B", "3", at=ts("2026-08-01"))
    assert not cov.covered
    assert [s.suspension_id for s in cov.suspensions] == [strike.suspension_id]
    assert "suspended from 2026-07-14" in cov.not_covering[0].shortfalls[0]
    assert {p.kind for p in cov.proofs()} == {"performer.registered/1", "consent.granted/1", "consent.suspended/1"}
    assert cov.verify() == 3
    assert registry.covering(alice.performer_id, "dialogue", "dubbing", "3B", "3", at=ts("2026-07-13")).covered


def test_wildcards_and_dubbing_languages(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    make_grant(alice.performer_id, edit_kinds=["dialogue"], purposes=["dubbing"], shots="all", languages=["fr", "de"])
    assert registry.covering(
        alice.performer_id, "dialogue", "dubbing", "1A", at=ts("2026-04-01"), language="fr"
    ).covered
    es = registry.covering(alice.performer_id, "dialogue", "dubbing", "1A", at=ts("2026-04-01"), language="es")
    assert not es.covered and "covers languages fr, de, not es" in es.not_covering[0].shortfalls


def test_several_grants_each_judged(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    narrow = make_grant(alice.performer_id)
    broad = make_grant(alice.performer_id, shots="all", purposes=["continuity", "performance_change"])
    cov = registry.covering(alice.performer_id, "eyeline", "performance_change", "40", at=ts("2026-04-01"))
    assert [c.grant.grant_id for c in cov.covering] == [broad.grant_id]
    assert [c.grant.grant_id for c in cov.not_covering] == [narrow.grant_id]
    assert len(cov.not_covering[0].shortfalls) == 2  # purpose and shot


def test_category_filter(registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]) -> None:
    make_grant(alice.performer_id)
    cov = registry.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-04-01"), category="ebdr")
    assert not cov.covered and "is a digital_alteration consent, not ebdr" in cov.not_covering[0].shortfalls
