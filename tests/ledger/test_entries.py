"""Entry canonicalisation: the fast path is byte-identical to the rfc8785 package."""

from __future__ import annotations

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.entries import _fast_canonical, canonical_entry

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text() | st.floats(allow_nan=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_fast_path_matches_rfc8785(obj: dict) -> None:
    fast = _fast_canonical(obj)
    try:
        reference = rfc8785.dumps(obj)
    except (rfc8785.CanonicalizationError, ValueError, UnicodeEncodeError):
        reference = None
    if fast is not None:
        assert fast == reference


def test_fast_path_taken_for_plain_entries_and_controls_escaped() -> None:
    obj = {"kind": "a/1", "s": 'tab\there \x01 "q" \\ é 😀', "n": 2**53 - 1, "l": [True, None, {"b": 1, "a": 2}]}
    assert _fast_canonical(obj) == rfc8785.dumps(obj)
    assert _fast_canonical({"x": 1.5}) is None
    assert _fast_canonical({"é": 1}) is None
    assert _fast_canonical({"x": 2**53}) is None
    data = canonical_entry({"kind": "a/1", "x": 0.1}, "id", "2026-01-01T00:00:00.000000Z")
    assert data == rfc8785.dumps(
        {"kind": "a/1", "x": 0.1, "ledger": {"time": "2026-01-01T00:00:00.000000Z", "identity": "id"}}
    )
