"""A reference from another scene with its ungraded original given (``relight --reference-original``, issue 18).

Through the project's exemplars a graded reference's look carries the colour of the take it was graded from when
that take is not the project's: split-tone cross-scene stayed at 3.86-3.89 ΔE76 on held-out footage
(docs/benchmarks.md, "The shot's own colour kept"). With the reference's own ungraded frame the look is fitted on
exact pairs. Truth is made: real frames of the shared footage graded with a look known exactly (a split-tone look
written here, other than the benchmark's and the other tests').
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from editor.errors import EditParameterError
from editor.lighting import Exemplars, GradeNet, delta_e76, match_grade
from media import probe, read_frame
from tests.editor._graded_elsewhere import colour_edge, warm_highlights

SAD, GRID_A, GRID_B = "crema-d_1001_DFA_SAD_XX.flv", "grid_pwij3p.mpg", "grid_id2_vcd_swwp2s.mpg"


def reframed(rgb: np.ndarray) -> np.ndarray:
    """The frame as a re-framed export: the centre 90 % scaled to 640 px wide."""
    h, w = rgb.shape[:2]
    c = rgb[round(h * 0.05) : round(h * 0.95), round(w * 0.05) : round(w * 0.95)]
    return cv2.resize(c, (640, round(640 * c.shape[0] / c.shape[1])), interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def scene(footage_dir: Path) -> dict[str, object]:
    torch.manual_seed(0)
    sad, grid_a, grid_b = (probe(footage_dir / n) for n in (SAD, GRID_A, GRID_B))
    return {
        "net": GradeNet(),  # an untrained model predicts (almost) the identity: the fits do the work here
        "shots": [read_frame(sad, k) for k in (3, sad.frame_count // 2)],
        "original": read_frame(grid_a, 40),  # the reference's take: another session than the project's GRID take
        "exemplars": Exemplars.build([read_frame(grid_b, k) for k in (5, 40)]),  # the project's take of the booth
    }


def test_a_look_graded_from_another_take_is_known_from_the_references_original(scene: dict) -> None:  # type: ignore[type-arg]
    net, shots, original, exemplars = scene["net"], scene["shots"], scene["original"], scene["exemplars"]
    ref = reframed(warm_highlights(original))
    guessed = match_grade(net, exemplars, shots, [ref])
    assert guessed.method == "exemplar"  # the look through the project's take carries the two takes' difference:
    assert min(delta_e76(guessed.lut.apply(s), warm_highlights(s)) for s in shots) > 3.0  # measured 3.48-3.49
    known = match_grade(net, exemplars, shots, [ref], originals=[original])
    assert known.method == "original" and known.inliers > 0.95 and known.ncc > 0.9
    for s in shots:
        out, truth = known.lut.apply(s), warm_highlights(s)
        assert delta_e76(out, truth) <= 1.5  # measured 0.70
        assert colour_edge(out) <= 1.15 * colour_edge(truth)
    assert known.warning is None and known.short_warning is None and known.note is None
    assert guessed.note is not None and "--reference-original" in guessed.note  # the user is told what would help


def test_the_look_from_the_original_does_not_need_the_references_set_up_in_the_project(scene: dict) -> None:  # type: ignore[type-arg]
    # A reference whose set-up the project never shot: without its original the model's prediction alone stands
    # (11-12 dE76 on the benchmark, warned); with it the look is the same as where the project holds the set-up.
    net, shots, original = scene["net"], scene["shots"], scene["original"]
    ref = warm_highlights(original)
    alone = match_grade(net, Exemplars.build([]), shots, [ref])
    assert alone.method == "model" and alone.warning is not None and "--reference-original" in alone.warning
    unseen = match_grade(net, Exemplars.build([]), shots, [ref], originals=[original])
    seen = match_grade(net, scene["exemplars"], shots, [ref], originals=[original])
    assert unseen.method == seen.method == "original"
    assert np.array_equal(unseen.smooth.theta, seen.smooth.theta)


def test_an_original_that_is_not_the_references_frame_is_refused(scene: dict) -> None:  # type: ignore[type-arg]
    net, shots, original, exemplars = scene["net"], scene["shots"], scene["original"], scene["exemplars"]
    ref = warm_highlights(original)
    with pytest.raises(EditParameterError, match="does not show the reference's frame"):
        match_grade(net, exemplars, shots, [ref], originals=[shots[0]])  # another scene
    w = original.shape[1]
    local = ref.copy()  # a power window: the right half pushed to another colour than the look gives
    local[:, w // 2 :] = original[:, w // 2 :, ::-1]
    with pytest.raises(EditParameterError, match=r"one grade explains only \d+% .* local corrections"):
        match_grade(net, exemplars, shots, [local], originals=[original])
