"""Finding the iris (``editor.eyeline._eyes.iris_centre``, stop 53): where its catchlights are does not move it.

Before stop 53 the iris was the darkest disc of 0.11 of the patch width, smaller than the iris (the stated eye
model's 0.146), with its catchlights in: the disc sat in the iris's darkest corner, away from the catchlights, and
on footage it swung from one side of them to the other from frame to frame (Obama's close-up: 3.5 patch px). The
warp is centred where the iris is found, so the eye flickered."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.eyeline._eyes import LIMBUS, PATCH_H, dark_disc, iris_centre
from editor.eyeline.blink import sclera_contrast
from tests.editor._drawn_eye import LOOKS, drawn_eye


@given(
    x=st.floats(17.0, 31.0),
    look=st.sampled_from(sorted(LOOKS)),
    light=st.tuples(st.floats(-3.0, 3.0), st.floats(-3.0, -1.0)),
)
def test_a_catchlight_does_not_move_the_found_iris(x: float, look: str, light: tuple[float, float]) -> None:
    found = iris_centre(drawn_eye(x, look, LIMBUS, (light,)))
    assert abs(found[0] - x) < 0.75 and abs(found[1] - (PATCH_H - 1) / 2) < 0.75


@pytest.mark.parametrize("look", sorted(LOOKS))
def test_before_the_found_iris_followed_the_catchlights_away(look: str) -> None:
    x = 24.0
    left, right = (drawn_eye(x, look, LIMBUS, ((dx, -2.5),)) for dx in (-3.0, 3.0))
    assert dark_disc(right, 0.11)[0] - dark_disc(left, 0.11)[0] < -2.5  # the finder before: a 0.11 disc
    assert abs(iris_centre(right)[0] - iris_centre(left)[0]) < 0.5


def test_the_blink_reads_where_the_small_disc_is() -> None:
    """The blink's thresholds were set on the darkest 0.11 disc (``blink``); its reading stays there."""
    eye = drawn_eye(20.0, "dark iris", LIMBUS, ((2.0, -2.5),))
    assert sclera_contrast(eye) == sclera_contrast(eye, dark_disc(eye, 0.11))
    assert np.isfinite(sclera_contrast(eye))
