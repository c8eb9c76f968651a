"""Warping both of a performer's eyes frame by frame: the eyeline edit's per-frame work (``editor.eyeline.edit``).

Per frame: both eye patches are cut at the performer's learnt geometry on the smoothed face box. Per eye, the
iris's flow for the eased shift (``timing``, ``iris.iris_field``; on a vertical look the lids follow, anchored on
the shot's iris row, ``lids``) is smoothed with the previous frame's (exponentially, ``alpha`` kept) and kept on a
grid of ``1/FIELD_GRID`` px; then multiplied by what a blink leaves of it (``blink.hold``, the same for both eyes);
resampled to the frame's pixels and applied there, the catchlight moving its own share (``catchlight.move_eye``),
blended in with a feathered ellipse inside the eye's patch (on a vertical look, a rounded rectangle ``ROOM`` patch px
taller above and below: the lids' follow reaches there).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from editor.eyeline._eyes import PATCH_H, PATCH_W, Box, cut_patch, iris_centre
from editor.eyeline.blink import hold, sclera_contrast
from editor.eyeline.catchlight import move_eye
from editor.eyeline.iris import IRIS_RADIUS, iris_flow
from editor.eyeline.model import EyelineModel

FIELD_GRID = 4096  # the smoothed flow's resolution, steps per patch pixel
ROOM = PATCH_H // 2  # patch px above and below the eye patch that a vertical look's warp reaches (the lids, ``lids``)


class EyeWarper:
    """Both eyes of one performer warped frame by frame, the flow smoothed over time (its state carried from frame
    to frame), the shift held back while the eyes close (``blink``)."""

    def __init__(
        self,
        model: EyelineModel,
        shift: tuple[float, float],
        alpha: float,
        blinks: tuple[float, float] | None,
        lids_at: tuple[float, float] | None = None,
    ) -> None:
        self.model = model
        self.shift = shift
        self.alpha = alpha  # share of the previous frame's field kept
        self.blinks = blinks  # the shot's open-eye contrasts (``blink.reference``); None: blinks not told
        self.lids_at = lids_at  # each eye's iris row over the shot (patch px), the lids' anchor; None: each frame's
        self.room = ROOM if shift[1] != 0 else 0  # a look aside is warped inside the eye patch, as before stop 52
        self.state: list[np.ndarray | None] = [None, None]

    def _patches(
        self, rgb: np.ndarray, face: Box
    ) -> tuple[list[Box], list[np.ndarray], list[tuple[float, float]], float]:
        """Both eyes' boxes, patches and iris centres (patch px, found once), and the share of the shift the frame
        gets (``blink.hold``)."""
        boxes = self.model.geometry.patch_boxes(face)
        patches = [cut_patch(rgb, box) for box in boxes]
        centres = [iris_centre(p) for p in patches]
        held = hold((sclera_contrast(patches[0]), sclera_contrast(patches[1])), self.blinks)  # its own disc
        return boxes, patches, centres, held

    def _field(self, centre: tuple[float, float], k: int, ramp: float, held: float) -> np.ndarray:
        """Eye ``k``'s flow field (patch scale, ``editor.eyeline.iris``; ``room`` rows more above and below) for
        ``ramp`` of the shift, smoothed with the previous frame's (updates the state), times ``held`` (after the
        smoothing, so that a blink holds the look back on the frame it starts, not a half-life later)."""
        lids_at = None if self.lids_at is None else self.lids_at[k] + self.room
        shape = (PATCH_H + 2 * self.room, PATCH_W)
        shift = (self.shift[0] * ramp, self.shift[1] * ramp)
        field = iris_flow(shape, shift, (centre[0], centre[1] + self.room), lids_at)
        prev = self.state[k]
        field = field if prev is None else self.alpha * prev + (1 - self.alpha) * field
        # on a grid of 1/4096 patch px: a flow that fades to nothing reaches 0, so a segment warmed up from another
        # frame meets the same state (``editor.segmented``), where float32 would keep the start's 1e-15 in it
        field = np.round(field * FIELD_GRID) / FIELD_GRID
        self.state[k] = field
        return field * np.float32(held)

    def advance(self, rgb: np.ndarray, face: Box, ramp: float) -> None:
        """Update the smoothed fields over a frame without warping it (a segment's warm-up)."""
        _, _, centres, held = self._patches(rgb, face)
        for k, centre in enumerate(centres):
            self._field(centre, k, ramp, held)

    def __call__(self, rgb: np.ndarray, face: Box, ramp: float) -> tuple[np.ndarray, np.ndarray, float]:
        """The frame with both eyes moved by ``ramp`` (the ease) of the shift, less what a blink holds back; the
        pixels the warp may have changed; and the share the blink left (1 with the eyes open)."""
        out = rgb.copy()
        support = np.zeros(rgb.shape[:2], bool)
        h_img, w_img = rgb.shape[:2]
        boxes, _, centres, held = self._patches(rgb, face)
        for k, ((x, y, w, h), centre) in enumerate(zip(boxes, centres, strict=True)):
            field = self._field(centre, k, ramp, held)
            sxp, syp = w / PATCH_W, h / PATCH_H
            top, tall = y - self.room * syp, h + 2 * self.room * syp  # the rows the warp may reach
            x0, y0 = max(0, math.floor(x)), max(0, math.floor(top))
            x1, y1 = min(w_img, math.ceil(x + w)), min(h_img, math.ceil(top + tall))
            if x1 - x0 < 4 or y1 - y0 < 4:
                continue
            ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
            pu, pv = (xs + 0.5 - x) / sxp - 0.5, (ys + 0.5 - top) / syp - 0.5
            f = cv2.remap(field, pu, pv, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            warped = move_eye(rgb, (xs, ys), f * np.float32((sxp, syp)), (x + (centre[0] + 0.5) * sxp - 0.5,
                            y + (centre[1] + 0.5) * syp - 0.5, IRIS_RADIUS * w))  # fmt: skip
            m = _feather(pu, pv, PATCH_H + 2 * self.room, square=self.room > 0)[..., None]
            region = out[y0:y1, x0:x1]
            out[y0:y1, x0:x1] = m * warped + (1 - m) * region
            support[y0:y1, x0:x1] |= m[..., 0] > 0
        return out, support, held


def _feather(pu: np.ndarray, pv: np.ndarray, rows: int, square: bool) -> np.ndarray:
    """The blend of the warped eye into the frame, at patch coordinates ``(pu, pv)`` of a canvas ``rows`` high: 1
    within 0.7 of the half-width and half-height from the centre, falling to 0 at the canvas's edge; an ellipse
    around the eye patch (a look aside), or the canvas's rounded rectangle where the lids' follow reaches above and
    below the patch (``square``). Where the flow is 0 the warped eye is the frame itself, so only the flow's reach
    matters."""
    ex, ey = (pu - (PATCH_W - 1) / 2) / (PATCH_W / 2), (pv - (rows - 1) / 2) / (rows / 2)
    if square:
        return (np.clip((1.0 - np.abs(ex)) / 0.3, 0, 1) * np.clip((1.0 - np.abs(ey)) / 0.3, 0, 1)) ** 2
    return np.clip((1.0 - np.sqrt(ex**2 + ey**2)) / 0.3, 0, 1) ** 2


__all__ = ["FIELD_GRID", "ROOM", "EyeWarper"]
