"""The shot page's relight form → the API's submission: the reference and its ungraded original, each with a frame."""

from __future__ import annotations

import asyncio

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
