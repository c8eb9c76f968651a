"""The smooth grade and how a relight finds it (issue 18): no false colour, regions matched to the corresponding
region, references from another scene matched through the project's own frames.

Truth is made, not guessed: real frames of the shared footage graded with a look known exactly; scores are CIE76
ΔE to that truth and the colour-edge-energy ratio (Sobel magnitude of a*, b*; contour bands and blotches raise it).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from editor.lighting import Exemplars, GradeNet, SmoothGrade, delta_e76, match_grade, random_look
from editor.lighting.cdl import LUMA_709
from editor.lighting.exemplars import LOOK_INLIER_MIN
from editor.lighting.lut import ShotLut
from editor.lighting.mask import auto_feather, blend_in_support, rectangle_weights, support_region
from editor.lighting.register import register
from editor.lighting.smooth import N_PARAMS, hue_bias
from media import Region, probe, read_frame
from tests.editor._graded_elsewhere import colour_edge

SAD, NEU = "crema-d_1001_DFA_SAD_XX.flv", "crema-d_1001_DFA_NEU_XX.flv"
GRID_A, GRID_B = "grid_pwij3p.mpg", "grid_id2_vcd_swwp2s.mpg"
OBAMA, OBAMA_OTHER = "obama-weekly-address_very-real-challenges.mp4", "obama-weekly-address_a-bad-situation.mp4"


@pytest.fixture(scope="module")
def net() -> GradeNet:
    torch.manual_seed(0)
    return GradeNet()  # an untrained model predicts (almost) the identity: the fits do the work here


@pytest.fixture(scope="module")
def sad(footage_dir: Path) -> tuple[np.ndarray, list[np.ndarray]]:
    info = probe(footage_dir / SAD)
    n = info.frame_count
    return read_frame(info, n - 5), [read_frame(info, i) for i in (3, n // 2)]


@given(st.integers(0, 10_000))
@settings(max_examples=25, deadline=None)
def test_any_smooth_grade_is_monotone_and_keeps_greys_in_order(seed: int) -> None:
    theta = np.random.default_rng(seed).normal(0, 1.5, N_PARAMS)
    g = SmoothGrade.from_theta(theta)
    ramp = np.linspace(0, 1, 256, dtype=np.float32)
    for c in range(3):  # along each channel, with the others fixed, every output is non-decreasing... in its own
        x = np.full((256, 3), 0.4, np.float32)
        x[:, c] = ramp
        y = g.apply_exact(x)
        assert np.all(np.diff(y[:, c]) >= -1e-6)  # own channel: slope ≥ 0.2 through C and T
    greys = g.apply_exact(np.repeat(ramp[:, None], 3, axis=1))
    assert np.all(np.diff(greys.mean(axis=1)) >= -1e-6)
    np.testing.assert_allclose(g.apply(np.repeat(ramp[:, None], 3, 1)), greys, atol=2e-3)  # fast path agrees


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    box=st.tuples(st.integers(0, 60), st.integers(0, 30), st.integers(2, 100), st.integers(2, 60)),
    ten_bit=st.booleans(),
)
@example(seed=388, box=(0, 18, 40, 30), ten_bit=True)  # its last pixel was in OpenCV's scalar tail, rounded otherwise
def test_a_region_is_graded_and_blended_in_its_box_bit_for_bit_as_on_the_whole_frame(
    seed: int, box: tuple[int, int, int, int], ten_bit: bool
) -> None:
    """``blend_in_support`` grades and blends only inside the weights' box (a region relight's speed-up): the
    frame it returns is bit for bit the whole-frame ``rgb + (G(rgb) − rgb) · w``, for the 10-bit tables and for
    8-bit codes through the shot's LUT, rectangles touching the frame's edges included."""
    rng = np.random.default_rng(seed)
    grade = SmoothGrade.from_theta(rng.normal(0, 0.4, N_PARAMS))
    width, height = 120, 72
    x, y = min(box[0], width - 2), min(box[1], height - 2)
    region = Region(x, y, min(box[2], width - x), min(box[3], height - y))
    weights = rectangle_weights(region, width, height, max(1, min(region.width, region.height) // 4))[..., None]
    if ten_bit:
        rgb = rng.random((height, width, 3), dtype=np.float32)
        apply = grade.apply
    else:
        rgb = rng.integers(0, 256, (height, width, 3)).astype(np.float32) / np.float32(255)
        lut = ShotLut(grade.lut())
        apply = lambda px: lut.apply(px, exact_8bit=True)  # noqa: E731
    whole = rgb + (apply(rgb) - rgb) * weights
    inside = blend_in_support(rgb, apply, weights, support_region(weights[..., 0]))
    assert inside.dtype == whole.dtype and np.array_equal(inside, whole)


def test_full_frame_relight_reaches_a_known_look_without_false_colour(
    net: GradeNet, sad: tuple[np.ndarray, list[np.ndarray]]
) -> None:
    ref_src, tests = sad
    look = random_look(np.random.default_rng(9001))
    grade = match_grade(net, Exemplars.build([]), tests, [look.apply(ref_src)])
    assert grade.method == "pairs" and grade.inliers > 0.8
    for src in tests:
        out, truth = grade.lut.apply(src), look.apply(src)
        assert delta_e76(out, truth) <= 3.0
        assert colour_edge(out) <= 1.15 * colour_edge(truth)
        dark = (src.max(axis=-1) < 0.2) & (src.max(axis=-1) - src.min(axis=-1) < 0.03)  # dark neutral cloth
        assert delta_e76(out[dark], truth[dark]) <= 3.0


def test_region_relight_matches_the_corresponding_region_of_the_reference(
    net: GradeNet, sad: tuple[np.ndarray, list[np.ndarray]]
) -> None:
    # Today the region (the dark shirt here) was matched to the whole reference frame (mostly green backdrop):
    # ΔE 27 to the look, blotches 4.7× the true colour-edge energy.
    ref_src, tests = sad
    h, w = tests[0].shape[:2]
    box = Region(120, 222, 240, h - 222)
    wts = rectangle_weights(box, w, h, auto_feather(box))
    look = random_look(np.random.default_rng(9002))
    grade = match_grade(net, Exemplars.build([]), tests, [look.apply(ref_src)], weights=wts)
    assert grade.method == "pairs"
    sl = (slice(box.y, box.y + box.height), slice(box.x, box.x + box.width))
    for src in tests:
        out = src + (grade.lut.apply(src) - src) * wts[..., None]
        truth = src + (look.apply(src) - src) * wts[..., None]
        assert delta_e76(out[sl], truth[sl]) <= 3.0
        assert colour_edge(out[sl]) <= 1.15 * colour_edge(truth[sl])


def test_another_scene_is_matched_through_the_projects_own_frames(
    net: GradeNet, footage_dir: Path, sad: tuple[np.ndarray, list[np.ndarray]]
) -> None:
    # The reference is a graded frame of another set-up (the GRID booth); the project's dailies hold another take
    # of that set-up, ungraded: the look is fitted between the two and applied to the shot.
    _, tests = sad
    exemplars = Exemplars.build([read_frame(probe(footage_dir / GRID_B), k) for k in (5, 40)])
    look = random_look(np.random.default_rng(9000))
    ref = look.apply(read_frame(probe(footage_dir / GRID_A), 40))
    grade = match_grade(net, exemplars, tests, [ref])
    assert grade.method == "exemplar"
    for src in tests:
        out, truth = grade.lut.apply(src), look.apply(src)
        assert delta_e76(out, truth) < 0.5 * delta_e76(src, truth)
        assert colour_edge(out) <= 1.15 * colour_edge(truth)
    assert grade.warning is None
    alone = match_grade(net, Exemplars.build([]), tests, [ref])
    assert alone.method == "model"  # nothing of that set-up in the project: the model's prediction, said so
    assert alone.warning is not None and "estimate alone" in alone.warning  # ... and the user is told


def test_an_exemplar_that_only_resembles_the_reference_is_refused_and_the_user_told(
    net: GradeNet, footage_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The project's dailies hold another weekly address (same presenter and framing, other light and wardrobe); the
    # reference is a graded frame of a third. The exemplar registers with a high correlation, but over 3-9 % of the
    # frame only, and its colours follow no one grade to the reference's: inliers 0.57 where a re-graded frame of
    # the same set-up gives 0.90-0.99. Accepted at the old threshold (0.5), the look came out 12-40 dE76 off and was
    # delivered as an ordinary exemplar fit with no warning (docs/benchmarks.md, "An exemplar that only resembles
    # the reference"). Since 2026-12-06 the registration's coverage refuses it first (``fit.COVER_MIN``).
    grid = probe(footage_dir / GRID_A)
    exemplars = Exemplars.build([read_frame(probe(footage_dir / OBAMA_OTHER), 0)])
    obama = probe(footage_dir / OBAMA)
    ref = random_look(np.random.default_rng(9000)).apply(read_frame(obama, obama.frame_count - 5))
    grade = match_grade(net, exemplars, [read_frame(grid, 3)], [ref])
    assert grade.method == "model" and not np.isfinite(grade.refused_look_inliers)  # refused at registration
    assert grade.warning is not None and "registers to it" in grade.warning  # the model's estimate alone, said so
    monkeypatch.setattr("editor.lighting.exemplars.COVER_MIN", 0.0)  # without the coverage test, the inlier test
    grade = match_grade(net, exemplars, [read_frame(grid, 3)], [ref])  # behind it still refuses the look
    assert grade.method == "model"
    assert 0.5 <= grade.refused_look_inliers < LOOK_INLIER_MIN  # (found, and above the old threshold)
    assert grade.warning is not None and "resembles it" in grade.warning and "no one grade" in grade.warning
    assert grade.short_warning is not None and "only resembles" in grade.short_warning


def _hue_look(rgb: np.ndarray) -> np.ndarray:
    """A look outside the training family: chroma rotated −9° about the grey axis, saturation 0.8, channel gammas."""
    a, s = np.deg2rad(-9.0), 0.8
    luma = np.outer(np.ones(3), LUMA_709)
    k = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]]) / np.sqrt(3)
    m = (luma + s * (np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * (k @ k) - luma)).astype(np.float32)
    return np.clip(np.clip(rgb @ m.T, 0, 1) ** np.array([1.1, 0.95, 0.9], np.float32), 0, 1)


def test_hue_bias_is_zero_for_saturation_and_hue_rotation_only() -> None:
    theta = torch.zeros(1, N_PARAMS, dtype=torch.float64)
    assert float(hue_bias(theta)[0]) < 1e-12
    theta[0, 3 * 17 : 3 * 17 + 9] = torch.tensor([0.0, 0.3, -0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])  # red only
    assert float(hue_bias(theta)[0]) > 1e-3


def test_another_scene_moves_colours_it_does_not_show_like_those_it_shows(
    net: GradeNet, footage_dir: Path, sad: tuple[np.ndarray, list[np.ndarray]]
) -> None:
    # The GRID booth (blue backdrop, skin, dark clothes) shows no green; the shot's backdrop is green. Fitted
    # through the exemplars with a mix free to treat each hue its own way, the look (a hue rotation) reached the
    # green backdrop wrong: ΔE 5.58 on this frame before the hue-uniform prior (2026-12-03); 3.60 with it — better,
    # still above the 3 target for this look family (docs/benchmarks.md, split-tone), so the bound here is 4.
    _, tests = sad
    exemplars = Exemplars.build([read_frame(probe(footage_dir / GRID_B), k) for k in (5, 40)])
    ref = _hue_look(read_frame(probe(footage_dir / GRID_A), 40))
    grade = match_grade(net, exemplars, tests[:1], [ref])
    assert grade.method == "exemplar"
    out, truth = grade.lut.apply(tests[0]), _hue_look(tests[0])
    assert delta_e76(out, truth) <= 4.0
    assert colour_edge(out) <= 1.15 * colour_edge(truth)


def _split_tone(rgb: np.ndarray) -> np.ndarray:
    """A split-tone look: teal pushed into the shadows and amber into the highlights by luma (chroma that depends on
    brightness, not on the channel values), a slight hue twist and channel gammas."""
    x = _hue_look(rgb)
    lum = np.clip(np.asarray(rgb, np.float32) @ LUMA_709, 0, 1)[..., None]
    x = x + (1 - lum) ** 2 * np.array([-0.04, 0.01, 0.04], np.float32) + lum**2 * np.array([0.04, 0.0, -0.05])
    return np.clip(x, 0, 1).astype(np.float32)


def test_a_split_tone_look_through_the_references_own_take_is_matched(
    net: GradeNet, footage_dir: Path, sad: tuple[np.ndarray, list[np.ndarray]]
) -> None:
    # Why split-tone cross-scene looks missed ΔE 3 (docs/benchmarks.md, "Split-tone cross-scene"): not the grade
    # family — a reference graded from the take the exemplars come from is matched within the target — but the
    # reference's take: GRID pwij3p and the project's GRID take differ before any look (warmer, b* about +4.6;
    # 6.1 ΔE76 over the registered pixels of the bench's frames), and a look fitted between them carries that
    # difference (the test above, ≤ 4). Nothing in a graded reference tells a take's colour from the look's.
    _, tests = sad
    grid_b = probe(footage_dir / GRID_B)
    exemplars = Exemplars.build([read_frame(grid_b, k) for k in (5, 40)])
    same = match_grade(net, exemplars, tests[:1], [_split_tone(read_frame(grid_b, 60))])
    assert same.method == "exemplar"
    out, truth = same.lut.apply(tests[0]), _split_tone(tests[0])
    assert delta_e76(out, truth) <= 3.0
    assert colour_edge(out) <= 1.15 * colour_edge(truth)
    reg = register(read_frame(grid_b, 40), read_frame(probe(footage_dir / GRID_A), 40))  # ungraded, other take
    assert reg.ncc > 0.9  # the same set-up ...
    assert delta_e76(reg.src[reg.valid], reg.ref[reg.valid]) > 3.0  # ... in other colours before any look


@pytest.mark.parametrize("seed", [9000, 9002])
def test_a_shot_of_another_take_keeps_its_own_colour_under_the_look(
    net: GradeNet, footage_dir: Path, seed: int
) -> None:
    # The shot is a GRID take recorded in another session than the project's GRID take (warmer, 5-6 ΔE76 apart
    # before any look); the reference is a graded frame of the project's CREMA-D take. Until 2026-12-05 the shot was
    # first mapped onto its own set-up's exemplar (meant for a shot carrying a grade): its own colour was taken
    # away and the result was 3.07 and 3.94 ΔE76 off the look on the shot as shot; applied as it is, 2.15 and 1.95
    # (docs/benchmarks.md, "The shot's own colour kept").
    neu, grid_b, grid_a = (probe(footage_dir / n) for n in (NEU, GRID_B, GRID_A))
    exemplars = Exemplars.build([read_frame(i, k) for i in (neu, grid_b) for k in (5, 40)])
    shot = read_frame(grid_a, 3)
    look = random_look(np.random.default_rng(seed))
    grade = match_grade(
        net, exemplars, [shot, read_frame(grid_a, grid_a.frame_count // 2)], [look.apply(read_frame(neu, 60))]
    )
    assert grade.method == "exemplar"
    assert delta_e76(grade.lut.apply(shot), look.apply(shot)) <= 2.7
    reg = register(read_frame(grid_b, 5), shot)
    assert reg.ncc > 0.9 and delta_e76(reg.src[reg.valid], reg.ref[reg.valid]) > 3.0  # its set-up, other colours


def test_registration_follows_a_reframe_and_rejects_another_scene(footage_dir: Path) -> None:
    info = probe(footage_dir / NEU)
    a, b = read_frame(info, 10), read_frame(info, 40)
    h, w = b.shape[:2]
    zoomed = cv2.resize(b[int(0.1 * h) : int(0.9 * h), int(0.1 * w) : int(0.9 * w)], (w, h))
    graded = random_look(np.random.default_rng(5)).apply(zoomed)
    assert register(a, graded).ncc > 0.7
    assert register(a, read_frame(probe(footage_dir / GRID_A), 10)).ncc < 0.5
