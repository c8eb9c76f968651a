"""Moving the iris: the eyeline edit's warp, from the stated eye model and the performer's learnt eye geometry.

Why (issue 18, stop 47): the edit warped each eye with a network trained on pairs of frames from the takes,
conditioned on their gaze difference. For a 4° request (1.00 patch px) it moved the iris −0.05 px on GRID, 0.02 on
CREMA-D and 0.27 on Obama (``bench/eyeline.py``, ``net_v1``): on 17–40 px eyes the iris estimates that label the
pairs are noisier than the looks the takes show, so the network learnt to brighten and soften the eye, not to move
it. The edit exited 0 with the gaze where it was.

The warp, per eye patch (``_eyes.PATCH_W × PATCH_H`` at the learnt geometry, in image orientation):

1. **Where the iris is and where it goes**: its centre ``c`` (``iris_centre``) and the requested rotation turned
   into patch pixels ``d`` by the stated eye model (``degrees_to_px``: eyeball radius 12 mm against a 28 mm
   corner-to-corner fissure), the same model that reads the gaze back (``gaze_of``).
2. **The flow**: the output at ``p`` is the source at ``p − d·w(p)``. ``w`` is 1 within the iris's radius
   (``LIMBUS`` of the patch width) of the moved centre ``c + d`` and falls smoothly (a raised cosine) to 0 at
   ``FALLOFF`` radii: the iris moves whole, the white of the eye beside it is squeezed on one side and stretched
   on the other, the lids and skin beyond stay. ``w`` is also brought to 0 before the eye's corners
   (``CORNER_SPREAD``), which never move. On a vertical look the vertical flow takes the larger of ``w`` and the
   lids' follow (``editor.eyeline.lids``, stop 52): the upper lid moves with the iris, the lower lid part of the
   way, the corners stay.
   ``LIMBUS`` is the iris's own radius in the stated eye model: 11.7 mm across (adults' mean horizontal visible
   iris diameter, white to white; Rüfer et al. 2005) against the 28 mm fissure. Stop 47 moved whole only the
   disc the iris is found with (``IRIS_RADIUS``, 0.11 of the patch; the darkest disc, narrower than the iris):
   its rim sat in the falloff, and the edit read back 0.73–0.90 of a 4° request on the three performers'
   held-out takes, against 0.82–1.04 now (``bench/eyeline.py --readback``, stop 48).
3. **No light change**: the iris is resampled, not relit.

The shift range a model accepts (``EyelineModel.shift_range``) is how far the performer's eyes were seen to move
in the dailies; beyond it the moved iris would show more of the eye than the takes ever did.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from editor.eyeline._eyes import CORNER_SPREAD, F32, IRIS_MM, LIMBUS, degrees_to_px, iris_centre
from editor.eyeline.lids import lid_weight

# the read-back's starting disc and the catchlights' search radius, fraction of the patch width (``readback``,
# ``catchlight``; until stop 53 ``iris_centre``'s disc too, which is now the iris's radius, ``LIMBUS``)
IRIS_RADIUS = 0.11
FALLOFF = 2.0  # the warp reaches 0 this many iris radii from the moved centre
CORNER_BAND = 0.08  # the warp falls to 0 over this fraction of the patch width inside each corner


@cache
def _grid(h: int, w: int) -> tuple[F32, F32]:
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    xs.flags.writeable = ys.flags.writeable = False
    return xs, ys


@cache
def _corners(h: int, w: int) -> F32:
    """1 between the eye's corners, falling to 0 at them (step 2)."""
    xs, _ = _grid(h, w)
    half = CORNER_SPREAD * w / 2
    taper = (half - np.abs(xs - (w - 1) / 2)) / (CORNER_BAND * w)
    return np.clip(taper, 0.0, 1.0).astype(np.float32)


def iris_weight(h: int, w: int, centre: tuple[float, float]) -> F32:
    """Step 2's ``w``: 1 within the iris's radius (``LIMBUS``) of ``centre``, a raised cosine to 0 at ``FALLOFF``
    radii, times the corners' taper."""
    xs, ys = _grid(h, w)
    r = LIMBUS * w
    dist = np.hypot(xs - centre[0], ys - centre[1])
    t = np.clip((dist - r) / ((FALLOFF - 1.0) * r), 0.0, 1.0)
    return (0.5 * (1.0 + np.cos(np.pi * t)) * _corners(h, w)).astype(np.float32)


def iris_field(
    patch: F32,
    shift_deg: tuple[float, float],
    centre: tuple[float, float] | None = None,
    lids_at: float | None = None,
) -> F32:
    """The flow ``(H, W, 2)`` (fx, fy) that moves ``patch``'s iris by ``shift_deg`` (yaw, pitch in degrees;
    + = image right, down): output ``p`` samples the patch at ``p + (fx, fy)``. ``centre``: the iris's centre when
    already found (``iris_centre``). ``lids_at``: the row the lids' follow is anchored on (``lids.lid_weight``: the
    shot's iris row; default the iris's centre found here)."""
    return iris_flow(patch.shape[:2], shift_deg, iris_centre(patch) if centre is None else centre, lids_at)


def iris_flow(
    shape: tuple[int, ...], shift_deg: tuple[float, float], centre: tuple[float, float], lids_at: float | None = None
) -> F32:
    """``iris_field`` on a canvas of ``shape`` (h, w: the eye patch's width, and rows above and below it where a
    vertical look's warp may reach) for an iris centred at ``centre`` there."""
    h, w = shape[0], shape[1]
    dx, dy = (degrees_to_px(s, w) for s in shift_deg)
    cx, cy = centre
    weight = iris_weight(h, w, (cx + dx, cy + dy))
    vertical = weight
    if dy != 0.0:  # step 2: the lids follow a vertical look (``editor.eyeline.lids``)
        anchor = cy if lids_at is None else lids_at
        vertical = np.maximum(weight, lid_weight(h, w, anchor + dy, LIMBUS * w))
    return np.stack([-dx * weight, -dy * vertical], axis=-1).astype(np.float32)


__all__ = ["FALLOFF", "IRIS_MM", "IRIS_RADIUS", "LIMBUS", "iris_field", "iris_flow", "iris_weight"]
