"""Teeth, lips and mouth shape in a dub, on synthetic crops (no footage, milliseconds).

Issue 18, CREMA-D: the rebuilt neutral line's mouths were more open than the take's (the bank is angry and sad
deliveries) and the teeth a grey band. The teeth's brightness is kept by every stage of the placement (the grey
band was a bank mouth of another shape); the selection's openness cost (``editor.dialogue.shape``) picks mouths as
open as the line's sound says."""

from __future__ import annotations

import cv2
import numpy as np

from editor.dialogue.blend import BANK_H, BANK_W, inner_mask, place_mouth
from editor.dialogue.plan import plan_mouths
from editor.dialogue.select import select_units
from editor.dialogue.shape import MIN_LOTO_R, ShapeModel, mouth_shape, shape_cost
from editor.dialogue.track import crop

SKIN, LIPS = np.array([200.0, 150.0, 120.0]), np.array([175.0, 100.0, 100.0])
DARK, TEETH = np.array([45.0, 25.0, 25.0]), np.array([240.0, 236.0, 226.0])


def _mouth(open_: float, *, teeth: bool = True, seed: int = 0) -> np.ndarray:
    """Skin, a lip ellipse, a dark opening ``open_`` of the box high and (optionally) a row of upper teeth in it."""
    rng = np.random.default_rng(seed)
    lips = inner_mask(BANK_W, BANK_H, 0.3, (0.5, 0.2 + open_))[..., None]
    img = SKIN * (1 - lips) + LIPS * lips
    if open_ > 0:
        hole = inner_mask(BANK_W, BANK_H, 0.2, (0.4, open_))[..., None]
        img = img * (1 - hole) + DARK * hole
        if teeth:
            top = int(BANK_H / 2 - open_ * BANK_H / 2)
            img[top + 1 : top + 5, 44:84] = TEETH
    img = img + rng.normal(0, 1.5, (BANK_H, BANK_W, 1))
    return np.clip(img, 0, 255).astype(np.uint8)


def test_a_bright_tooth_row_survives_the_plan_and_the_blend() -> None:
    # A bank crisper than the take (the plan softens it) with a 4 px row of white teeth: every stage (alignment,
    # colour, softening, grain, two-band blend) must keep the row white, not average it into a grey band.
    take = np.stack([cv2.GaussianBlur(_mouth(0.2, seed=s), (0, 0), 0.8) for s in range(12)])
    bank = np.stack([_mouth(0.2, seed=20 + s) for s in range(12)])
    plan = plan_mouths(take, [bank], bank)
    assert plan.soften > 0  # the test exercises the softening
    box = np.array([40.0, 50.0, 128.0, 80.0])  # the crop at 1:1, so the tooth row keeps its 4 px
    frame = np.full((200, 220, 3), SKIN, np.uint8)
    frame[50:130, 40:168] = take[0]
    out, _ = place_mouth(frame, bank[0], box, seed=0, plan=plan)
    placed = crop(out, box, (BANK_W, BANK_H)).astype(float)
    top = int(BANK_H / 2 - 0.2 * BANK_H / 2)
    row = placed[top + 2 : top + 4, 50:78].mean((0, 1))
    assert np.abs(row - TEETH).max() < 12  # white, not a grey band
    lip = placed[BANK_H // 2 - 14 : BANK_H // 2 - 11, 60:68].mean((0, 1))  # the upper lip, above the opening
    assert np.abs(lip - LIPS).max() < 8


def test_mouth_shape_measures_the_opening_and_the_teeth() -> None:
    shapes = mouth_shape(np.stack([_mouth(0.0), _mouth(0.15, teeth=False), _mouth(0.3)]))
    assert shapes[0, 0] < 0.01 and shapes[1, 0] > 0.05 and shapes[2, 0] > shapes[1, 0] + 0.1
    assert shapes[0, 1] == 0 and shapes[1, 1] == 0 and shapes[2, 1] > 0.02


def test_the_openness_cost_picks_mouths_as_open_as_the_sound_says() -> None:
    # Two bank takes whose descriptors carry the openness in one dimension among many louder, unrelated ones:
    # by audio distance alone the choice is nearly random in openness; the per-project model finds the dimension.
    rng = np.random.default_rng(4)
    n, dim = 50, 24
    opens = rng.uniform(0.0, 0.3, 2 * n)
    crops = np.stack([_mouth(float(o), seed=i) for i, o in enumerate(opens)])
    openness = mouth_shape(crops)[:, 0]
    desc = rng.normal(0, 1.0, (2 * n, dim)).astype(np.float32)
    desc[:, 0] = 4 * (openness - openness.mean()) / openness.std()
    take_ids, frame_ids = np.repeat([0, 1], n), np.tile(np.arange(n), 2)
    model = ShapeModel.fit(desc, openness[:, None], take_ids)
    assert np.corrcoef(model.predict(desc)[:, 0], openness)[0, 1] > 0.9
    want = rng.uniform(0.0, 0.3, 30)
    truth = mouth_shape(np.stack([_mouth(float(o), seed=99) for o in want]))[:, 0]
    query = rng.normal(0, 1.0, (30, dim)).astype(np.float32)
    query[:, 0] = 4 * (truth - openness.mean()) / openness.std()
    thumbs = np.zeros((2 * n, 4, 4), np.float32)

    def error(**kw: object) -> float:
        chosen = select_units(query, desc, take_ids, frame_ids, thumbs, beam=1, **kw).indices  # type: ignore[arg-type]
        return float(np.abs(openness[chosen] - truth).mean())

    assert error(openness=openness) < 0.6 * error()
    used = select_units(query, desc, take_ids, frame_ids, thumbs, beam=1, openness=openness).as_metrics()
    assert used["selection_shape_cost_used"] == 1.0 and used["selection_shape_loto_r"] >= MIN_LOTO_R


def test_no_openness_cost_when_the_takes_do_not_predict_each_other() -> None:
    # Issue 18, Obama: where the openness measured on the bank is not predictable from the sound (head motion and
    # shading), the shape model's held-out correlation is low and the selection must fall back to audio distance
    # alone — and say so. A single take cannot be cross-validated: no evidence, no cost.
    rng = np.random.default_rng(7)
    n, dim = 50, 24
    opens = rng.uniform(0.0, 0.3, 2 * n)
    openness = mouth_shape(np.stack([_mouth(float(o), seed=i) for i, o in enumerate(opens)]))[:, 0]
    desc = rng.normal(0, 1.0, (2 * n, dim)).astype(np.float32)  # unrelated to the openness
    take_ids, frame_ids = np.repeat([0, 1], n), np.tile(np.arange(n), 2)
    query = rng.normal(0, 1.0, (30, dim)).astype(np.float32)
    thumbs = np.zeros((2 * n, 4, 4), np.float32)
    audio_only = select_units(query, desc, take_ids, frame_ids, thumbs, beam=1)
    assert "selection_shape_cost_used" not in audio_only.as_metrics()  # no openness given: nothing to report
    gated = select_units(query, desc, take_ids, frame_ids, thumbs, beam=1, openness=openness)
    np.testing.assert_array_equal(gated.indices, audio_only.indices)
    m = gated.as_metrics()
    assert m["selection_shape_cost_used"] == 0.0 and m["selection_shape_takes"] == 2.0
    assert m["selection_shape_loto_r"] < MIN_LOTO_R
    one = select_units(query, desc[:n], take_ids[:n], frame_ids[:n], thumbs[:n], beam=1, openness=openness[:n])
    assert one.as_metrics()["selection_shape_cost_used"] == 0.0 and "selection_shape_loto_r" not in one.as_metrics()
    np.testing.assert_array_equal(
        one.indices, select_units(query, desc[:n], take_ids[:n], frame_ids[:n], thumbs[:n], beam=1).indices
    )
    # the gate is what kept the cost out: forced open, the same unpredictable model changes the choice
    forced = shape_cost(query, desc, take_ids, openness, min_r=-1.0)
    assert forced.cost is not None and forced.as_metrics()["selection_shape_cost_used"] == 1.0
