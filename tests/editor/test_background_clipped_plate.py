"""A supplied clean plate clipped white where the take never showed the set (``editor.background._exposure``, step 3).

Issue 18, stop 38's note: the plain wall's plate with a lamp on for it (4×) is clipped over the lamp's pool. Where
the take saw the set, its own set was used; behind the talker the white plate stood, and wherever his moving edge
uncovered the wall the matte keyed it as foreground (``bench/background.py --plate-light spot:4,0.3,0.2,0.1``: halo
23.5 ×1e3 on the mirrored take, against 0.3 with the exact plate)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import cv2
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.background import BackgroundParams, ShotMatter, estimate_plate
from editor.background import _exposure as exposure
from editor.background._exposure import CLIPPED, match_exposure
from editor.background.plate import CleanPlate, plate_from_shot
from tests.editor._background_synth import plate as synth_plate
from tests.editor._background_synth import shot
from tests.editor._wide_shot import GRID_TAKES, Person, WideShot, painted_wall, wide_shot

GAIN = np.array([1.06, 1.02, 0.95], np.float32)


def _as_before() -> mock._patch:
    """Main ddbf745: the clipped plate stood wherever the take never saw the set."""
    return mock.patch.object(exposure, "_behind", lambda hidden, *_: np.zeros_like(hidden))


def test_the_takes_estimate_stands_in_only_where_it_extends_the_set_and_is_not_clipped() -> None:
    _frames, _alphas, bg = shot(2, h=240, w=320)
    plate, take_set = np.clip(np.rint(bg * GAIN), 0, 255).astype(np.uint8), bg.copy()
    known, extended = np.ones(bg.shape[:2], bool), np.zeros(bg.shape[:2], bool)
    plate[150:230, 250:310] = 255  # a lamp on for the plate: clipped there, the take's set well below
    known[190:230, 270:310], extended[190:200, 270:310] = False, True  # behind a person; a band next to the seen set
    plate[:40, :60] = take_set[:40, :60] = 255  # a window burnt out in both
    known[:20, :20] = extended[:20, :20] = False
    take = CleanPlate(take_set / np.float32(255), known, np.zeros_like(known), 0.01, "estimated", extended=extended)
    matched = match_exposure(plate_from_shot([plate], bg.shape[:2]), take)
    scaled_white = np.minimum(np.float32(matched.exposure_gain), 1.0)
    assert np.allclose(matched.exposure_gain, 1 / GAIN, atol=0.01)
    assert np.allclose(matched.image[190:200, 270:310], take_set[190:200, 270:310] / 255)  # the estimate stands in
    assert np.allclose(matched.image[200:230, 270:310], scaled_white, atol=1e-4)  # beyond the band: the plate
    assert np.allclose(matched.image[:20, :20], scaled_white, atol=1e-4)  # white in both: the plate
    assert matched.describe()["clipped_unseen_share"] == round(10 * 40 / bg[..., 0].size, 6)
    assert matched.describe()["clipped_left_share"] == round(30 * 40 / bg[..., 0].size, 6)  # not the window
    with _as_before():
        before = match_exposure(plate_from_shot([plate], bg.shape[:2]), take)
    assert np.allclose(before.image[190:200, 270:310], scaled_white, atol=1e-4)
    assert "clipped_unseen_share" not in before.describe()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), brighter=st.floats(1.0, 2.0))
def test_the_estimate_stands_in_nowhere_else(seed: int, brighter: float) -> None:
    rng = np.random.default_rng(seed)
    h, w = 60, 80
    bg = synth_plate(h, w, seed)

    def blocks(share: float) -> np.ndarray:  # a random mask of 6×8 blocks, ``share`` of them set
        cells = (rng.random((6, 8)) < share).astype(np.uint8)
        return cv2.resize(cells, (w, h), interpolation=cv2.INTER_NEAREST) > 0

    known, extended = blocks(0.8), blocks(0.5)
    extended &= ~known
    estimate = np.where(blocks(0.2)[..., None], np.float32(1.0), bg)  # clipped itself in places
    take = CleanPlate(estimate, known, np.zeros_like(known), 0.01, "estimated", extended=extended)
    supplied = plate_from_shot([np.clip(np.rint(bg * 255 * brighter), 0, 255).astype(np.uint8)], (h, w))
    with _as_before():
        before = match_exposure(supplied, take)
    after = match_exposure(supplied, take)
    if before is supplied:  # too little set to compare: the plate is left as shot either way
        assert after is supplied
        return
    hidden = (supplied.image >= CLIPPED).any(-1) & ~known & (estimate < CLIPPED).all(-1)
    stand = hidden & extended
    assert np.array_equal(after.image[~stand], before.image[~stand])
    assert np.array_equal(after.image[stand], estimate[stand])
    assert after.clipped_unseen == round(float(stand.mean()), 6)
    assert after.clipped_left == round(float((hidden & ~stand).mean()), 6)


def _lamp(plate: np.ndarray, peak: float, at: tuple[float, float], sigma: float) -> np.ndarray:
    """``plate`` under a lamp's pool of peak gain ``peak`` at ``at`` and σ ``sigma`` (all fractions of the width)."""
    h, w = plate.shape[:2]
    x = (np.arange(w) + 0.5) / w
    y = (np.arange(h)[:, None] + 0.5) / w
    gain = 1 + (peak - 1) * np.exp(-((x - at[0]) ** 2 + (y - at[1]) ** 2) / (2 * sigma**2))
    return np.clip(np.rint(plate * gain[..., None]), 0, 255).astype(np.uint8)


def _mad_and_halo(shot: WideShot, plate: CleanPlate) -> tuple[float, float]:
    """Mean alpha error, and mean alpha on the true set within 6 px of the person (×1e3)."""
    matter = ShotMatter(plate, BackgroundParams())
    ring = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (13, 13))
    mads, halos = [], []
    for frame, truth in zip(shot.frames, shot.alphas, strict=True):
        alpha = matter.step(frame.astype(np.float32) / 255)
        near = (cv2.dilate((truth > 0.02).astype(np.uint8), ring) > 0) & (truth < 0.02)
        mads.append(np.abs(alpha - truth).mean())
        halos.append(alpha[near].mean())
    return float(np.mean(mads)) * 1e3, float(np.mean(halos)) * 1e3


def test_a_plate_clipped_under_a_lamp_on_for_it_keys_the_talkers_moving_edge(footage_dir: Path) -> None:
    wall = painted_wall((480, 270))
    talker = wide_shot(footage_dir, wall, [Person(GRID_TAKES[0], 0.5, 1.0)], 8)
    estimate = estimate_plate(talker.frames)
    size = wall.shape[:2]
    lamp = plate_from_shot([_lamp(wall, 4.0, (0.35, 0.25), 0.1)], size)  # clipped over the pool, by his head
    with _as_before():
        before = match_exposure(lamp, estimate).with_interior(estimate.interior)
    after = match_exposure(lamp, estimate).with_interior(estimate.interior)
    exact = _mad_and_halo(talker, plate_from_shot([wall], size).with_interior(estimate.interior))
    was, now = _mad_and_halo(talker, before), _mad_and_halo(talker, after)
    assert after.clipped_unseen > 0.001
    assert was[1] > 10 * exact[1]  # measured: 15.2 against 0.54
    assert now[1] < 5 * exact[1] and now[1] < 0.25 * was[1]  # measured: 1.96
    assert now[0] < 1.2 * exact[0] < was[0]  # measured: 3.07 against 2.72 (before 3.90)
