"""Times in the consent tables are fixed-width UTC text; reading one back gives the same aware instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consent._tables import format_utc, parse_utc

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5))])


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES))
def test_round_trip(value: datetime) -> None:
    text = format_utc(value)
    assert len(text) == 27 and text.endswith("Z")
    back = parse_utc(text)
    assert back == value and back.tzinfo is UTC
    assert back == datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2026-11-24T03:10:00Z", "2026-11-24T03:10:00.000000+00:00", "2026-11-24 03:10:00.000000Z", ""]
)
def test_other_forms_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="fixed-width UTC"):
        parse_utc(text)
