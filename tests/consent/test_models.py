"""The registry's records validate themselves: invalid performers, grants and suspensions never exist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from consent import ConsentGrant, Performer, Suspension
from consent._state import suspensions

T0 = datetime(2026, 3, 1, tzinfo=UTC)
DOC = "a" * 64


def grant(**over: Any) -> ConsentGrant:
    base: dict[str, Any] = {
        "grant_id": "cg_0123456789abcdef",
        "performer_id": "prf_0123456789abcdef",
        "project": "night-shift",
        "category": "digital_alteration",
        "edit_kinds": ["relight"],
        "purposes": ["continuity"],
        "shots": "all",
        "scenes": "all",
        "use_description": "Relight scene 4 for continuity with the reshoot.",
        "separately_signed": True,
        "signed_by": "performer",
        "signed_at": T0,
        "document_sha256": DOC,
        "contract_edition": "sag-aftra-tv-theatrical-2023",
        "valid_from": T0,
    }
    base.update(over)
    return ConsentGrant(**base)


def test_valid_grant_round_trips_through_plain_data() -> None:
    g = grant(shots=["12A", "12B"], languages=["fr", "es-MX"], governing_law="US-NY")
    assert ConsentGrant.model_validate(g.model_dump()) == g
    assert ConsentGrant.model_validate_json(g.model_dump_json()) == g


@pytest.mark.parametrize(
    ("over", "fragment"),
    [
        ({"use_description": "   "}, "use_description"),
        ({"valid_until": T0 - timedelta(days=1)}, "not after valid_from"),
        ({"valid_until": T0}, "not after valid_from"),
        ({"category": "deepfake"}, "category"),
        ({"edit_kinds": []}, "no edit kinds"),
        ({"edit_kinds": ["relight", "facewarp"]}, "unknown edit kind"),
        ({"edit_kinds": ["*", "relight"]}, "unknown edit kind"),
        ({"purposes": []}, "no purposes"),
        ({"purposes": ["Continuity!"]}, "malformed purpose"),
        ({"shots": []}, "empty shots list"),
        ({"shots": "some"}, "'all' or a list"),
        ({"scenes": ["4", "4"]}, "duplicate"),
        ({"governing_law": "California"}, "jurisdiction code"),
        ({"languages": ["French"]}, "BCP 47"),
        ({"contract_edition": "sag-aftra-1999"}, "contract_edition"),
        ({"signed_by": "agent"}, "signed_by"),
        ({"valid_from": datetime(2026, 3, 1)}, "no timezone"),
        ({"document_sha256": "xyz"}, "SHA-256"),
        ({"grant_id": "Robert'); DROP TABLE"}, "registry id"),
    ],
)
def test_invalid_grant_is_refused(over: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        grant(**over)
    assert fragment in str(info.value)


def test_times_are_normalised_to_utc() -> None:
    from zoneinfo import ZoneInfo

    g = grant(valid_from=datetime(2026, 3, 1, 9, tzinfo=ZoneInfo("America/Los_Angeles")))
    assert g.valid_from == datetime(2026, 3, 1, 17, tzinfo=UTC)
    assert g.valid_from.tzinfo is UTC


@pytest.mark.parametrize(
    ("over", "fragment"),
    [
        ({"guild_member": True}, "needs the guild named"),
        ({"guild": "SAG-AFTRA"}, "not a guild member"),
        ({"representation": "union"}, "representation 'union'"),
        ({"died_at": T0}, "not marked deceased"),
        ({"name": ""}, "must not be empty"),
        ({"kind": "extra"}, "kind"),
    ],
)
def test_inconsistent_performer_is_refused(over: dict[str, Any], fragment: str) -> None:
    base: dict[str, Any] = {"performer_id": "prf_0123456789abcdef", "name": "Bo Lin", "kind": "principal"}
    with pytest.raises(ValidationError) as info:
        Performer(**(base | over))
    assert fragment in str(info.value)


def test_suspension_window_must_be_forward() -> None:
    with pytest.raises(ValidationError, match="not after its start"):
        Suspension(suspension_id="sus_0123456789abcdef", start=T0, end=T0, reason="strike")


minutes = st.integers(min_value=-10_000, max_value=10_000).map(lambda m: T0 + timedelta(minutes=m))


@given(start=minutes, length=st.integers(min_value=1, max_value=5000), probe=minutes)
def test_windows_are_half_open(start: datetime, length: int, probe: datetime) -> None:
    end = start + timedelta(minutes=length)
    g = grant(valid_from=start, signed_at=start, valid_until=end)
    assert g.in_window(probe) == (start <= probe < end)
    s = Suspension(suspension_id="sus_0123456789abcdef", start=start, end=end, reason="strike")
    assert s.active_at(probe) == (start <= probe < end)
    assert g.in_force(probe) == (start <= probe < end)
    assert not g.model_copy(update={"suspensions": [s]}).in_force(probe)


@given(
    end=st.one_of(st.none(), st.integers(min_value=1, max_value=100)),
    lifts=st.lists(st.integers(min_value=1, max_value=100), max_size=3),
)
def test_a_lift_only_ever_shortens_a_suspension(end: int | None, lifts: list[int]) -> None:
    rows: list[dict[str, Any]] = [
        {
            "event_kind": "suspended", "event_id": "sus_0123456789abcdef", "suspension_id": "sus_0123456789abcdef",
            "performer_id": None, "effective_at": T0, "end_at": None if end is None else T0 + timedelta(days=end),
            "reason": "strike", "categories": None, "strike": True,
        }
    ]  # fmt: skip
    for i, day in enumerate(lifts):
        rows.append(
            {"event_kind": "suspension_lifted", "event_id": f"lift_{i:016d}", "suspension_id": "sus_0123456789abcdef",
             "effective_at": T0 + timedelta(days=day)}
        )  # fmt: skip
    (s,) = suspensions(rows)
    candidates = [d for d in [end, *lifts] if d is not None]
    assert s.end == (T0 + timedelta(days=min(candidates)) if candidates else None)
