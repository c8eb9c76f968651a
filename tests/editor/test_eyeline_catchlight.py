"""The eye's catchlight moves by the cornea's share of the iris's displacement (``editor.eyeline.catchlight``)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from editor.eyeline._eyes import PATCH_H, PATCH_W, degrees_to_px, iris_centre
from editor.eyeline.catchlight import SHARE, move_eye, split
from editor.eyeline.iris import IRIS_RADIUS, iris_field
from editor.eyeline.readback import iris_moved
from tests.editor._drawn_eye import drawn_eye

GRID = tuple(np.mgrid[0:PATCH_H, 0:PATCH_W].astype(np.float32)[::-1])


def _with_catchlight(eye: np.ndarray, at: tuple[float, float]) -> np.ndarray:
    """``eye`` with a small white reflection (radius 1.2 px, drawn 8× and shrunk) centred at ``at``."""
    big = np.zeros((PATCH_H * 8, PATCH_W * 8), np.uint8)
    cv2.circle(big, (round(at[0] * 8 + 3.5), round(at[1] * 8 + 3.5)), 10, 255, -1)
    spot = cv2.resize(big, (PATCH_W, PATCH_H), interpolation=cv2.INTER_AREA).astype(np.float32)[..., None] / 255
    return eye * (1 - spot) + spot * np.float32(0.97)


def _spot_x(patch: np.ndarray, near: tuple[float, float]) -> float:
    """The x of the small bright spot's centroid within 3 px of ``near`` (its white top-hat's weight)."""
    grey = cv2.cvtColor(patch, cv2.COLOR_RGB2GRAY)
    hat = cv2.morphologyEx(grey, cv2.MORPH_TOPHAT, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    ys, xs = np.mgrid[0:PATCH_H, 0:PATCH_W]
    weight = hat * (np.hypot(xs - near[0], ys - near[1]) < 3)
    return float((weight * xs).sum() / weight.sum())


def _moved(patch: np.ndarray, deg: float) -> np.ndarray:
    """``patch`` as the edit moves an eye on a frame whose pixels are the patch's."""
    centre = iris_centre(patch)
    flow = iris_field(patch, (deg, 0.0))
    return move_eye(patch, GRID, flow, (*centre, IRIS_RADIUS * PATCH_W))  # type: ignore[arg-type]


@pytest.mark.parametrize("deg", [8.0, -8.0])
def test_the_catchlight_moves_the_corneas_share(deg: float) -> None:
    """Stop 47's warp carried the catchlight the iris's whole way."""
    centre = ((PATCH_W - 1) / 2, PATCH_H / 2 - 0.5)
    at = (centre[0] - 0.5 * np.sign(deg), centre[1] - 1.5)  # ends up inside the moved iris
    src = _with_catchlight(drawn_eye(), at)
    out = _moved(src, deg)
    iris = degrees_to_px(deg, PATCH_W)
    assert iris_moved(src, out)[0] == pytest.approx(iris, abs=0.1)
    assert _spot_x(out, (at[0] + SHARE * iris, at[1])) - _spot_x(src, at) == pytest.approx(SHARE * iris, abs=0.15)


def test_an_eye_without_a_catchlight_is_the_plain_warp() -> None:
    """The white of the eye beside the iris is wider than a catchlight: it is not taken for one."""
    for x in (17.0, (PATCH_W - 1) / 2, 30.0):
        src = drawn_eye(x)
        _, light = split(src, iris_centre(src), IRIS_RADIUS * PATCH_W)
        assert not light.any()
        flow = iris_field(src, (8.0, 0.0))
        plain = cv2.remap(src, GRID[0] + flow[..., 0], GRID[1] + flow[..., 1], cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)  # fmt: skip
        assert np.array_equal(_moved(src, 8.0), plain)


def test_the_split_adds_up_to_the_eye() -> None:
    src = _with_catchlight(drawn_eye(), (22.0, 14.0))
    eye, light = split(src, iris_centre(src), IRIS_RADIUS * PATCH_W)
    assert light.max() > 0.5  # the reflection was found
    assert np.allclose(eye + light, src, atol=1e-6)
    assert cv2.cvtColor(eye, cv2.COLOR_RGB2GRAY)[13:16, 21:24].max() < 0.4  # filled with the iris


def test_no_shift_changes_nothing() -> None:
    src = _with_catchlight(drawn_eye(), (22.0, 14.0))
    assert np.allclose(_moved(src, 0.0), src, atol=1e-6)
