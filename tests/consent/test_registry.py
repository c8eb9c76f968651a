"""Registry behaviour on a real SQLite workspace and a real ledger log: records, events, time travel, privacy."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest

from consent import ConsentGrant, ConsentRegistry, ConsentState, Performer
from consent._entries import commitment, performer_record
from cutproof.core.workspace import Workspace
from ledger import Log
from tests.consent.conftest import SIGNED, T0, grant_kwargs, ts


def test_every_write_is_one_ledger_entry_of_the_right_kind(
    registry: ConsentRegistry, log: Log, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    g = make_grant(alice.performer_id)
    registry.revoke(g.grant_id, reason="changed her mind", effective_at=ts("2026-05-01"))
    s = registry.suspend(None, reason="strike", start=ts("2026-07-14"))
    registry.lift_suspension(s.suspension_id, reason="strike over", end=ts("2026-11-09"))
    kinds = [log.entry_json(i)["kind"] for i in range(log.size())]
    assert kinds == [
        "performer.registered/1",
        "consent.granted/1",
        "consent.revoked/1",
        "consent.suspended/1",
        "consent.suspension_lifted/1",
    ]
    assert g.ledger_index == 1
    entry = log.entry_json(1)
    assert entry["grant_id"] == g.grant_id
    assert entry["document_sha256"] == g.document_sha256
    assert entry["shots"] == ["12A"] and entry["edit_kinds"] == ["eyeline"]
    assert entry["valid_from"] == "2026-03-01T00:00:00.000000Z"


def test_grant_reads_back_identically_and_document_is_content_addressed(
    registry: ConsentRegistry, workspace: Workspace, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    g = make_grant(
        alice.performer_id, languages=["fr"], valid_until=ts("2027-03-01"), notice_given_at=ts("2026-02-26T09:00")
    )
    (back,) = registry.grants(alice.performer_id, at=ts("2026-04-01"))
    assert back == g
    assert registry.document(g.document_sha256) == SIGNED
    assert g.document_sha256 in workspace.blobs
    assert registry.performers() == [alice]


def test_document_can_be_given_as_a_path(
    registry: ConsentRegistry, alice: Performer, tmp_path: pytest.TempPathFactory
) -> None:
    doc = tmp_path / "consent.pdf"  # type: ignore[operator]
    doc.write_bytes(SIGNED)
    g = registry.grant(alice.performer_id, **grant_kwargs(document=doc))
    assert registry.document(g.document_sha256) == SIGNED


def test_no_personal_data_in_any_ledger_entry(registry: ConsentRegistry, log: Log, tmp_path) -> None:  # type: ignore[no-untyped-def]
    estate_doc = b"Letters testamentary: Marguerite Okafor, executrix of the estate of Harold Okafor."
    harold = registry.register_performer(
        name="Harold Okafor", kind="principal", guild="SAG-AFTRA", guild_id="SAG-991177", deceased=True,
        died_at=ts("2025-02-02"), representative_name="Marguerite Okafor", representative_document=estate_doc,
    )  # fmt: skip
    g = registry.grant(
        harold.performer_id,
        **grant_kwargs(
            signed_by="representative", use_description="Harold Okafor's likeness relit in the 1970s flashback",
            compensation_ref="Okafor estate fee USD 25,000", edit_kinds=["relight"],
        ),
    )  # fmt: skip
    registry.revoke(g.grant_id, reason="Marguerite Okafor withdrew consent by phone")
    registry.suspend(harold.performer_id, reason="Okafor family bereavement request")
    secrets = ["Harold", "Okafor", "Marguerite", "SAG-991177", "25,000", "flashback", "withdrew", "bereavement"]
    for i in range(log.size()):
        text = log.entry(i).decode()
        for secret in secrets:
            assert secret not in text, f"ledger entry {i} leaks {secret!r}: {text}"
    # ...but the entry commits to the full record, which an auditor holding the salt can open.
    entry = log.entry_json(0)
    row_salt = registry._load([harold.performer_id], None)[0][0]["salt"]
    assert entry["record_sha256"] == commitment(row_salt, performer_record(harold))
    assert entry["representative_document_sha256"] == harold.representative.authority_document_sha256  # type: ignore[union-attr]


def test_revocation_is_an_event_and_time_travel_shows_before_and_after(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    g = make_grant(alice.performer_id)
    ev = registry.revoke(g.grant_id, reason="withdrawn", effective_at=ts("2026-05-01"))
    before = registry.grants(alice.performer_id, at=ts("2026-04-30T23:59:59"))[0]
    after = registry.grants(alice.performer_id, at=ts("2026-05-01"))[0]
    assert before.revoked_at is None and before.in_force(ts("2026-04-30T23:59:59"))
    assert after.revoked_at == ts("2026-05-01") and not after.in_force(ts("2026-05-01"))
    # the grant row itself is unchanged: everything but the evaluated state is identical
    assert after.model_copy(update={"revoked_at": None}) == before
    # known_at: before the revocation was recorded, the registry did not know of it
    not_yet_known = registry.grants(
        alice.performer_id, at=ts("2026-06-01"), known_at=ev.recorded_at - timedelta(microseconds=1)
    )
    assert not_yet_known[0].revoked_at is None
    hist = registry.history(g.grant_id)
    assert [e.kind for e in hist] == ["granted", "revoked"]
    assert hist[1].reason == "withdrawn" and hist[1].effective_at == ts("2026-05-01")


def test_a_revocation_is_final(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    from consent import AlreadyRevokedError

    g = make_grant(alice.performer_id)
    registry.revoke(g.grant_id, reason="withdrawn")
    with pytest.raises(AlreadyRevokedError, match="already revoked"):
        registry.revoke(g.grant_id, reason="again")


def test_strike_suspension_applies_to_every_grant_until_lifted(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    bo = registry.register_performer(name="Bo Lin", kind="stunt")
    ga, gb = make_grant(alice.performer_id), make_grant(bo.performer_id)
    strike = registry.suspend(None, reason="SAG-AFTRA strike", start=ts("2026-07-14"))
    during = registry.state_at(None, ts("2026-08-01"))
    assert [s.suspension_id for s in during.suspensions] == [strike.suspension_id]
    assert all(g.suspensions and not g.in_force(during.at) for g in during.grants)
    registry.lift_suspension(strike.suspension_id, reason="tentative agreement", end=ts("2026-11-09"))
    after = registry.state_at(None, ts("2026-11-10"))
    assert after.suspensions == [] and all(g.in_force(after.at) for g in after.grants)
    still_during = registry.state_at(None, ts("2026-11-08"))
    assert all(not g.in_force(still_during.at) for g in still_during.grants)
    assert still_during.suspensions[0].end == ts("2026-11-09")
    for g in (ga, gb):
        assert [e.kind for e in registry.history(g.grant_id)] == ["granted", "suspended", "suspension_lifted"]


def test_performer_suspension_touches_only_that_performer(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    bo = registry.register_performer(name="Bo Lin", kind="stunt")
    make_grant(alice.performer_id)
    make_grant(bo.performer_id)
    registry.suspend(alice.performer_id, reason="dispute", start=ts("2026-04-01"), end=ts("2026-04-10"))
    state = registry.state_at(None, ts("2026-04-05"))
    by = {g.performer_id: g for g in state.grants}
    assert not by[alice.performer_id].in_force(state.at)
    assert by[bo.performer_id].in_force(state.at)
    assert state.suspensions == []  # not production-wide
    assert registry.grants(alice.performer_id, at=ts("2026-04-10"))[0].in_force(ts("2026-04-10"))


def test_state_is_plain_data_for_the_policy_engine(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    make_grant(alice.performer_id)
    state = registry.state_at([alice.performer_id], ts("2026-04-01"))
    dumped = state.model_dump()
    assert ConsentState.model_validate(dumped) == state
    json.loads(state.model_dump_json())
    grant = dumped["grants"][0]
    for field in (
        "grant_id", "performer_id", "project", "category", "edit_kinds", "purposes", "shots", "scenes",
        "use_description", "separately_signed", "signed_by", "document_sha256", "governing_law", "contract_edition",
        "valid_from", "valid_until", "compensation_ref", "languages", "ledger_index", "revoked_at", "suspensions",
    ):  # fmt: skip
        assert field in grant
    for field in (
        "performer_id", "name", "kind", "guild_member", "guild", "guild_id", "minor", "deceased", "representative",
        "representation",
    ):  # fmt: skip
        assert field in dumped["performers"][0]


def test_grants_recorded_later_are_invisible_to_earlier_known_at(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    first = make_grant(alice.performer_id)
    second = make_grant(alice.performer_id, edit_kinds=["relight"])
    assert first.recorded_at is not None and second.recorded_at is not None
    known = registry.grants(alice.performer_id, at=T0, known_at=first.recorded_at)
    assert [g.grant_id for g in known] == [first.grant_id]
    assert len(registry.grants(alice.performer_id, at=T0)) == 2


def test_estate_consent_for_deceased_performer(registry: ConsentRegistry) -> None:
    harold = registry.register_performer(
        name="Harold Okafor", kind="principal", died_at=ts("2025-02-02"),
        representative_name="Marguerite Okafor", representative_document=b"letters testamentary",
    )  # fmt: skip
    assert harold.deceased
    old = registry.grant(harold.performer_id, **grant_kwargs(signed_at=ts("2024-06-01"), valid_from=ts("2024-06-01")))
    estate = registry.grant(harold.performer_id, **grant_kwargs(signed_by="representative", category="icdr"))
    assert old.signed_by == "performer" and estate.signed_by == "representative"
    orphan = registry.register_performer(name="Unknown Heirs", kind="background", deceased=True)
    union = registry.grant(orphan.performer_id, **grant_kwargs(signed_by="union", category="background_replica"))
    assert union.signed_by == "union"


def test_performer_with_same_guild_id_cannot_be_registered_twice(registry: ConsentRegistry, alice: Performer) -> None:
    from consent import DuplicatePerformerError

    with pytest.raises(DuplicatePerformerError, match="SAG-0042"):
        registry.register_performer(name="A. Marchetti", kind="principal", guild="SAG-AFTRA", guild_id="SAG-0042")


def test_registries_of_two_projects_are_separate(
    workspace: Workspace, registry: ConsentRegistry, alice: Performer
) -> None:
    from consent import UnknownPerformerError
    from ledger import Ledger

    other_log = Ledger(workspace.engine, workspace.keys_dir).create_log("cutproof.local/day-shift")
    other = ConsentRegistry(workspace.engine, workspace.blobs, other_log)
    assert other.project == "day-shift" and other.performers() == []
    with pytest.raises(UnknownPerformerError):
        other.grant(alice.performer_id, **grant_kwargs())
    assert other_log.size() == 0


def test_strike_limited_to_replica_categories(
    registry: ConsentRegistry, log: Log, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    alteration = make_grant(alice.performer_id)
    replica = make_grant(alice.performer_id, category="ebdr")
    s = registry.suspend(None, reason="2026 strike: replica consents suspended", start=ts("2026-07-14"),
                         categories=["ebdr", "icdr"], strike=True)  # fmt: skip
    entry = log.entry_json(log.size() - 1)
    assert entry["categories"] == ["ebdr", "icdr"] and entry["strike"] is True
    state = registry.state_at(None, ts("2026-08-01"))
    by = {g.grant_id: g for g in state.grants}
    assert by[alteration.grant_id].in_force(state.at)
    assert not by[replica.grant_id].in_force(state.at)
    assert state.suspensions[0].strike and state.suspensions[0].suspension_id == s.suspension_id
    assert [e.kind for e in registry.history(alteration.grant_id)] == ["granted"]
    assert [e.kind for e in registry.history(replica.grant_id)] == ["granted", "suspended"]
    assert registry.reconcile().ok


def test_state_converts_to_the_policy_engines_models(
    registry: ConsentRegistry, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    """The contract with ``policies``: its models accept our records as plain data."""
    policies_models = pytest.importorskip("policies.models", reason="policies not merged into this branch yet")
    make_grant(alice.performer_id)
    registry.suspend(None, reason="strike", start=ts("2026-07-14"), strike=True)
    state = registry.state_at(None, ts("2026-08-01"))
    theirs = policies_models.ConsentState.model_validate(state.model_dump())
    assert theirs.grants[0].grant_id == state.grants[0].grant_id
    assert theirs.suspensions[0].strike is True


def test_performer_dies_during_production_and_the_estate_consents(
    registry: ConsentRegistry, log: Log, alice: Performer, make_grant: Callable[..., ConsentGrant]
) -> None:
    from consent import SignerError

    own = make_grant(alice.performer_id, signed_at=ts("2026-03-01"))
    amended = registry.amend_performer(
        alice.performer_id, reason="death certificate received", died_at=ts("2026-06-10"),
        representative_name="Estate of Alice Marchetti", representative_document=b"letters testamentary",
    )  # fmt: skip
    assert amended.deceased and amended.representative is not None
    assert registry.performer(alice.performer_id) == amended
    assert log.entry_json(log.size() - 1)["kind"] == "performer.amended/1"
    assert "Marchetti" not in log.entry(log.size() - 1).decode()
    with pytest.raises(SignerError, match="on or after their death"):
        make_grant(alice.performer_id, signed_at=ts("2026-07-01"), valid_from=ts("2026-07-01"))
    estate = make_grant(alice.performer_id, signed_by="representative", category="icdr", valid_from=ts("2026-07-01"))
    # a consent the performer signed before death, recorded after the amendment, is accepted
    late_recorded = make_grant(alice.performer_id, signed_at=ts("2026-05-01"), edit_kinds=["relight"])
    state = registry.state_at([alice.performer_id], ts("2026-08-01"))
    assert {g.grant_id for g in state.grants} == {own.grant_id, estate.grant_id, late_recorded.grant_id}
    assert state.performers == [amended]
    # as known before the amendment, the performer was alive
    before = registry.state_at([alice.performer_id], ts("2026-08-01"), known_at=own.recorded_at)
    assert before.performers == [alice]
    cov = registry.covering(alice.performer_id, "eyeline", "continuity", "12A", at=ts("2026-08-01"))
    assert [p.kind for p in cov.performer_proofs] == ["performer.registered/1", "performer.amended/1"]
    assert cov.verify(log.verifier_keys()) == len(cov.proofs())
    assert registry.reconcile().ok


def test_grant_for_a_future_use_is_signed_now_by_default(registry: ConsentRegistry, alice: Performer) -> None:
    from consent.models import now_utc

    start = now_utc() + timedelta(days=30)
    g = registry.grant(alice.performer_id, **grant_kwargs(valid_from=start))
    assert g.signed_at <= now_utc() < g.valid_from
    assert not registry.grants(alice.performer_id)[0].in_window(now_utc())
