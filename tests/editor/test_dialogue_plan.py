"""The dialogue blend's colour match and the dub's mouth plan, on synthetic crops (no footage, milliseconds).

Issue 18, GRID: the held-out take's mouth box took in the blue backdrop and the jaw shadow, the bank take's did
not; the colour match's contrast gain, measured on that ring, made the placed lips darker, redder and sharper than
the face (mouth PSNR 24.6–24.9 dB against 30.1–30.5 for the old 64×40 blend)."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from editor.dialogue.blend import BANK_H, BANK_W, INNER, inner_mask, lab, place_mouth, ring_mask, skin_field, unsharp
from editor.dialogue.plan import mouth_axes, plan_mouths
from editor.dialogue.track import crop

SKIN, LIPS = np.array([200.0, 150.0, 120.0]), np.array([170.0, 95.0, 95.0])
FACE = SKIN + np.array([6.0, 4.0, 2.0])  # the take's skin, a little off the bank's


def _mouth(h: int = BANK_H, w: int = BANK_W, *, skin: np.ndarray = SKIN, open_: float = 0.25, seed: int = 0):
    """A skin crop with a lip ellipse (half the box wide, ``open_`` of it high) and a little noise."""
    rng = np.random.default_rng(seed)
    lips = inner_mask(w, h, 0.3, (0.5, open_))[..., None]
    img = skin * (1 - lips) + LIPS * lips + rng.normal(0, 1.5, (h, w, 1))
    return np.clip(img, 0, 255).astype(np.uint8)


def test_a_backdrop_in_the_takes_mouth_box_does_not_recolour_the_lips() -> None:
    box = np.array([40.0, 50.0, 64.0, 40.0])
    frame = np.full((120, 160, 3), FACE, np.float32)
    frame[:, :47] = (40, 120, 210)  # the backdrop reaches into the box's left side (as on the held-out GRID take)
    frame[86:] = (30, 30, 35)  # and the collar its bottom corners
    frame = np.clip(frame + np.random.default_rng(1).normal(0, 1.5, frame.shape), 0, 255).astype(np.uint8)
    bank = _mouth()
    out, _ = place_mouth(frame, bank, box, seed=1)
    res = crop(out, box, (BANK_W, BANK_H)).astype(float)
    lips = inner_mask(BANK_W, BANK_H, 0.3, (0.5, 0.25)) > 0.99
    face = np.abs(crop(frame, box, (BANK_W, BANK_H)).astype(float) - SKIN).max(-1) < 20
    skin = face & (inner_mask(axes=(0.7, 0.6)) > 0.5) & (inner_mask(BANK_W, BANK_H, 0.3, (0.56, 0.4)) < 0.01)
    assert np.abs(res[skin].mean(0) - FACE).max() < 4  # the skin took the face's colour
    contrast = res[skin].mean(0) - res[lips].mean(0)
    assert np.all(np.abs(contrast - (SKIN - LIPS)) < 0.1 * np.abs(SKIN - LIPS) + 2)  # lips as in the bank


def _lit(img: np.ndarray, step: float) -> np.ndarray:
    """``img`` lit from one side: ``step`` levels added at its left edge, falling linearly to ``-step`` at its
    right."""
    x = (np.arange(img.shape[1]) + 0.5) / img.shape[1]
    return np.clip(img.astype(np.float32) + step * (1 - 2 * x)[None, :, None], 0, 255).astype(np.uint8)


def test_a_bank_lit_from_the_other_side_takes_the_faces_light() -> None:
    # Issue 18, Obama: the bank's takes were lit differently across the face. With the skin's mean moved to the
    # face's, the placed mouth box was 20–28 L lighter than the face on one side and 21–25 L darker on the other.
    box = np.array([40.0, 40.0, 128.0, 80.0])
    face = np.clip(np.full((160, 208, 3), FACE) + np.random.default_rng(2).normal(0, 1.5, (160, 208, 3)), 0, 255)
    face[40:120, 40:168] = _lit(face[40:120, 40:168].astype(np.uint8), -30)  # lit from the right
    frame = face.astype(np.uint8)
    out, _ = place_mouth(frame, _lit(_mouth(), 30), box, seed=1)  # the bank mouth: lit from the left
    res, take = (crop(f, box, (BANK_W, BANK_H)).astype(float) for f in (out, frame))
    lips = inner_mask(BANK_W, BANK_H, 0.3, (0.56, 0.4)) > 0.01
    sides = (inner_mask(axes=(0.8, 0.6)) > 0.5) & ~lips  # the skin beside the lips, inside the placed area
    for half in (slice(0, BANK_W // 2), slice(BANK_W // 2, BANK_W)):
        m = np.zeros_like(sides)
        m[:, half] = sides[:, half]
        assert np.abs(res[m].mean(0) - take[m].mean(0)).max() < 4  # a mean shift: 21–23 levels off on each side


def test_the_skin_field_slopes_only_where_the_skin_lies_on_both_sides() -> None:
    src = lab(_mouth())
    ref = lab(_lit(_mouth(seed=1), -20))
    field = skin_field(src, ref)
    want = lab(_lit(_mouth(seed=1), -20)).astype(float) - lab(_mouth(seed=1)).astype(float)
    ring = ring_mask() > 0
    assert np.abs(field[ring] - want[ring]).mean() < 1.5  # the light's gradient, from the ring
    assert field[:, -1, 0].mean() - field[:, 0, 0].mean() > 15
    cut = int(0.55 * BANK_W)  # the backdrop from just right of the mouth's centre: no skin on that side
    ref[:, cut:] = lab(np.full((BANK_H, BANK_W - cut, 3), (40, 120, 210), np.uint8))
    one_side = skin_field(src, ref)
    assert np.ptp(one_side[..., 0], axis=1).max() < 1e-3  # no slope across: nothing to the right to say it
    left = (ring_mask() > 0) & (np.arange(BANK_W) < cut)[None, :]
    assert abs(one_side[0, 0, 0] - (ref - src)[left][:, 0].mean()) < 3


def test_the_plan_softens_a_bank_crisper_than_the_take_and_nothing_else() -> None:
    bank = np.stack([_mouth(open_=0.2 + 0.02 * (k % 5), seed=k) for k in range(12)])
    soft = np.stack([cv2.GaussianBlur(c, (0, 0), 1.2) for c in bank])
    plan = plan_mouths(soft, [bank], bank)
    assert 0.6 <= plan.soften <= 1.8
    assert plan_mouths(bank, [bank], bank).soften == 0.0
    assert np.abs(plan.lips_offset).max() < 3  # same colours in take and bank


def test_the_plan_sharpens_a_bank_softer_than_the_take_up_to_the_takes_lip_detail() -> None:
    # The bank's takes were recorded softer than this one (another session, another camera): placed as they are,
    # the mouths are a soft patch in a crisp face.
    crisp = np.stack([_mouth(open_=0.2 + 0.02 * (k % 5), seed=k) for k in range(12)])
    soft = np.stack([cv2.GaussianBlur(c, (0, 0), 0.8) for c in crisp])
    plan = plan_mouths(crisp, [soft], soft)
    assert plan.soften == 0.0 and 0.2 <= plan.sharpen <= 1.0
    assert plan_mouths(crisp, [crisp], crisp).sharpen == 0.0  # as crisp: nothing
    assert plan_mouths(soft, [crisp], crisp).sharpen == 0.0  # crisper: softened instead
    lips = inner_mask(BANK_W, BANK_H, 0.08, plan.axes) > 0.5

    def detail(crops: np.ndarray) -> float:
        g = [cv2.cvtColor(c, cv2.COLOR_RGB2GRAY).astype(np.float32) for c in crops]
        return float(np.mean([np.hypot(cv2.Sobel(x, cv2.CV_32F, 1, 0), cv2.Sobel(x, cv2.CV_32F, 0, 1))[lips].mean()
                              for x in g]))  # fmt: skip

    # The bank has 91 % of the take's lip detail; the plan's amount brings it to within 5 %.
    assert detail(soft) < 0.93 * detail(crisp)
    assert abs(detail(np.stack([unsharp(c, plan.sharpen) for c in soft])) / detail(crisp) - 1) < 0.05
    # Placing a mouth applies it: the placed lips are crisper than without.
    box = np.array([60.0, 60.0, BANK_W, BANK_H])  # the take's mouth box at the bank's size: no resampling
    frame = np.full((200, 260, 3), SKIN, np.uint8)
    frame[60 : 60 + BANK_H, 60 : 60 + BANK_W] = crisp[3]
    flat = place_mouth(frame, soft[3], box, seed=1, plan=replace(plan, sharpen=0.0))[0]
    sharp = place_mouth(frame, soft[3], box, seed=1, plan=plan)[0]
    placed = [crop(x, box, (BANK_W, BANK_H)) for x in (flat, sharp)]
    assert detail(placed[1][None]) > 1.05 * detail(placed[0][None])


def test_the_mouth_area_is_where_the_mouth_moves() -> None:
    talking = np.stack([_mouth(open_=0.12 + 0.05 * (k % 6), seed=k) for k in range(24)])
    w, h = mouth_axes(talking, [talking])
    assert 0.4 <= w <= 0.65 and 0.15 <= h <= 0.5  # the lips (half the box wide, opening to 0.37 of it)
    still = np.stack([_mouth(seed=k) for k in range(24)])  # nothing moves: noise only → the largest area
    assert mouth_axes(still, [still]) == INNER
    assert mouth_axes(talking[:3], []) == INNER  # too few frames to say


def test_ring_mask_leaves_the_mouth_out() -> None:
    assert not ((ring_mask() > 0) & (inner_mask() > 0.5)).any()
