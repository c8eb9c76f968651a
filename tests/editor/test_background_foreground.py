"""The composite carries no colour of the old set into soft edges: foreground colour recovered against the plate."""

from __future__ import annotations

import numpy as np
import pytest

from editor.background.composite import Regrade, regraded_composite
from editor.background.errors import BackgroundError
from editor.background.foreground import estimate_foreground
from editor.background.pipeline import BackgroundParams, ShotMatter
from editor.background.plate import plate_from_shot
from tests.editor._background_synth import alpha as synth_alpha
from tests.editor._background_synth import foreground as synth_foreground
from tests.editor._background_synth import shot

H, W = 180, 240
OLD = np.array([0.80, 0.12, 0.10], np.float32)  # a saturated red set: its colour is easy to trace
NEW = np.array([0.10, 0.75, 0.20], np.float32)  # the new plate: green


def _old_set(h: int, w: int) -> np.ndarray:
    rng = np.random.default_rng(3)
    yy = np.linspace(0.9, 1.1, h, dtype=np.float32)[:, None, None]
    return np.clip(OLD * yy + rng.normal(0, 0.01, (h, w, 3)), 0, 1).astype(np.float32)


def _leak(comp: np.ndarray, truth: np.ndarray, old: np.ndarray, new: np.ndarray, where: np.ndarray) -> float:
    """Mean share of the old set's colour in ``comp`` beyond the truth composite, over ``where``."""
    d, dq = comp - truth, old - new
    return float(((d * dq).sum(-1) / (dq * dq).sum(-1))[where].mean())


def test_soft_edge_composite_over_a_known_plate_carries_no_old_set_colour() -> None:
    old = _old_set(H, W)
    a = synth_alpha(H, W, W / 2, 0.45 * H)
    fg = synth_foreground(H, W)
    frame = a[..., None] * fg + (1 - a[..., None]) * old
    new = np.broadcast_to(NEW, old.shape).astype(np.float32)
    truth = a[..., None] * fg + (1 - a[..., None]) * new
    soft = (a > 0.05) & (a < 0.95)
    assert soft.sum() > 500  # a real hair-like rim
    matter = ShotMatter(plate_from_shot([(old * 255).round().astype(np.uint8)], (H, W)), BackgroundParams())
    recovered = matter.foreground(frame, a)
    comp = regraded_composite(recovered, a, new, Regrade.identity())
    # Compositing the take's own pixels keeps α(1−α)·(old − F) in the rim: along the old-to-new direction, about
    # 0.056 of the old set here ...
    naive = regraded_composite(frame, a, new, Regrade.identity())
    assert _leak(naive, truth, old, new, soft) > 0.04
    # ... the recovered foreground keeps under 1 % of it, and the colour is right to 1/50.
    assert abs(_leak(comp, truth, old, new, soft)) < 0.01
    assert np.abs(comp - truth)[soft].mean() < 0.02
    # Solid performer pixels are the take's own, untouched.
    np.testing.assert_array_equal(recovered[a >= 1], frame[a >= 1])


def test_in_the_shot_pipeline_the_old_set_left_in_the_edge_is_only_the_mattes_own_error() -> None:
    # With the estimated matte α̂, the recovered foreground leaves (α̂ − α)·old of the old set (exactly what the
    # matte's error lets through, and no more); the take's own pixels add α̂(1 − α)·(old − F) on top.
    frames, alphas, bg = shot(4, h=H, w=W, drift=2.0)
    old = bg.astype(np.float32) / 255
    new = np.broadcast_to(np.array([0.95, 0.95, 0.95], np.float32), old.shape).astype(np.float32)
    matter = ShotMatter(plate_from_shot([bg], (H, W)), BackgroundParams())
    for f8, a_true in zip(frames, alphas, strict=True):
        f = f8.astype(np.float32) / 255
        a = matter.step(f)
        truth = f + (1 - a_true[..., None]) * (new - old)
        rim = (a_true > 0.05) & (a_true < 0.95)
        excess = float((a - a_true)[rim].mean())
        recovered = _leak(regraded_composite(matter.foreground(f, a), a, new, Regrade.identity()), truth, old, new, rim)
        naive = _leak(regraded_composite(f, a, new, Regrade.identity()), truth, old, new, rim)
        assert abs(recovered - excess) < 0.01
        assert naive - excess > 0.015


def test_frame_foreground_is_the_take_and_bad_shapes_are_refused() -> None:
    f = np.random.default_rng(0).random((20, 30, 3)).astype(np.float32)
    a = np.full((20, 30), 0.5, np.float32)
    matter = ShotMatter(
        plate_from_shot([np.zeros((20, 30, 3), np.uint8)], (20, 30)), BackgroundParams(foreground="frame")
    )
    assert matter.foreground(f, a) is f
    with pytest.raises(BackgroundError, match="foreground must be one of"):
        BackgroundParams(foreground="guess")
    with pytest.raises(BackgroundError, match="H×W matte"):
        estimate_foreground(f, a[:10], f)
    # No fractional pixel: nothing to recover.
    np.testing.assert_array_equal(estimate_foreground(f, np.ones((20, 30), np.float32), f), f)
