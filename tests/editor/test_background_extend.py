"""Where an estimated plate was never seen but sits next to a plain stretch of set, the matte keys against it."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from editor.background._extend import REACH, extendable
from editor.background.matte import MatteParams, matte_frame
from editor.background.plate import CleanPlate

H, W = 240, 320


def _gradient_set() -> np.ndarray:
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    tone = np.array([0.15, 0.45, 0.75], np.float32) + (xx / W)[..., None] * 0.1 - (yy / H)[..., None] * 0.08
    return np.clip(tone, 0, 1).astype(np.float32)


def _textured_set() -> np.ndarray:
    yy, xx = np.mgrid[0:H, 0:W]
    check = ((yy // 6 + xx // 6) % 2).astype(np.float32)[..., None]
    return (check * np.array([0.8, 0.5, 0.2]) + (1 - check) * np.array([0.1, 0.2, 0.5])).astype(np.float32)


def _radius() -> np.ndarray:
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    return np.sqrt((yy - H / 2) ** 2 + (xx - W / 2) ** 2)


def _u8(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, 0, 1) * 255).round().astype(np.uint8)


def test_only_unknown_pixels_next_to_a_set_that_extrapolates_well_are_extended() -> None:
    known = _radius() > 60  # a person always stood within 60 px of the centre
    r = max(2, round(REACH * H))
    plain = extendable(_u8(_gradient_set()), known, noise=0.004)
    assert not (plain & known).any()
    ring = ~known & (_radius() > 60 - r)
    assert plain[ring].mean() > 0.9  # the plain set's edge of the unknown region is extended ...
    assert not plain[_radius() < 60 - r - 1].any()  # ... no deeper than REACH
    # Next to a checkerboard, inpainting cannot say what the set behind the person is: nothing is extended.
    assert extendable(_u8(_textured_set()), known, noise=0.004).mean() < 0.001
    assert not extendable(_u8(_gradient_set()), np.ones((H, W), bool), noise=0.004).any()


def test_a_static_silhouette_a_little_too_large_leaves_no_halo_where_the_set_is_plain() -> None:
    rad = _radius()
    truth = np.clip((51.5 - rad) / 3.0, 0, 1).astype(np.float32)  # a 3-px soft edge at r ≈ 50
    _yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    person = (np.array([0.70, 0.50, 0.40]) * (0.9 + 0.1 * np.sin(xx / 4))[..., None]).astype(np.float32)
    sett = _gradient_set()
    frame = truth[..., None] * person + (1 - truth[..., None]) * sett
    silhouette = rad < 54  # GrabCut's static silhouette, a few pixels generous
    known = rad > 56  # the set seen: beyond the silhouette and its margin
    image = cv2.inpaint(_u8(sett), (~known).astype(np.uint8), 3, cv2.INPAINT_TELEA).astype(np.float32) / 255
    plate = CleanPlate(image=image, known=known, performer=silhouette, noise=0.004, source="estimated")
    extended = replace(plate, extended=extendable(_u8(image), known, 0.004))
    params = MatteParams().resolved(plate)
    before, after = matte_frame(frame, plate, params).alpha, matte_frame(frame, extended, params).alpha
    halo = (truth == 0) & ~known  # the set inside the unknown region, which the silhouette calls person
    assert before[halo].mean() > 0.3
    assert after[halo].mean() < 0.5 * before[halo].mean()
    near = ~known & (rad > 40)
    assert np.abs(after - truth)[near].mean() < 0.7 * np.abs(before - truth)[near].mean()
    assert (after[truth >= 1] > 0.98).mean() > 0.99  # the person stays solid
