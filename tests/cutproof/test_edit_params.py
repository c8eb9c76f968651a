"""Each edit kind's parameters are checked and typed before the gate records anything (``cutproof.edits.params``):
a name the kind does not take, a value of the wrong type and a bad ``SHOT@FRAME`` are refused, each with a message
naming the parameter."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cutproof.edits.params import (
    BackgroundParams,
    DialogueParams,
    EyelineParams,
    InvalidParametersError,
    RelightParams,
    ShotFrame,
    check_params,
)

BLOB = "blob:" + "a" * 64
NAMES = st.text(
    st.characters(blacklist_characters="@", blacklist_categories=("Cs", "Z", "Cc")), min_size=1, max_size=30
)


@given(NAMES, st.one_of(st.none(), st.integers(0, 10**7)))
def test_shot_frame_round_trips(shot: str, frame: int | None) -> None:
    sf = ShotFrame(shot, frame)
    assert ShotFrame.parse(str(sf)) == sf


@given(NAMES, st.text(min_size=0, max_size=8).filter(lambda t: not (t.isascii() and t.isdigit())))
def test_a_frame_that_is_not_a_whole_number_is_refused(shot: str, frame: str) -> None:
    with pytest.raises(InvalidParametersError, match="must be a whole frame number"):
        ShotFrame.parse(f"{shot}@{frame}")


@pytest.mark.parametrize("spec", ["@3", "@", ""])
def test_a_reference_without_a_shot_is_refused(spec: str) -> None:
    with pytest.raises(InvalidParametersError, match="names no shot"):
        ShotFrame.parse(spec)


def test_each_kind_reads_its_parameters_typed() -> None:
    b = BackgroundParams.parse({"plate": "set.mov", "plate_frame": 4, "despill": True})
    assert (b.plate, b.plate_frame, b.despill, b.clean_plate, b.model) == ("set.mov", 4, True, None, None)
    e = EyelineParams.parse({"performer": "prf_1", "shift": [2, -1.5]})
    assert e.shift == [2.0, -1.5] and e.model is None
    r = RelightParams.parse({"reference": "take2@17", "reference_original": "take2", "exposure": 1, "tint": -0.5})
    assert r.shot_frame("reference") == ShotFrame("take2", 17)
    assert r.shot_frame("reference_original") == ShotFrame("take2", None)
    assert r.adjustments() == {"exposure": 1.0, "tint": -0.5}
    d = DialogueParams.parse({"performer": "prf_1", "audio": BLOB, "retime_only": True})
    assert d.retime_only and not d.replace_pauses


BAD = [
    ("background", {}, "params.plate is required"),
    ("background", {"plate": "p", "despil": True}, "params.despil is not a parameter"),
    ("background", {"plate": "p", "plate_frame": -1}, "params.plate_frame"),
    ("eyeline", {"performer": "p", "shift": [1]}, "params.shift"),
    ("eyeline", {"performer": "p", "shift": ["a", 0]}, "params.shift.0"),
    ("eyeline", {"performer": "p", "shift": [1, float("inf")]}, "two finite numbers"),
    ("eyeline", {"shift": [1, 0]}, "params.performer is required"),
    ("relight", {"reference": "take@two"}, "reference frame 'two' must be a whole frame number"),
    ("relight", {"reference_original": "take@-1"}, "reference original frame '-1'"),
    ("relight", {"reference": "take@²"}, "reference frame '²'"),
    ("relight", {"exposure": "1"}, "params.exposure: input should be a valid number, got '1'"),
    ("relight", {"exposure": True}, "params.exposure"),
    ("relight", {"gain": float("nan")}, "params.gain"),
    ("relight", {"reference_region": "1,2,3"}, "four integers"),
    ("relight", {"feather": 2.5}, "params.feather"),
    ("relight", {"performer": "p", "exposure": 1}, "params.performer is not a parameter"),
    ("relight", {}, "nothing to do: give params.reference or at least one adjustment"),
    ("relight", {"reference_region": "0,0,8,8", "exposure": 1}, "params.reference_region needs params.reference"),
    ("relight", {"reference_original": "t@1", "exposure": 1}, "params.reference_original needs params.reference"),
    ("relight", {"reference": "a@1", "reference_original": "b@1", "reference_region": "0,0,8,8"}, "not both"),
    ("dialogue", {"performer": "p", "audio": BLOB, "retime_only": "false"}, "params.retime_only"),
    ("dialogue", {"performer": "p", "audio": "line.wav"}, "blob:<sha256>"),
    ("dialogue", {"performer": "", "audio": BLOB}, "params.performer"),
]


@pytest.mark.parametrize(("kind", "params", "says"), BAD)
def test_bad_parameters_are_refused_by_name(kind: str, params: dict, says: str) -> None:
    with pytest.raises(InvalidParametersError, match=f"^{kind} edit: .*{_re(says)}.*{kind} parameters:"):
        check_params(kind, params)


def _re(text: str) -> str:
    import re

    return re.escape(text)


def test_the_api_schema_lists_each_kinds_parameters() -> None:
    """The OpenAPI description of ``params`` (``EditSubmission``) names exactly what each kind takes."""
    from cutproof.edits.params import PARAMS
    from cutproof.edits.submission import EditSubmission

    text = str(EditSubmission.model_fields["params"].description)
    for kind, schema in PARAMS.items():
        assert f"{kind} {{{', '.join(schema.model_fields)}}}" in text
