"""The matte does not flicker with the grain at a still edge.

A still head ringed by dark hair over a light face (``hair_rim_frame``: a 2-px edge ramp over a known plate), eight
frames that differ only by sensor noise (σ = 0.02). The truth does not move, so every change of the matte between
frames is flicker: dtSSD here is the RMS frame-to-frame change (×1e2). Branch matte5 chose the foreground colour
behind each edge pixel independently in every frame, by a hard rule the grain tips either way, and solved the
matte on the raw frame: 0.93–0.94 on these frames (matte4: 0.99–1.02). Branch matte6 (a soft choice among the
candidates, the compositing equation solved on the frame denoised along the flow): 0.75–0.76. Now (still pixels
carried without the flow's jitter, the equation's band carried with a longer memory): 0.44–0.45, MAD 1.96–1.97
(matte6 2.04–2.06).
"""

from __future__ import annotations

import numpy as np
import pytest

from editor.background import BackgroundParams, ShotMatter
from editor.background.errors import BackgroundError
from editor.background.metrics import dtssd, mad
from editor.background.pipeline import stabiliser
from editor.background.plate import plate_from_shot
from editor.background.temporal import RATE, Stabiliser, per_frame
from tests.editor._background_synth import hair_rim_frame


@pytest.mark.parametrize("seed", [0, 1])
def test_a_still_edge_under_sensor_noise_does_not_flicker(seed: int) -> None:
    img, truth, bg = hair_rim_frame(soft=2.0, seed=seed)
    rng = np.random.default_rng(seed + 10)
    base = img.astype(np.float32) / 255.0
    frames = [np.clip(base + rng.normal(0, 0.02, base.shape), 0, 1).astype(np.float32) for _ in range(8)]
    matter = ShotMatter(plate_from_shot([bg], img.shape[:2]), BackgroundParams())
    est = [matter.step(f) for f in frames]
    assert dtssd(est, [truth] * len(est)) < 0.6  # ×1e2; matte5 0.93–0.94, matte6 0.75–0.76
    assert mad(est, [truth] * len(est)) < 2.2  # ×1e3; the edge as accurate (matte5 2.24–2.27, matte6 2.04–2.06)


def _still_frames(sigma: float, seed: int, n: int = 8) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    img, truth, bg = hair_rim_frame(h=180, w=240, soft=2.0, seed=seed)
    rng = np.random.default_rng(seed + 10)
    base = img.astype(np.float32) / 255.0
    return [np.clip(base + rng.normal(0, sigma, base.shape), 0, 1).astype(np.float32) for _ in range(n)], truth, bg


def test_a_still_edge_keeps_its_alpha_from_frame_to_frame() -> None:
    # Light grain (σ = 0.01). Main after matte6 (one carry weight, 0.6, and the previous alpha warped along DIS's
    # flow, which jitters by ~0.28 px on average on these still frames and smears the 2-px edge every frame):
    # dtSSD 0.315, MAD 2.01. Now (still pixels carried unwarped, the equation's band carried with 0.85): 0.077,
    # MAD 1.93.
    frames, truth, bg = _still_frames(0.01, 0)
    matter = ShotMatter(plate_from_shot([bg], truth.shape), BackgroundParams())
    est = [matter.step(f) for f in frames]
    assert dtssd(est, [truth] * len(est)) < 0.2
    assert mad(est, [truth] * len(est)) < 2.2


def test_still_pixels_are_carried_without_the_flows_jitter() -> None:
    frames, truth, _bg = _still_frames(0.01, 0, n=2)
    stab = Stabiliser(0.6, carry=0.85)
    stab.step(frames[0], truth)
    m = stab.motion(frames[1])
    assert m.flow is not None
    assert (m.flow == 0).all(axis=-1).mean() > 0.95  # nothing moved: the unwarped previous frame explains it
    moved = np.roll(frames[0], 3, axis=1)  # the whole picture 3 px to the right
    stab = Stabiliser(0.6, carry=0.85)
    stab.step(frames[0], truth)
    flow = stab.motion(moved).flow
    assert flow is not None
    inner = np.abs(flow[20:-20, 20:-20, 0] + 3) < 0.5  # current(x) ≈ previous(x − 3)
    assert inner.mean() > 0.8


def test_the_carried_state_forgets_its_start_within_the_warm_up() -> None:
    # The segment-parallel render rebuilds the state over ``warm_up_frames`` frames before a cut and checks it
    # bit for bit: two stabilisers started from different alphas must agree exactly by then.
    assert Stabiliser(0.6, carry=0.85).warm_up_frames() == 128
    assert Stabiliser(0.6).warm_up_frames() == 41
    assert Stabiliser(0.0, carry=0.85).warm_up_frames() == 1
    rng = np.random.default_rng(3)
    base = rng.uniform(0.2, 0.8, (24, 32, 3)).astype(np.float32)
    posed = np.zeros((24, 32), bool)
    posed[:, 12:20] = True
    a, b = Stabiliser(0.6, carry=0.85), Stabiliser(0.6, carry=0.85)
    a.step(base, np.zeros((24, 32), np.float32), posed=posed)
    b.step(base, np.ones((24, 32), np.float32), posed=posed)
    for _ in range(a.warm_up_frames()):
        frame = np.clip(base + rng.normal(0, 0.005, base.shape), 0, 1).astype(np.float32)
        alpha = rng.uniform(0, 1, (24, 32)).astype(np.float32)
        out_a, out_b = a.step(frame, alpha, posed=posed), b.step(frame, alpha, posed=posed)
    np.testing.assert_array_equal(out_a, out_b)


@pytest.mark.parametrize("fps", [23.976, 25.0, 29.97, 50.0, 59.94])
def test_the_weights_keep_their_memory_in_seconds_at_any_rate(fps: float) -> None:
    # Counted in frames, a 50 fps shot's matte forgot its grain-averaged past in half the time (stop 50).
    for weight in (0.6, 0.85):
        kept = per_frame(weight, fps)
        assert kept**fps == pytest.approx(weight**RATE, rel=1e-9)  # the share left after one second
    assert per_frame(0.6, RATE) == 0.6 and per_frame(0.0, fps) == 0.0
    stab = stabiliser(BackgroundParams(), fps)
    assert stab.strength == pytest.approx(0.6 ** (25 / fps)) and stab.carry == pytest.approx(0.85 ** (25 / fps))
    # the segment-parallel render's warm-up is as long in seconds: 128 frames at 25 fps
    assert stab.warm_up_frames() / fps == pytest.approx(128 / 25, abs=1.5 / fps)
    with pytest.raises(BackgroundError, match="frame rate must be positive"):
        per_frame(0.6, 0.0)
