"""The shot page's relight form → the API's submission: the reference and its ungraded original, each with a frame;
the reference patch, the feather and every adjustment."""

from __future__ import annotations

import asyncio

import pytest
from starlette.datastructures import FormData

from cutproof.console.pages.editors import build_submission

REF, ORIG, SHOT = "a" * 64, "b" * 64, "c" * 64


def _params(**fields: str) -> dict[str, object]:
    form = FormData({"kind": "relight", "purpose": "continuity", **fields})
    return dict(asyncio.run(build_submission(None, None, SHOT, form)).params)  # type: ignore[arg-type]  # no uploads


def test_the_reference_and_its_original_are_sent_with_their_frames() -> None:
    assert _params(reference=REF, reference_frame="12", reference_original=ORIG, reference_original_frame="40") == {
        "reference": f"{REF}@12",
        "reference_original": f"{ORIG}@40",
    }
    assert _params(reference=REF, reference_original=ORIG) == {"reference": REF, "reference_original": ORIG}
    assert _params(reference=REF, reference_original="", reference_original_frame="") == {"reference": REF}


def test_the_reference_patch_feather_and_every_adjustment_are_sent() -> None:
    got = _params(reference=REF, reference_region="10,20,64,48", feather="12", lift="0.05", gamma="1.1", gain="0.9")
    assert got == {
        "reference": REF,
        "reference_region": "10,20,64,48",
        "feather": 12,
        "lift": 0.05,
        "gamma": 1.1,
        "gain": 0.9,
    }
    assert isinstance(got["feather"], int)  # the gate takes a whole number only
    assert _params(reference=REF, reference_region=" ", feather="") == {"reference": REF}


def test_a_fractional_feather_is_refused_on_the_form() -> None:
    with pytest.raises(ValueError, match="feather must be a whole number of pixels"):
        _params(reference=REF, feather="2.5")
