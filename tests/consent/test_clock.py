"""The consent clock's capacity rules (table) and court approvals through the registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consent import ConsentRegistry, InvalidRecordError, clock
from tests.consent.conftest import T0, grant_kwargs

DOC = "ab" * 32
DAY = timedelta(days=1)


def _who(**kw: object) -> clock.SignerFacts:
    return clock.SignerFacts("prf_x", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("signed_by", "performer", "law", "approved", "ok", "court", "words"),
    [
        ("performer", _who(), None, None, True, "not_required", None),
        ("representative", _who(), None, None, True, "not_required", None),  # a living adult: the packs' question
        ("performer", _who(minor=True, representative_document_sha256=DOC), None, None, False, "not_required",
         "minor"),
        ("union", _who(minor=True, representative_document_sha256=DOC), None, None, False, "not_required", "union"),
        ("representative", _who(minor=True), None, None, False, "not_required", "authority document"),
        ("representative", _who(minor=True, representative_document_sha256=DOC), "US-TX", None, True,
         "not_required", None),
        ("representative", _who(minor=True, representative_document_sha256=DOC), "US-CA", None, True, "missing",
         None),
        ("representative", _who(minor=True, representative_document_sha256=DOC), "US-NY", T0, True, "on_record",
         None),
        ("performer", _who(deceased=True), None, None, False, "not_required", "no date of death"),
        ("performer", _who(deceased=True, died_at=T0 - DAY), None, None, False, "not_required", "not dated before"),
        ("performer", _who(deceased=True, died_at=T0 + DAY), None, None, True, "not_required", None),
        ("representative", _who(deceased=True), None, None, False, "not_required", "estate"),
        ("representative", _who(deceased=True, representative_document_sha256=DOC), None, None, True,
         "not_required", None),
        ("union", _who(deceased=True, representative_document_sha256=DOC), None, None, False, "not_required",
         "no representative can be identified"),
        ("union", _who(deceased=True), None, None, True, "not_required", None),
    ],
)  # fmt: skip
def test_capacity(
    signed_by: clock.Signer,
    performer: clock.SignerFacts,
    law: str | None,
    approved: datetime | None,
    ok: bool,
    court: str,
    words: str | None,
) -> None:
    judged = clock.capacity("cg_x", signed_by, T0, performer, law, approved)
    assert (judged.ok, judged.court_approval) == (ok, court)
    assert (judged.problem is None) == (words is None)
    if words:
        assert words in str(judged.problem) and "cg_x" in str(judged.problem)
    if court != "not_required":
        assert judged.law is not None and judged.law.citation.startswith(("Cal. Fam. Code", "N.Y. Arts"))


def test_windows_and_years() -> None:
    with pytest.raises(clock.WindowError, match="is not after valid_from"):
        clock.GrantTerms("g", "p", "ebdr", T0, T0)
    assert clock.whole_years(datetime(1970, 6, 1, tzinfo=UTC), datetime(2026, 5, 31, 23, 59, tzinfo=UTC)) == 55
    assert clock.whole_years(datetime(1970, 6, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)) == 56


def test_a_court_approval_is_recorded_once_for_a_minor_and_counts_from_its_date(registry: ConsentRegistry) -> None:
    kid = registry.register_performer(
        name="Kit", kind="principal", minor=True, representative_name="Parent", representative_document=b"guardian"
    ).performer_id
    adult = registry.register_performer(name="Ada", kind="principal").performer_id
    g = registry.grant(kid, **grant_kwargs(signed_by="representative", signed_at=T0, governing_law="US-CA"))
    other = registry.grant(adult, **grant_kwargs(signed_at=T0))
    assert g.capacity is not None and g.capacity.court_approval == "missing"
    size = registry.log.size()
    with pytest.raises(InvalidRecordError, match="not recorded as a minor"):
        registry.approve_by_court(other.grant_id, document=b"order", approved_at=T0, reason="case 1")
    with pytest.raises(InvalidRecordError, match="already signed"):
        registry.approve_by_court(g.grant_id, document=b"order", approved_at=T0 - DAY, reason="case 1")
    assert registry.log.size() == size  # nothing written for bad input
    ev = registry.approve_by_court(g.grant_id, document=b"order", approved_at=T0 + 5 * DAY, reason="LASC 1")
    assert registry.log.entry_json(ev.ledger_index)["kind"] == "consent.court_approved/1"
    with pytest.raises(InvalidRecordError, match="already has a court approval"):
        registry.approve_by_court(g.grant_id, document=b"order", approved_at=T0 + 6 * DAY, reason="again")
    [before] = registry.grants(kid, at=T0 + 5 * DAY - timedelta(microseconds=1))
    [after] = registry.grants(kid, at=T0 + 5 * DAY)
    assert before.capacity is not None and before.capacity.court_approval == "missing"
    assert after.capacity is not None and after.capacity.court_approval == "on_record"
    assert [e.kind for e in registry.history(g.grant_id)] == ["granted", "court_approved"]
    assert registry.reconcile().ok
