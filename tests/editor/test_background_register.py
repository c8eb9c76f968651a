"""A supplied clean plate shot with the camera nudged (``editor.background._register``).

Issue 18: a plate off by a pixel puts every edge of a textured set in the difference key
(``bench/background.py --plate-shift``)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from editor.background._register import MAX_SHIFT, register_plate
from editor.background.edit import build_clean_plate
from editor.background.pipeline import BackgroundParams
from editor.background.plate import CleanPlate, estimate_plate, plate_from_shot
from media import probe
from tests.editor._background_synth import shot
from tests.editor.test_background_exposure import _write

H, W = 240, 320


def _textured_set(seed: int = 0) -> np.ndarray:
    """A set with edges everywhere (shelves, spines): uint8 RGB."""
    rng = np.random.default_rng(seed)
    small = rng.integers(30, 225, (H // 8, W // 8, 3)).astype(np.uint8)
    return cv2.GaussianBlur(cv2.resize(small, (W, H), interpolation=cv2.INTER_NEAREST), (0, 0), 1.2)


def _moved(img: np.ndarray, dx: float, dy: float) -> np.ndarray:
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    return cv2.warpAffine(img, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _take(img: np.ndarray, known: np.ndarray) -> CleanPlate:
    return CleanPlate(img.astype(np.float32) / 255, known, np.zeros((H, W), bool), 0.01, "estimated")


def test_a_plate_shot_with_the_camera_nudged_is_moved_back_onto_the_take() -> None:
    scene = _textured_set()
    known = np.ones((H, W), bool)
    known[80:, 110:210] = False  # where the performer always stood
    nudged = plate_from_shot([_moved(scene, 1.5, -0.75)], (H, W))
    got = register_plate(nudged, _take(scene, known))
    assert got.shift is not None and np.allclose(got.shift, (1.5, -0.75), atol=0.1)
    inner = (slice(8, H - 8), slice(8, W - 8))
    before = np.abs(nudged.image - scene / 255)[inner].mean()
    after = np.abs(got.image - scene / 255)[inner].mean()
    assert after < 0.25 * before  # measured: 0.04 → well under 0.01
    assert got.describe()["registration_shift_px"] == list(got.shift)


def test_a_plate_of_another_framing_is_left_as_shot() -> None:
    scene = _textured_set()
    far = plate_from_shot([_moved(scene, MAX_SHIFT * W * 2, 0)], (H, W))  # not a nudge: another framing
    got = register_plate(far, _take(scene, np.ones((H, W), bool)))
    assert got.shift is None and got.image is far.image


def test_too_little_set_seen_leaves_the_plate_as_shot() -> None:
    scene = _textured_set()
    known = np.zeros((H, W), bool)
    known[:5] = True
    plate = plate_from_shot([_moved(scene, 1, 0)], (H, W))
    assert register_plate(plate, _take(scene, known)) is plate


def test_a_set_that_does_not_pin_a_shift_is_not_moved() -> None:
    # the synthetic set is smooth across (a ramp): ECC converges there to a wrong shift with a high correlation
    frames, _alphas, bg = shot(8, h=H, w=W, drift=2.0)
    take = estimate_plate(frames)
    for dx, dy in ((0, 0), (1, 0), (2, 1)):
        plate = plate_from_shot([_moved(bg, dx, dy)], (H, W))
        assert register_plate(plate, take) is plate


def _on_textured_set(frames: list[np.ndarray], alphas: list[np.ndarray], bg: np.ndarray) -> list[np.ndarray]:
    """The synthetic take with its set replaced by the textured one (frame = α·F + (1 − α)·set)."""
    scene = _textured_set().astype(np.float32)
    return [
        np.clip(np.rint(f + (1 - a[..., None]) * (scene - bg)), 0, 255).astype(np.uint8)
        for f, a in zip(frames, alphas, strict=True)
    ]


def test_the_edit_registers_a_nudged_plate_and_records_the_shift(tmp_path: Path) -> None:
    frames, alphas, bg = shot(8, h=H, w=W, drift=2.0)
    take = probe(_write(tmp_path / "take.mp4", _on_textured_set(frames, alphas, bg)))
    clean = probe(_write(tmp_path / "clean.mp4", [_moved(_textured_set(), 1.0, 0.0)] * 4))
    plate = build_clean_plate(take, range(len(frames)), BackgroundParams(), clean)
    assert np.allclose(plate.describe()["registration_shift_px"], (1.0, 0.0), atol=0.15)
    still = probe(_write(tmp_path / "still.mp4", [_textured_set()] * 4))
    assert build_clean_plate(take, range(len(frames)), BackgroundParams(), still).shift == (0.0, 0.0)
