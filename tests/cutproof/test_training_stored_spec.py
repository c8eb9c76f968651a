"""A training job queued before stop 47 still runs: its eyeline spec's ``steps`` and ``seed`` are dropped when it is
read back; a new request that gives them is refused, as any unknown field is."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cutproof.training.specs import SPEC, EyelineSpec, stored_spec

OLD_EYELINE = {"kind": "eyeline", "performer": "prf_a", "clips": ["TAKE"], "samples": 40, "steps": 600, "seed": 0}


def test_an_eyeline_job_queued_before_is_read_without_steps_and_seed() -> None:
    spec = stored_spec(OLD_EYELINE)
    assert spec == EyelineSpec(kind="eyeline", performer="prf_a", clips=["TAKE"], samples=40)


def test_a_new_eyeline_request_with_steps_is_refused() -> None:
    with pytest.raises(ValidationError, match="steps"):
        SPEC.validate_python(OLD_EYELINE)


def test_other_kinds_keep_their_fields_and_refuse_unknown_ones() -> None:
    lighting = {"kind": "lighting", "clips": ["TAKE"], "steps": 50, "seed": 3}
    assert stored_spec(lighting) == SPEC.validate_python(lighting)
    with pytest.raises(ValidationError):
        stored_spec({**lighting, "bogus": 1})
