"""Matting on synthetic shots with a known alpha, and the pieces around it (plates, regrade, metrics)."""

from __future__ import annotations

import numpy as np
import pytest

from editor.background.composite import CdlRegrade, Regrade, composite, fit_plate
from editor.background.errors import BackgroundError, PlateError, PlateUnrecoverableError
from editor.background.matte import MatteParams
from editor.background.metrics import dtssd, mad, mse, source_flows, warping_error
from editor.background.pipeline import BackgroundParams, ShotMatter
from editor.background.plate import MIN_SET_RECOVERED, estimate_plate, plate_from_shot, require_recoverable
from editor.background.refiner import RefinerConfig, dump_refiner, load_refiner, train_refiner
from editor.errors import EditorError
from tests.editor._background_synth import shot


@pytest.fixture(scope="module")
def synthetic() -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    return shot(8, h=240, w=320, drift=2.0)


def _mattes(frames: list[np.ndarray], matter: ShotMatter) -> list[np.ndarray]:
    return [matter.step(f.astype(np.float32) / 255.0) for f in frames]


def test_supplied_plate_matte_is_close_to_the_true_alpha(synthetic) -> None:
    frames, alphas, bg = synthetic
    plate = plate_from_shot([bg], frames[0].shape[:2])
    est = _mattes(frames, ShotMatter(plate, BackgroundParams()))
    assert mad(est, alphas) < 8.0  # ×1e3: under 0.8 % mean absolute alpha error
    assert mse(est, alphas) < 3.0
    assert dtssd(est, alphas) < 5.0
    # Soft edges are recovered as fractions, not snapped to 0/1.
    rim = (alphas[0] > 0.2) & (alphas[0] < 0.8)
    assert np.abs(est[0][rim] - alphas[0][rim]).mean() < 0.12
    assert ((est[0][rim] > 0.05) & (est[0][rim] < 0.95)).mean() > 0.6


def test_a_hard_key_would_be_much_worse(synthetic) -> None:
    frames, alphas, bg = synthetic
    plate = plate_from_shot([bg], frames[0].shape[:2])
    good = mad(_mattes(frames, ShotMatter(plate, BackgroundParams())), alphas)
    hard = mad([(a > 0.5).astype(np.float32) for a in _mattes(frames, ShotMatter(plate, BackgroundParams()))], alphas)
    assert good < 0.6 * hard


def test_stabilisation_reduces_temporal_error(synthetic) -> None:
    frames, alphas, bg = synthetic
    rng = np.random.default_rng(5)
    noisy = [np.clip(f.astype(np.int16) + rng.integers(-6, 7, f.shape), 0, 255).astype(np.uint8) for f in frames]
    plate = plate_from_shot([bg], frames[0].shape[:2])
    still = dtssd(_mattes(noisy, ShotMatter(plate, BackgroundParams(stabilise=0.0))), alphas)
    stable = dtssd(_mattes(noisy, ShotMatter(plate, BackgroundParams(stabilise=0.8))), alphas)
    assert stable < still


def test_estimated_plate_is_deterministic_and_admits_what_it_never_saw() -> None:
    # A faceless blob whose wide static "shoulders" never move off the set: the estimate cannot tell them from
    # the set, and says so (far below the refusal threshold) instead of passing a guess off as the plate.
    frames, _alphas, _bg = shot(6, h=120, w=160, drift=2.0)
    a, b = estimate_plate(frames), estimate_plate(frames)
    np.testing.assert_array_equal(a.image, b.image)
    np.testing.assert_array_equal(a.known, b.known)
    assert a.presences >= 1 and a.faces == 0
    assert a.set_recovered < MIN_SET_RECOVERED
    with pytest.raises(PlateUnrecoverableError, match="clean plate"):
        require_recoverable(a, "the synthetic take")


def test_plate_errors_are_editor_errors() -> None:
    with pytest.raises(PlateError, match="empty clip"):
        estimate_plate([])
    with pytest.raises(PlateError, match="same camera set-up"):
        plate_from_shot([np.zeros((10, 12, 3), np.uint8)], (20, 12))
    with pytest.raises(PlateError, match="H×W×3"):
        fit_plate(np.zeros((4, 4), np.float32), (8, 8))
    assert issubclass(PlateError, EditorError)
    with pytest.raises(BackgroundError, match="key_high"):
        MatteParams(key_low=0.2, key_high=0.1)
    with pytest.raises(BackgroundError, match="regrade"):
        BackgroundParams(regrade=1.5)


def test_fit_plate_covers_and_crops() -> None:
    img = np.zeros((100, 400, 3), np.float32)
    img[:, 150:250] = 1.0  # a centred bar survives the centre crop
    out = fit_plate(img, (90, 120))
    assert out.shape == (90, 120, 3)
    assert out[:, 55:65].mean() > 0.9 and out[:, :5].mean() < 0.1


def test_regrade_moves_foreground_towards_the_plate_and_identity_at_zero() -> None:
    rng = np.random.default_rng(1)
    fg = np.clip(rng.normal(0.7, 0.05, (32, 32, 3)), 0, 1).astype(np.float32)
    plate = np.clip(rng.normal(0.2, 0.05, (32, 32, 3)), 0, 1).astype(np.float32)
    alpha = np.ones((32, 32), np.float32)
    assert Regrade.fit([fg], [alpha], plate, 0.0).is_identity
    graded = Regrade.fit([fg], [alpha], plate, 0.5).apply(fg)
    assert plate.mean() < graded.mean() < fg.mean()
    np.testing.assert_allclose(composite(fg, alpha * 0, plate), plate)
    # The lighting model's CDL route: identity at 0, towards the plate in between, a valid ASC CDL.
    assert CdlRegrade.fit([fg], [alpha], plate, 0.0).is_identity
    cdl = CdlRegrade.fit([fg], [alpha], plate, 0.5)
    assert plate.mean() < cdl.apply(fg).mean() < fg.mean()
    assert cdl.as_json()["method"] == "cdl" and len(cdl.as_json()["slope"]) == 3


def test_metrics_definitions() -> None:
    a = [np.zeros((4, 4), np.float32), np.ones((4, 4), np.float32)]
    b = [np.zeros((4, 4), np.float32), np.zeros((4, 4), np.float32)]
    assert mad(a, b) == pytest.approx(500.0)
    assert mse(a, b) == pytest.approx(500.0)
    assert dtssd(a, b) == pytest.approx(100.0)
    assert dtssd(a, a) == 0.0
    still = [np.full((32, 32, 3), 128, np.uint8)] * 3
    assert warping_error(still, source_flows(still)) == 0.0
    with pytest.raises(ValueError, match="equally many"):
        mad(a, b[:1])


def test_refiner_trains_reproducibly_and_round_trips(synthetic) -> None:
    from editor.background.matte import matte_frame

    frames, _alphas, bg = synthetic
    plate = plate_from_shot([bg], frames[0].shape[:2])
    params = BackgroundParams().resolved(plate)
    fl = [f.astype(np.float32) / 255.0 for f in frames[:2]]
    light = [matte_frame(f, plate, params.matte) for f in fl]
    heavy = [matte_frame(f, plate, params.pseudo_label_matte()) for f in fl]
    cfg = RefinerConfig(steps=6, batch=2, crop=32)
    args = (fl, [m.p for m in light], [m.alpha for m in heavy], [m.unknown for m in light], cfg)
    net1, metrics = train_refiner(*args)
    net2, _ = train_refiner(*args)
    blob = dump_refiner(net1)
    assert blob == dump_refiner(net2)  # same inputs and seed → same bytes
    assert dump_refiner(load_refiner(blob)) == blob
    assert metrics["loss_final"] >= 0
    with pytest.raises(BackgroundError, match="not a background refiner"):
        load_refiner(b'{"format": "other"}\n')


def test_reduced_working_resolution_stays_close_to_full_resolution() -> None:
    frames, alphas, bg = shot(3, h=360, w=640, drift=2.0)
    plate = plate_from_shot([bg], frames[0].shape[:2])
    full = _mattes(frames, ShotMatter(plate, BackgroundParams(work_width=0)))
    half = _mattes(frames, ShotMatter(plate, BackgroundParams(work_width=320)))
    assert half[0].shape == alphas[0].shape and half[0].dtype == np.float32
    assert mad(half, alphas) < 1.5 * mad(full, alphas) + 2.0
    assert (half[0][alphas[0] == 0] < 0.05).mean() > 0.99  # upsampling does not bleed into the background
    with pytest.raises(BackgroundError, match="work_width"):
        BackgroundParams(work_width=100)
