"""A supplied clean plate shot under other light than its take (``editor.background._exposure``).

Issue 18: a clean plate is shot minutes apart from the take. A plate 6 % brighter than the take's set raised the
supplied-plate matte's halo around the people several-fold (``bench/background.py --plate-gain``)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import av
import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bench._peers.light_pools_v37 import V37
from editor.background import _light as light
from editor.background._exposure import MIN_SHARE, MISMATCH, match_exposure
from editor.background.edit import build_clean_plate
from editor.background.errors import PlateMismatchError
from editor.background.pipeline import BackgroundParams, ShotMatter
from editor.background.plate import CleanPlate, plate_from_shot
from media import probe, reproducible_options
from tests.editor._background_synth import plate as synth_plate
from tests.editor._background_synth import shot

GAIN = np.array([1.06, 1.02, 0.95], np.float32)  # brighter and warmer: later in the day, or the iris touched


@pytest.fixture(scope="module")
def synthetic() -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    return shot(8, h=240, w=320, drift=2.0)


def _take(bg: np.ndarray, known: np.ndarray) -> CleanPlate:
    """The take's own estimate: the set as seen in the take where ``known``."""
    h, w = known.shape
    return CleanPlate(bg.astype(np.float32) / 255, known, np.zeros((h, w), bool), 0.01, "estimated")


def _other_light(bg: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(bg * GAIN), 0, 255).astype(np.uint8)


def _errors(plate: CleanPlate, frames: list[np.ndarray], alphas: list[np.ndarray]) -> tuple[float, float]:
    """Mean alpha error on the soft rim, and mean alpha on the set just outside the person (the halo)."""
    matter = ShotMatter(plate, BackgroundParams())
    est = [matter.step(f.astype(np.float32) / 255) for f in frames]
    rim, halo = [], []
    for e, a in zip(est, alphas, strict=True):
        rim.append(np.abs(e - a)[(a > 0.02) & (a < 0.98)].mean())
        outside = cv2.dilate((a > 0.02).astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & (a <= 0.02)
        halo.append(e[outside].mean())
    return float(np.mean(rim)), float(np.mean(halo))


def _seen(bg: np.ndarray) -> np.ndarray:
    """The set the take saw: all but where the performer always stood."""
    known = np.ones(bg.shape[:2], bool)
    known[60:, 100:220] = False
    return known


def _matched(bg: np.ndarray, supplied: np.ndarray) -> CleanPlate:
    """``supplied`` (uint8) matched to a take that saw ``bg`` where :func:`_seen`."""
    return match_exposure(plate_from_shot([supplied], bg.shape[:2]), _take(bg, _seen(bg)))


def test_a_plate_shot_under_other_light_is_brought_to_the_takes(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    matched = _matched(bg, _other_light(bg))
    assert matched.exposure_gain is not None
    assert np.allclose(matched.exposure_gain, 1 / GAIN, atol=0.01)
    assert np.abs(matched.image - bg / 255).max() < 3 / 255  # the take's set again, to the plate's rounding
    assert matched.describe()["exposure_gain"] == list(matched.exposure_gain)


def test_the_matte_against_a_plate_shot_under_other_light_is_as_good_as_against_the_takes_own(synthetic) -> None:
    frames, alphas, bg = synthetic
    size = bg.shape[:2]
    take = _take(bg, np.ones(size, bool))
    exact = _errors(plate_from_shot([bg], size), frames, alphas)
    darker = plate_from_shot([np.rint(bg * 0.9).astype(np.uint8)], size)  # a cloud over the sun for the plate
    as_shot, matched = _errors(darker, frames, alphas), _errors(match_exposure(darker, take), frames, alphas)
    assert as_shot[0] > 1.5 * exact[0] and as_shot[1] > 5 * exact[1]  # measured: 0.205 vs 0.119, 0.130 vs 0.011
    assert matched[0] < 1.02 * exact[0] and matched[1] < 1.1 * exact[1]


def _falloff(bg: np.ndarray, left: float = 0.9, right: float = 1.08) -> np.ndarray:
    """``bg`` lit by light that changes across the frame (a window's daylight moved on): linear in light, so the
    edit's plane in log gain fits it only approximately."""
    w = bg.shape[1]
    gain = left + (right - left) * (np.arange(w) + 0.5) / w
    return np.clip(np.rint(bg * gain[None, :, None]), 0, 255).astype(np.uint8)


def test_light_that_changed_across_the_set_is_followed_across_the_frame(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    matched = _matched(bg, _falloff(bg))
    assert matched.exposure_gradient is not None
    assert np.allclose(matched.exposure_gradient["across"], 0.9 / 1.08, atol=0.01)
    assert np.allclose(matched.exposure_gradient["down"], 1.0, atol=0.01)
    assert np.allclose(matched.exposure_gain, 1 / 0.99, atol=0.01)  # the gain at the centre
    assert np.abs(matched.image - bg / 255).max() < 4 / 255  # everywhere, behind the performer too
    one_gain = bg * np.float32(0.99)  # the best one gain leaves up to 9 % at the edges
    assert np.abs(one_gain - _falloff(bg)).max() > 15
    assert matched.describe()["exposure_gradient"] == {k: list(v) for k, v in matched.exposure_gradient.items()}


def test_the_matte_against_a_plate_lit_unevenly_is_as_good_as_against_the_takes_own(synthetic) -> None:
    frames, alphas, bg = synthetic
    size = bg.shape[:2]
    take = _take(bg, np.ones(size, bool))
    exact = _errors(plate_from_shot([bg], size), frames, alphas)
    uneven = plate_from_shot([_falloff(bg, 0.86, 1.1)], size)
    with mock.patch.object(light, "plane", lambda *_: None), mock.patch.object(light, "pools", lambda *_: None):
        one_gain = _errors(match_exposure(uneven, take), frames, alphas)
    matched = _errors(match_exposure(uneven, take), frames, alphas)
    assert one_gain[1] > 1.6 * exact[1]  # measured: halo 0.021 against 0.011
    assert matched[0] < 1.02 * exact[0] and matched[1] < 1.05 * exact[1]


def _pool(bg: np.ndarray, peak: float = 1.25, at: tuple[float, float] = (0.3, 0.3), width: float = 0.12) -> np.ndarray:
    """``bg`` with a lamp's pool of light switched on: a Gaussian of peak gain ``peak`` centred ``at`` (fractions of
    the width and height), ``width`` of the frame's width wide (σ)."""
    h, w = bg.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gain = 1 + (peak - 1) * np.exp(-((xx - at[0] * w) ** 2 + (yy - at[1] * h) ** 2) / (2 * (width * w) ** 2))
    return np.clip(np.rint(bg * gain[..., None]), 0, 255).astype(np.uint8)


def test_a_lamps_pool_of_light_is_followed(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    known = _seen(bg)
    with mock.patch.object(light, "pools", lambda *_: None):
        gain_only = _matched(bg, _pool(bg))
    matched = _matched(bg, _pool(bg))
    assert np.abs(gain_only.image - bg / 255).max() > 40 / 255  # the pool left in the plate
    assert np.abs(matched.image - bg / 255)[known].max() < 8 / 255
    assert np.abs(matched.image - bg / 255)[known].mean() < 1 / 255
    pools = matched.describe()["exposure_pools"]
    assert 0.1 < pools["share"] < 0.5 and min(pools["lowest_gain"]) > 0.77 and max(pools["lowest_gain"]) < 0.85
    assert matched.set_difference == gain_only.set_difference  # judged before the pools


def test_the_matte_against_a_plate_with_a_lamp_switched_on_is_as_good_as_against_the_takes_own(synthetic) -> None:
    frames, alphas, bg = synthetic
    size = bg.shape[:2]
    take = _take(bg, np.ones(size, bool))
    exact = _errors(plate_from_shot([bg], size), frames, alphas)
    lamp = plate_from_shot([_pool(bg, 1.3, (0.5, 0.25))], size)  # over the performer's head
    with mock.patch.object(light, "pools", lambda *_: None):
        gain_only = _errors(match_exposure(lamp, take), frames, alphas)
    matched = _errors(match_exposure(lamp, take), frames, alphas)
    assert gain_only[0] > 1.1 * exact[0] and gain_only[1] > 1.25 * exact[1]  # measured: 0.137 / 0.119, 0.015 / 0.011
    assert matched[0] < 1.02 * exact[0] and matched[1] < 1.05 * exact[1]


def _main_2a5e2a5() -> mock._patch:
    """The pools as main 2a5e2a5 followed them: up to 1.5×, each block averaged with its neighbours, and 0 wherever
    no block nearby spoke."""
    unfilled = lambda grid, fixed: np.where(fixed[..., None], grid, 0).astype(np.float32)  # noqa: E731
    return mock.patch.multiple(
        light, BLOCKS=32, MIN_SIDE=1, POOL_MAX=1.5, **V37, _filled=unfilled, beyond=lambda *_: None
    )


def test_a_lamp_switched_off_for_the_plate_is_followed(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    known = _seen(bg)
    off = _pool(bg, 0.5)  # the take's set twice as bright as the plate at the pool's heart
    with _main_2a5e2a5():
        before = _matched(bg, off)
    matched = _matched(bg, off)
    error = np.abs(matched.image - bg / 255).max(-1)
    assert np.abs(before.image - bg / 255).max(-1)[known].max() > 60 / 255  # measured: 85 code values
    assert error[known].max() < 20 / 255 and error[known].mean() < 1.5 / 255  # measured: 12.8, 0.83
    assert max(matched.describe()["exposure_pools"]["highest_gain"]) > 1.8


def test_the_matte_against_a_plate_with_a_lamp_switched_off_is_close_to_the_takes_own(synthetic) -> None:
    frames, alphas, bg = synthetic
    size = bg.shape[:2]
    take = _take(bg, _seen(bg))
    exact = _errors(plate_from_shot([bg], size), frames, alphas)
    lamp = plate_from_shot([_pool(bg, 0.5, (0.5, 0.25))], size)  # over the performer's head
    with _main_2a5e2a5():
        before = _errors(match_exposure(lamp, take), frames, alphas)
    matched = _errors(match_exposure(lamp, take), frames, alphas)
    assert before[0] > 1.5 * exact[0] and before[1] > 8 * exact[1]  # measured: 0.194 / 0.119, 0.117 / 0.011
    assert matched[0] < 1.05 * exact[0] and matched[1] < 1.4 * exact[1]  # measured: 0.123, 0.0148


def test_a_small_pool_is_followed_block_by_block(synthetic) -> None:
    # A small lamp's pool is steep: its heart, slope and fringe change within a few blocks. Until stop 38 the pool's
    # own blocks were averaged with their neighbours (a Gaussian of one block) and a heart beyond 3x was left out,
    # so the heart was under-followed and the fringe over-followed. Measured on this set, main 5ee95ce: a lamp off for
    # the plate (2.5x in the take, sigma 0.04 of the width) matched to 1.9x at most, 44.8 levels off at worst where
    # the take saw the set; a 4x one (sigma 0.05) to 2.1x, 81 levels off. Now 25.8, and 49 with its heart at 3x.
    _frames, _alphas, bg = synthetic
    known = _seen(bg)
    matched = _matched(bg, _pool(bg, 0.4, width=0.04))
    assert np.abs(matched.image - bg / 255).max(-1)[known].max() < 32 / 255
    assert max(matched.describe()["exposure_pools"]["highest_gain"]) > 2.2
    strong = _matched(bg, _pool(bg, 0.25, (0.8, 0.3), width=0.05))  # its heart beyond 3x is two blocks: kept
    assert np.abs(strong.image - bg / 255).max(-1)[known].max() < 60 / 255
    assert max(strong.describe()["exposure_pools"]["highest_gain"]) > 2.9  # followed to the 3x a pool is


def test_a_pool_is_followed_through_the_takes_noise(synthetic) -> None:
    # A take recorded through a codec (or grainy) spreads every block's ratios to the plate, so a pool's blocks,
    # judged against a spread of a quarter of their departure alone, were taken for changed content and left out. On
    # the bench's take recorded through H.264 a wide lamp's pool was matched on 334 of the close-up's 886 departing
    # blocks (731 of 799 as composited), and the matte's halo was 20.4 against 3.2 with the exact plate. Here the take
    # carries noise of 3 levels; until stop 38 this lamp was left 20.8 levels off at worst (3.59 on average).
    _frames, _alphas, bg = synthetic
    known = _seen(bg)
    noisy = np.clip(bg.astype(np.float32) + np.random.default_rng(1).normal(0, 3, bg.shape), 0, 255)
    matched = match_exposure(plate_from_shot([_pool(bg, 0.5)], bg.shape[:2]), _take(noisy, known))
    error = np.abs(matched.image - bg / 255).max(-1)[known]
    assert error.max() < 12 / 255 and error.mean() < 2 / 255  # measured: 7.5, 1.30


def test_a_pool_is_carried_on_behind_the_performer(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    unseen = ~_seen(bg)
    on = _pool(bg, 1.8)  # a lamp on for the plate, at the edge of where the performer always stood
    with mock.patch.object(light, "_filled", lambda grid, fixed: np.where(fixed[..., None], grid, 0)):
        cut_off = _matched(bg, on)
    matched = _matched(bg, on)
    assert np.abs(cut_off.image - bg / 255).max(-1)[unseen].max() > 80 / 255  # measured: 103 code values
    assert np.abs(matched.image - bg / 255).max(-1)[unseen].max() < 30 / 255  # measured: 16.9
    pools = matched.describe()["exposure_pools"]
    assert 0.02 < pools["unseen_share"] < pools["share"]  # recorded: carried on where the take never saw the set


def test_where_the_take_never_saw_the_set_the_pools_run_on_smoothly() -> None:
    yy, xx = np.mgrid[0:9, 0:12].astype(np.float32)
    ramp = np.stack([0.1 * xx - 0.05 * yy, 0.02 * yy, np.zeros_like(xx)], axis=-1)
    fixed = np.zeros((9, 12), bool)
    fixed[[0, -1]], fixed[:, [0, -1]] = True, True  # known all round; the middle never seen
    filled = light._filled(np.where(fixed[..., None], ramp, 9.0), fixed)
    assert np.allclose(filled, ramp, atol=1e-5)  # a plane is the smoothest surface through its own edges
    fixed[:] = False
    fixed[4, 3] = True  # one cell known: the same value everywhere (the grid's edges hold nothing)
    assert np.allclose(light._filled(np.full((9, 12, 3), 0.3, np.float32), fixed), 0.3)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 9).flatmap(
        lambda h: st.integers(2, 9).flatmap(
            lambda w: st.tuples(
                arrays(np.bool_, (h, w)).filter(np.any),
                arrays(np.float32, (h, w, 3), elements=st.floats(-1, 1, width=32)),
            )
        )
    )
)
def test_the_fill_keeps_what_is_known_and_invents_no_light(case: tuple[np.ndarray, np.ndarray]) -> None:
    fixed, grid = case
    filled = light._filled(grid, fixed)
    assert np.array_equal(filled[fixed], grid[fixed])
    known = grid[fixed]
    assert (filled >= known.min(0) - 1e-4).all() and (filled <= known.max(0) + 1e-4).all()  # no pool beyond its own
    h, w = fixed.shape
    for r, c in zip(*np.nonzero(~fixed), strict=True):  # each other cell: the mean of its neighbours
        around = [
            filled[y, x] for y, x in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)) if 0 <= y < h and 0 <= x < w
        ]
        assert np.allclose(filled[r, c], np.mean(around, axis=0), atol=1e-4)


def test_a_lamp_beyond_what_a_pool_follows_is_refused_with_what_to_do(tmp_path: Path, synthetic) -> None:
    frames, _alphas, bg = synthetic
    with pytest.raises(PlateMismatchError, match=r"\d\.\d× as bright in the take as in the clean plate.*take's light"):
        _matched(bg, _pool(bg, 0.25))  # a lamp off for the plate, lighting its pool 4× in the take
    with _main_2a5e2a5():
        before = _matched(bg, _pool(bg, 0.25))  # left as it was, its pool's heart followed to 1.4× of 4
    assert np.abs(before.image - bg / 255).max(-1)[_seen(bg)].max() > 100 / 255
    take = probe(_write(tmp_path / "take.mp4", frames))
    clean = probe(_write(tmp_path / "clean.mp4", [_pool(bg, 0.25)] * 4))
    with pytest.raises(PlateMismatchError, match="a lamp was switched on or off"):
        build_clean_plate(take, range(len(frames)), BackgroundParams(), clean)


def test_a_lamp_that_leaves_the_plate_black_under_it_is_refused(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    dark = _pool(bg, 0.1)  # under 5 % of full scale at the pool's heart: no ratio to measure there
    with pytest.raises(PlateMismatchError, match="black in the clean plate and more than 3× as bright in the take"):
        _matched(bg, dark)
    with _main_2a5e2a5():
        assert _matched(bg, dark).exposure_pools is not None  # kept, its heart left black
    black_prop = bg.copy()
    black_prop[20:70, 20:90] = 4  # a black prop in the set, in the plate and the take alike
    assert _matched(black_prop, black_prop).exposure_pools is None


def test_content_that_changed_is_not_taken_for_light(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    changed = bg.copy()
    yy, xx = np.mgrid[0:80, 0:120]
    stripes = np.where((xx // 3 + yy // 3) % 2 == 0, 1.3, 1.0)[..., None]  # a textured prop where the plate has none
    changed[20:100, 180:300] = np.clip(np.rint(bg[20:100, 180:300] * stripes), 0, 255).astype(np.uint8)
    matched = match_exposure(plate_from_shot([bg], bg.shape[:2]), _take(changed, np.ones(bg.shape[:2], bool)))
    assert matched.exposure_pools is None and np.array_equal(matched.image, bg / np.float32(255))


def test_one_gain_is_kept_where_the_light_changed_evenly(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    take = _take(bg, np.ones(bg.shape[:2], bool))
    for supplied in (bg, _other_light(bg)):  # the take's own light, and one gain
        matched = match_exposure(plate_from_shot([supplied], bg.shape[:2]), take)
        assert matched.exposure_gradient is None and "exposure_gradient" not in matched.describe()
        assert matched.exposure_pools is None and "exposure_pools" not in matched.describe()


def test_no_slope_is_fitted_across_a_frame_seen_on_one_side_only(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    known = np.zeros(bg.shape[:2], bool)
    known[:, :110] = True  # the take saw only the left third of the set
    matched = match_exposure(plate_from_shot([_falloff(bg)], bg.shape[:2]), _take(bg, known))
    assert matched.exposure_gradient is None or matched.exposure_gradient["across"] == (1.0, 1.0, 1.0)


def test_what_the_estimate_got_wrong_does_not_move_the_light_across(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    wrong = bg.copy()
    wrong[:90] = (30, 160, 60)  # a third of the "set" is something else (a still person, a prop moved)
    matched = match_exposure(plate_from_shot([_falloff(bg)], bg.shape[:2]), _take(wrong, np.ones(bg.shape[:2], bool)))
    assert matched.exposure_gradient is not None
    assert np.allclose(matched.exposure_gradient["across"], 0.9 / 1.08, atol=0.01)
    assert np.abs(matched.image[90:] - bg[90:] / 255).max() < 4 / 255


def test_what_the_estimate_got_wrong_does_not_move_the_gain(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    wrong = bg.copy()
    wrong[:90] = (30, 160, 60)  # a third of the "set" is something else (a still person, a prop moved)
    matched = match_exposure(
        plate_from_shot([_other_light(bg)], bg.shape[:2]), _take(wrong, np.ones(bg.shape[:2], bool))
    )
    assert np.allclose(matched.exposure_gain, 1 / GAIN, atol=0.01)


def test_too_little_set_seen_leaves_the_plate_as_shot(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    known = np.zeros(bg.shape[:2], bool)
    known[: int(MIN_SHARE * bg.shape[0]) - 2] = True  # under 5 % of the frame
    supplied = plate_from_shot([_other_light(bg)], bg.shape[:2])
    same = match_exposure(supplied, _take(bg, known))
    assert same is supplied and same.exposure_gain is None and "exposure_gain" not in same.describe()


def _write(path: Path, frames: list[np.ndarray]) -> Path:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25, options=reproducible_options("libx264", {"crf": "4"}))
        stream.width, stream.height, stream.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        for f in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(f, format="rgb24")))
        out.mux(stream.encode())
    return path


def test_the_edit_brings_a_supplied_plate_to_its_takes_exposure_and_records_the_gain(tmp_path: Path, synthetic) -> None:
    frames, _alphas, bg = synthetic
    take = probe(_write(tmp_path / "take.mp4", frames))
    clean = probe(_write(tmp_path / "clean.mp4", [np.rint(bg * 0.9).astype(np.uint8)] * 4))
    plate = build_clean_plate(take, range(len(frames)), BackgroundParams(), clean)
    assert plate.source == "supplied"
    assert np.allclose(plate.describe()["exposure_gain"], 1 / 0.9, atol=0.02)
    assert plate.describe()["set_difference"] < MISMATCH / 4  # the same set-up


def test_the_edit_records_how_the_light_changed_across_a_supplied_plate(tmp_path: Path, synthetic) -> None:
    frames, _alphas, bg = synthetic
    take = probe(_write(tmp_path / "take.mp4", frames))
    clean = probe(_write(tmp_path / "clean.mp4", [_falloff(bg)] * 4))
    described = build_clean_plate(take, range(len(frames)), BackgroundParams(), clean).describe()
    assert np.allclose(described["exposure_gradient"]["across"], 0.9 / 1.08, atol=0.02)
    assert described["set_difference"] < MISMATCH / 4


def test_where_the_plate_is_clipped_the_takes_own_set_is_used(synthetic) -> None:
    _frames, _alphas, bg = synthetic
    plate, take_set = _other_light(bg), bg.copy()
    plate[:40, :60] = take_set[:40, :60] = 255  # a window, clipped in both
    plate[200:, :60], take_set[200:, :60] = 255, 240  # a lamp, clipped only because the plate was shot brighter
    known = np.ones(bg.shape[:2], bool)
    known[:20, :20] = False  # a corner of the window the take never saw
    matched = match_exposure(plate_from_shot([plate], bg.shape[:2]), _take(take_set, known))
    assert np.allclose(matched.exposure_gain, 1 / GAIN, atol=0.01)  # the clipped pixels told nothing of the light
    assert (matched.image[20:40, 20:60] == 1.0).all()  # not greyed by a gain below 1
    assert np.allclose(matched.image[200:, :60], 240 / 255)  # the value the take shows
    assert np.allclose(matched.image[:20, :20], np.minimum(matched.exposure_gain, 1.0), atol=1e-4)  # never seen: scaled


def test_a_plate_of_another_set_is_refused_with_what_to_do(tmp_path: Path, synthetic) -> None:
    frames, _alphas, bg = synthetic
    h, w = bg.shape[:2]
    other_set = (synth_plate(h, w, seed=7)[:, ::-1] * 255).round().astype(np.uint8)  # another set-up
    take_set = _take(bg, np.ones((h, w), bool))
    matched = match_exposure(plate_from_shot([other_set], (h, w)), take_set)
    assert matched.set_difference is not None and matched.set_difference > MISMATCH
    take = probe(_write(tmp_path / "take.mp4", frames))
    clean = probe(_write(tmp_path / "other.mp4", [other_set] * 4))
    with pytest.raises(PlateMismatchError, match="another set-up or framing"):
        build_clean_plate(take, range(len(frames)), BackgroundParams(), clean)
