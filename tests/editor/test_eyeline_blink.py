"""The look held back while the eyes close (``editor.eyeline.blink``), on drawn eyes and a real blink."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.cast import track_faces
from editor.eyeline import EyelineConfig, EyelineModel, redirect_gaze, train_eyeline
from editor.eyeline._data import EyeSample, find_performer
from editor.eyeline._eyes import PATCH_H, PATCH_W, cut_patch, gaze_of, iris_centre
from editor.eyeline.blink import CLOSED, OPEN, hold, reference, sclera_contrast
from editor.eyeline.edit import _boxes, _open_eyes
from editor.eyeline.measure import PairCut, pair_error
from editor.eyeline.model import _open
from editor.eyeline.timing import Timing
from editor.eyeline.warper import EyeWarper
from media import iter_frames, probe
from tests.editor._drawn_eye import drawn_eye

TAKE1, TAKE2 = "grid_id2_vcd_swwp2s.mpg", "grid_pwij3p.mpg"
BLINKS = (35, 36, 49, 50)  # GRID's held-out take: the lids are down on these frames (looked at)
START, END = 26, 58


def _shut() -> np.ndarray:
    """The drawn eye's skin with the lid down: a dark line of lashes where the eye's opening was."""
    patch = np.full((PATCH_H, PATCH_W, 3), (0.8, 0.6, 0.5), np.float32)
    cv2.ellipse(patch, (PATCH_W // 2, PATCH_H // 2), (int(0.35 * PATCH_W), 1), 0, 0, 360, (0.2, 0.15, 0.1), -1)
    return patch


def test_an_open_eye_shows_white_beside_the_iris_and_a_shut_one_does_not() -> None:
    opened, shut = sclera_contrast(drawn_eye()), sclera_contrast(_shut())
    assert opened > 0.5 and abs(shut) < 0.1
    ref = (opened, opened)
    assert hold((opened, opened), ref) == 1.0
    assert hold((shut, shut), ref) == 0.0


@given(a=st.floats(0.0, 1.5), b=st.floats(0.0, 1.5), c=st.floats(0.0, 1.5))
def test_the_hold_grows_with_openness_and_both_eyes_share_it(a: float, b: float, c: float) -> None:
    ref = (0.4, 0.2)
    lo, hi = sorted((a, b))
    assert 0.0 <= hold((lo * 0.4, c * 0.2), ref) <= hold((hi * 0.4, c * 0.2), ref) <= 1.0
    assert hold((a * 0.4, c * 0.2), ref) == pytest.approx(hold((c * 0.4, a * 0.2), ref))  # one weight, both eyes
    if min(a, c) >= OPEN + 1e-9:  # (the margin: a·0.4/0.4 need not be a to the last bit)
        assert hold((a * 0.4, c * 0.2), ref) == 1.0
    if min(a, c) <= CLOSED - 1e-9:
        assert hold((a * 0.4, c * 0.2), ref) == 0.0


def test_a_shot_without_white_to_see_is_not_held() -> None:
    assert reference(np.array([[0.01, 0.2]] * 5)) is None
    assert hold((0.0, 0.0), None) == 1.0
    assert reference(np.array([[0.3, 0.2], [0.0, 0.0], [0.31, 0.21]])) == pytest.approx((0.3, 0.2))


@pytest.fixture(scope="module")
def model(footage_dir: Path) -> EyelineModel:
    return train_eyeline([probe(footage_dir / TAKE1)], "grid", config=EyelineConfig(samples=12)).model


def test_the_lids_are_left_as_shot_through_a_blink(model: EyelineModel, footage_dir: Path) -> None:
    """Before stop 48 the warp slid the lashes' line sideways on a shut eye (it is the darkest disc there)."""
    info = probe(footage_dir / TAKE2)
    tracks, _ = track_faces(info, start=START, end=END, samples=9)
    track = find_performer(tracks, "grid", None, TAKE2)
    boxes = _boxes(track, range(START, END), Timing.at(info.frame_rate).box_sigma)
    blinks, lids_at = _open_eyes(info, model, track, boxes, START)
    assert blinks is not None
    warp = EyeWarper(model, (min(4.0, model.shift_range[0]), 0.0), Timing.at(info.frame_rate).alpha, blinks, lids_at)
    held, moved = {}, {}
    for i, rgb in iter_frames(info, start=START, end=END, fmt="rgb24"):
        frame = np.asarray(rgb, np.float32) / 255.0
        out, _, held[i] = warp(frame, tuple(float(v) for v in boxes[i - START]), 1.0)  # type: ignore[arg-type]
        moved[i] = float(np.abs(np.rint(out * 255) - np.asarray(rgb)).max())  # in 8-bit levels, as written
    assert all(held[i] == 0.0 and moved[i] == 0.0 for i in BLINKS)  # shut: left as shot
    opened = [i for i in held if min(abs(i - 35), abs(i - 49)) > 4]
    assert all(held[i] > 0.99 and moved[i] > 10 for i in opened), {i: (held[i], moved[i]) for i in opened}


def test_the_edit_signs_what_it_held_back(model: EyelineModel, footage_dir: Path, tmp_path: Path) -> None:
    shift = (min(4.0, model.shift_range[0]), 0.0)
    result = redirect_gaze(footage_dir / TAKE2, tmp_path / "out.mp4", model, shift, performer="grid", start=START,
                           end=END)  # fmt: skip
    assert result.parameters["blink_hold"]["closed"] == CLOSED
    assert len(result.parameters["blink_hold"]["open_eye_contrast"]) == 2
    assert result.metrics["frames_held_for_blinks"] >= len(BLINKS)


def test_the_steadiness_is_not_read_across_a_blinks_hold(footage_dir: Path) -> None:
    # stop 52: a blink letting the look go is the edit's own motion (as the ease is), not flicker
    info = probe(footage_dir / TAKE2)
    frames = {i: np.asarray(rgb) for i, rgb in iter_frames(info, start=30, end=33, fmt="rgb24")}
    support = np.zeros(frames[30].shape[:2], bool)
    support[100:200, 100:260] = True
    rng = np.random.default_rng(5)
    scrambled = np.clip(frames[32].astype(int) + rng.integers(-40, 41, frames[32].shape), 0, 255).astype(np.uint8)
    whole = (slice(None), slice(None))

    def cut(i: int, out: np.ndarray, held: float) -> PairCut:
        return PairCut.of(frames[i], out, support, held, whole)

    still = pair_error(cut(30, frames[30], 1.0), cut(31, frames[31], 1.0))
    assert still is not None and still[0] == still[1] > 0
    assert pair_error(cut(31, frames[31], 1.0), cut(32, scrambled, 0.0)) is None  # the look let go: a blink's hold
    flicker = pair_error(cut(31, frames[31], 1.0), cut(32, scrambled, 1.0))  # the same change with the look held
    assert flicker is not None and flicker[1] > 1.5 * flicker[0]


def test_training_reads_no_gaze_off_a_shut_eye(model: EyelineModel, footage_dir: Path) -> None:
    """Stop 53: the iris finder lands on a dark corner of a shut eye's patch; read as a gaze, GRID's blinks put its
    vertical range at the 10° cap. Training leaves the shut frames out, as the edit holds the look there."""
    info = probe(footage_dir / TAKE2)
    tracks, _ = track_faces(info, start=START, end=END, samples=9)
    boxes = _boxes(find_performer(tracks, "grid", None, TAKE2), range(START, END), Timing.at(info.frame_rate).box_sigma)
    samples = []
    for i, rgb in iter_frames(info, start=START, end=END, fmt="rgb24"):
        frame = np.asarray(rgb, np.float32) / 255.0
        patches = [cut_patch(frame, b) for b in model.geometry.patch_boxes(tuple(float(v) for v in boxes[i - START]))]
        patches[1] = np.ascontiguousarray(patches[1][:, ::-1])  # the right eye mirrored, as training cuts it
        iris = np.array([iris_centre(p) for p in patches], np.float32)
        samples.append(
            EyeSample(TAKE2, i, np.stack(patches), iris, np.array([gaze_of(p) for p in patches], np.float32))
        )
    kept = {s.frame for s in _open(samples)}
    assert not kept & set(BLINKS)  # the lids down: no gaze read
    assert len(kept) >= len(samples) - 3 * len(BLINKS)  # the open eyes all read but around the blinks
