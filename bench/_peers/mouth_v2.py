"""The dub's mouth placement as of main 9ed9571, kept as bench/dialogue.py's ``main`` peer: the lips' Lab offset
measured over the whole mouth ellipse (shape mixed into colour: a more open bank mouth has a darker mean, so the
offset lifted its lips and teeth) and applied over it with a wide feather. Everything else is the product's own
code, unchanged since (alignment, skin-only mean shift, detail, grain, two-band blend, mouth area, softening).
Selection as of then: audio distance only (``select_units`` without ``openness``)."""

from __future__ import annotations

import cv2
import numpy as np

from editor.dialogue.blend import BANK_H, BANK_W, MouthPlan, align, inner_mask, lab, match_grain, skin_mask
from editor.dialogue.plan import detail_sigma, mouth_axes
from editor.dialogue.track import box_transform, crop


def lips_offset(take: np.ndarray, chosen: np.ndarray, axes: tuple[float, float]) -> tuple[float, float, float]:
    mouth = inner_mask(take.shape[2], take.shape[1], 0.08, axes) > 0.5
    diffs = []
    for t, p in zip(take, chosen, strict=True):
        lt, lp = lab(t), lab(p)
        skin = skin_mask(lt, lp)
        diffs.append((lt[mouth].mean(0) - lp[mouth].mean(0)) - (lt[skin].mean(0) - lp[skin].mean(0)))
    a, b, c = (round(float(v), 2) for v in np.median(diffs, axis=0))
    return a, b, c


def plan_mouths(take: np.ndarray, bank: list[np.ndarray], chosen: np.ndarray) -> MouthPlan:
    axes = mouth_axes(take, bank)
    return MouthPlan(axes, detail_sigma(take, chosen, axes), lips_offset(take, chosen, axes))


def colour_match(src: np.ndarray, ref: np.ndarray, plan: MouthPlan) -> np.ndarray:
    s, r = lab(src), lab(ref)
    m = skin_mask(s, r)
    out = s + (r[m].mean(0) - s[m].mean(0))
    if any(plan.lips_offset):
        wide = inner_mask(src.shape[1], src.shape[0], 0.45, plan.axes)
        out += wide[..., None] * np.asarray(plan.lips_offset, np.float32)
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def place_mouth(frame: np.ndarray, mouth: np.ndarray, box: np.ndarray, *, seed: int, plan: MouthPlan) -> np.ndarray:
    h, w = frame.shape[:2]
    target = crop(frame, box, (BANK_W, BANK_H))
    matched = colour_match(align(mouth, target), target, plan)
    if plan.soften > 0:
        matched = cv2.GaussianBlur(matched, (0, 0), plan.soften)
    patch = match_grain(matched, target, seed)
    inv = cv2.invertAffineTransform(box_transform(box, (BANK_W, BANK_H)))
    x, y, bw, bh = box
    x0, y0 = max(0, int(np.floor(x)) - 1), max(0, int(np.floor(y)) - 1)
    x1, y1 = min(w, int(np.ceil(x + bw)) + 2), min(h, int(np.ceil(y + bh)) + 2)
    m = inv + np.array([[0, 0, -x0], [0, 0, -y0]], np.float64)
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpAffine(patch, m, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    narrow = cv2.warpAffine(inner_mask(axes=plan.axes), m, size, flags=cv2.INTER_LINEAR, borderValue=0)
    wide = cv2.warpAffine(inner_mask(feather=0.45, axes=plan.axes), m, size, flags=cv2.INTER_LINEAR, borderValue=0)
    base = frame[y0:y1, x0:x1].astype(np.float32)
    sigma = max(1.0, 0.04 * bw)
    lo_p, lo_f = cv2.GaussianBlur(warped, (0, 0), sigma), cv2.GaussianBlur(base, (0, 0), sigma)
    out_patch = (
        lo_f + wide[..., None] * (lo_p - lo_f) + (base - lo_f) + narrow[..., None] * ((warped - lo_p) - (base - lo_f))
    )
    inside = np.maximum(narrow, wide) > 0
    out = frame.copy()
    out[y0:y1, x0:x1] = np.clip(np.rint(np.where(inside[..., None], out_patch, base)), 0, 255).astype(np.uint8)
    return out
