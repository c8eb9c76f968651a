"""The set in shade inside a static silhouette is given back to the set; a person, even one the set's colour, is not.

The failure this guards against was found in the demo's deliverable: the GRID booth darkens toward its bottom-left
corner, GrabCut gave that darker blue to the talker's shoulder zone, and the old booth stayed in the composite.
"""

from __future__ import annotations

import numpy as np
import pytest

from editor.background._set_colour import PLAIN_SET
from editor.background._shade import REACH, set_in_shade

H, W = 180, 240
NOISE = 0.006


def _vignetted_wall() -> np.ndarray:
    """A plain blue wall darkening smoothly (to 0.75) toward the bottom-left corner, with fine grain."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    shade = 1.0 - 0.25 * np.clip(1.0 - np.hypot(yy - H, xx) / (0.6 * H), 0, 1) ** 1.5
    wall = np.array([0.18, 0.6, 0.75], np.float32)[None, None] * shade[..., None]
    grain = np.random.default_rng(3).normal(0, NOISE / 2, (H, W, 3)).astype(np.float32)
    return np.clip(wall + grain, 0, 1).astype(np.float32)


def _shoulder() -> np.ndarray:
    """A person's shoulder sloping down to the right of the bottom-left corner."""
    yy, xx = np.mgrid[0:H, 0:W]
    return (yy > H - 60) & (xx > 40 + (H - yy) * 0.3)


def test_the_shaded_corner_a_silhouette_took_is_given_back_and_the_dark_shirt_is_kept() -> None:
    median = _vignetted_wall()
    shoulder = _shoulder()
    median[shoulder] = (0.22, 0.2, 0.19)  # a dark shirt
    yy, _ = np.mgrid[0:H, 0:W]
    silhouette = shoulder | (yy >= H - 16)  # GrabCut took the bottom rows, the corner included
    keep = np.zeros((H, W), bool)
    back = set_in_shade(median, silhouette, keep, NOISE)
    corner = silhouette & ~shoulder
    assert back[corner].mean() > 0.97  # the booth in shade is the set again ...
    assert not (back & shoulder).any()  # ... and no pixel of the shirt went with it


def test_a_person_the_colour_of_the_set_in_shade_is_kept_by_their_edge() -> None:
    # A blue shirt, the wall's own colour at 0.75 of its brightness: colour alone would call it the set in shade.
    median = _vignetted_wall()
    shoulder = _shoulder()
    median[shoulder] = np.array([0.18, 0.6, 0.75], np.float32) * 0.75
    back = set_in_shade(median, shoulder, np.zeros((H, W), bool), NOISE)
    assert not back.any()


def test_very_grainy_footage_does_not_widen_the_tests_past_a_persons_edge() -> None:
    # A blue shirt at 0.85 of a flat blue wall's brightness, its edge a 0.15 step: at σ = 0.06 the tests, unbounded,
    # would call that step shading.
    wall = np.array([0.18, 0.6, 0.75], np.float32)
    median = np.broadcast_to(wall, (H, W, 3)).copy()
    shoulder = _shoulder()
    median[shoulder] = wall * 0.85
    assert not set_in_shade(median, shoulder, np.zeros((H, W), bool), 0.06).any()


def test_what_moved_or_is_certainly_a_person_is_never_given_back() -> None:
    median = _vignetted_wall()
    yy, _ = np.mgrid[0:H, 0:W]
    silhouette = yy >= H - 16
    keep = np.zeros((H, W), bool)
    keep[H - 16 :, :30] = True  # a hand moved through the corner during the take
    back = set_in_shade(median, silhouette, keep, NOISE)
    assert not (back & keep).any()
    assert back[silhouette & ~keep].mean() > 0.9


def test_nothing_is_given_back_next_to_a_textured_set_or_beyond_reach() -> None:
    yy, xx = np.mgrid[0:H, 0:W]
    check = ((yy // 5 + xx // 5) % 2).astype(np.float32)[..., None]
    books = (check * np.array([0.6, 0.4, 0.2]) + (1 - check) * np.array([0.3, 0.2, 0.1])).astype(np.float32)
    silhouette = yy > H - 60
    books[silhouette] *= 0.8  # the same books, darker: but inpainting a checkerboard predicts nothing
    assert not set_in_shade(books, silhouette, np.zeros((H, W), bool), NOISE).any()
    # A plain set followed into a very tall silhouette stops at REACH of the shorter side.
    tall = yy > 20
    back = set_in_shade(_vignetted_wall(), tall, np.zeros((H, W), bool), NOISE)
    assert back.any()
    assert not back[20 + round(REACH * H) + 2 :].any()


def test_a_sliver_that_looks_like_the_set_in_shade_is_not_given_back() -> None:
    # A few pixels of fair hair at a low-contrast edge can pass the colour tests; shading covers an area.
    median = _vignetted_wall()
    yy, xx = np.mgrid[0:H, 0:W]
    sliver = (yy >= H - 16) & (yy < H - 13) & (xx >= 100) & (xx < 108)  # 24 px, 0.06 % of the frame
    median[sliver] *= 0.96
    assert not set_in_shade(median, sliver, np.zeros((H, W), bool), NOISE).any()
    patch = (yy >= H - 16) & (xx >= 100) & (xx < 140)  # 640 px, 1.5 % of the frame
    median[patch] = _vignetted_wall()[patch] * 0.96
    assert set_in_shade(median, patch, np.zeros((H, W), bool), NOISE)[patch].mean() > 0.9


def test_next_to_a_softly_textured_set_a_shirt_of_its_colour_is_kept() -> None:
    # Defocused books: no step is steep, and a plain shirt of the books' mean colour in shade touches them. The
    # books' inpainting predicts nothing, so nothing may be given back.
    import cv2

    rng = np.random.default_rng(5)
    texture = cv2.GaussianBlur(rng.normal(0, 1, (H, W, 3)).astype(np.float32), (0, 0), 2.0)
    books = np.clip(np.array([0.55, 0.45, 0.35], np.float32) + 0.25 * texture, 0, 1).astype(np.float32)
    yy, _ = np.mgrid[0:H, 0:W]
    shirt = yy >= H - 16
    books[shirt] = np.array([0.55, 0.45, 0.35], np.float32) * 0.85
    assert not set_in_shade(books, shirt, np.zeros((H, W), bool), NOISE).any()


def test_a_dark_shirt_before_a_dark_set_of_its_hue_is_kept() -> None:
    # Dark colours barely have a direction: a charcoal shirt passes as a dark grey set in shade, so a dark set is
    # never followed into a silhouette.
    wall = np.full((H, W, 3), (0.16, 0.18, 0.18), np.float32)
    yy, _ = np.mgrid[0:H, 0:W]
    shirt = yy >= H - 16
    wall[shirt] *= 0.8
    assert not set_in_shade(wall, shirt, np.zeros((H, W), bool), NOISE).any()


def _booth_take(n: int = 8) -> tuple[list[np.ndarray], np.ndarray]:
    """A still talker (face, dark shirt on sloping shoulders) before a blue booth that darkens toward both bottom
    corners, ``n`` noisy frames (uint8 RGB, 480×360), and the talker's coverage."""
    import cv2

    h, w = 360, 480
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d = np.minimum(np.hypot(yy - h, xx), np.hypot(yy - h, xx - w))
    shade = 1.0 - 0.3 * np.clip(1 - d / (0.45 * h), 0, 1) ** 1.5
    booth = np.array([0.17, 0.6, 0.76], np.float32) * shade[..., None]
    m = np.zeros((h, w), np.uint8)
    cv2.ellipse(m, (240, 150), (50, 64), 0, 0, 360, 1, -1)
    cv2.fillPoly(m, [np.array([[190, 215], [290, 215], [420, h], [60, h]], np.int32)], 1)
    cover = cv2.GaussianBlur(m.astype(np.float32), (0, 0), 1.0)
    person = np.where((yy < 215)[..., None], np.float32([0.8, 0.6, 0.5]), np.float32([0.22, 0.21, 0.2]))
    img = cover[..., None] * person + (1 - cover[..., None]) * booth
    rng = np.random.default_rng(0)
    frames = [(np.clip(img + rng.normal(0, 0.006, img.shape), 0, 1) * 255).round().astype(np.uint8) for _ in range(n)]
    return frames, cover


def test_the_estimated_plate_replaces_a_vignetted_booth_beside_the_shoulders(monkeypatch) -> None:
    from editor.background import plate as plate_module
    from editor.cast import FaceBox

    frames, cover = _booth_take()
    face = FaceBox(frame=0, x=200, y=100, width=80, height=95)
    faces = [[face] if i % 3 == 0 else None for i in range(len(frames))]
    truth = cover > 0.5
    corners = ~truth & (np.mgrid[0:360, 0:480][0] > 300)
    # The step on its own: a plain set's colours are given back as well (._set_colour), which would hide it.
    monkeypatch.setattr(plate_module, "PLAIN_SET", 2.0)
    monkeypatch.setattr(plate_module, "faint_outline", lambda c, s, *a: np.zeros_like(s))  # ._faint: textured sets
    monkeypatch.setattr(plate_module, "REASKS", 0)  # nor GrabCut asked again (step 7: it gives back the set too)
    plate = plate_module.estimate_plate(frames, faces=faces)
    assert plate.performer[corners].mean() < 0.15  # the booth in shade beside the shoulders is the set
    # GrabCut alone (nothing given back) keeps the whole of both corners as the talker ...
    monkeypatch.setattr(plate_module, "set_in_shade", lambda m, s, k, n: np.zeros_like(s))
    alone = plate_module.estimate_plate(frames, faces=faces)
    assert alone.performer[corners].mean() > 0.9
    assert alone.describe()["set_in_shade_fraction"] == 0.0
    # The result says how much was given back: what the silhouette lost.
    lost = float((alone.performer & ~plate.performer).mean())
    assert plate.describe()["set_in_shade_fraction"] == pytest.approx(lost, rel=0.1)
    # ... and no pixel of the talker it found was given back.
    assert not (alone.performer & truth & ~plate.performer).any()
    # Without the step, the plain set's give-back takes the corners back too (measured 0.045 of them kept).
    monkeypatch.setattr(plate_module, "PLAIN_SET", PLAIN_SET)
    assert plate_module.estimate_plate(frames, faces=faces).performer[corners].mean() < 0.15


def test_the_demo_takes_booth_corner_is_not_kept_as_the_talker(footage_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The failure as found: GRID pwij3p, the demo's background take (its first 50 frames, 24 samples, as the edit
    samples them), where GrabCut kept the booth's dark bottom-left corner as the talker's shoulder."""
    from editor.background import plate as plate_module
    from tests.editor._wide_shot import as_shot

    shot = as_shot(footage_dir / "grid_pwij3p.mpg", 50)
    frames = [shot.frames[round(i)] for i in np.linspace(0, 49, 24)]
    truth = np.median(np.stack(shot.alphas), axis=0) < 0.02  # the booth in most frames, by the take's own key
    corner = truth.copy()
    corner[: truth.shape[0] - 30] = False
    corner[:, 30:] = False  # the booth in the bottom-left 30 × 30 px
    assert corner.sum() > 200
    monkeypatch.setattr(plate_module, "PLAIN_SET", 2.0)  # the step on its own (the give-back takes it too: below)
    monkeypatch.setattr(plate_module, "faint_outline", lambda c, s, *a: np.zeros_like(s))  # ._faint: textured sets
    monkeypatch.setattr(plate_module, "REASKS", 0)  # nor GrabCut asked again (step 7: it gives back the set too)
    plate = plate_module.estimate_plate(frames)
    # Measured 0.059 (the shirt's edge, where silhouette and key differ by a pixel); GrabCut alone 0.72.
    assert plate.performer[corner].mean() < 0.15
    assert plate.describe()["set_in_shade_fraction"] > 0
    monkeypatch.setattr(plate_module, "set_in_shade", lambda m, s, k, n: np.zeros_like(s))
    assert plate_module.estimate_plate(frames).performer[corner].mean() > 0.5
    monkeypatch.setattr(plate_module, "PLAIN_SET", PLAIN_SET)
    assert plate_module.estimate_plate(frames).performer[corner].mean() < 0.15  # measured 0.0
