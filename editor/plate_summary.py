"""The clean plate a background edit used, in one line, from what its result records (``parameters.clean_plate``,
``editor.background.CleanPlate.describe``): one wording for the CLI's "clean plate" row and the console's edit page.
Plain Python: the console imports it without loading the engine (NumPy, OpenCV).

- ``supplied_plate_summary``: how a supplied plate was brought to its take (framing, exposure, light, clipping).
- ``estimated_plate_summary``: what an estimate from the take found (the set recovered, the camera's stillness,
  what was added to or taken from the people's static silhouette, GrabCut asked again).
- ``plate_summary``: whichever applies.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


def turn_and_scale(affine: Sequence[Sequence[float]]) -> tuple[float, float]:
    """The turn (degrees, counter-clockwise as shown) and the scale of a registration map
    (``CleanPlate.warp``, recorded as ``registration_affine``), whose linear part is a turn and one scale."""
    (a, b, _), (c, d, _) = affine
    return math.degrees(math.atan2(b - c, a + d)), math.sqrt(abs(a * d - b * c))


def _gains(values: list[float]) -> str:
    """``×1.087`` for one gain on every channel, ``×1.040/1.000/0.950 (R/G/B)`` otherwise."""
    if len(set(values)) == 1:
        return f"×{values[0]:.3f}"
    return "×" + "/".join(f"{v:.3f}" for v in values) + " (R/G/B)"


_CLIPPED = (  # what the edit did where a supplied plate is clipped and the take never showed the set
    ("clipped_unseen_share", "the take's own estimate of the set was used"),
    (
        "clipped_left_share",
        "it was kept as shot, nothing better being known (a halo may show there: shoot the clean plate at the take's "
        "exposure)",
    ),
)


def supplied_plate_summary(plate: Mapping[str, Any]) -> str | None:
    """How the edit brought a supplied clean plate to its take, in one line (None for an estimated plate): what the
    result records under ``parameters.clean_plate``."""
    if plate.get("source") != "supplied":
        return None
    parts = []
    if "registration_affine" in plate:
        dx, dy = plate["registration_shift_px"]
        turn, scale = turn_and_scale(plate["registration_affine"])
        parts.append(
            f"off the take's framing by {dx:+.2f}, {dy:+.2f} px at the centre, turned {turn:+.2f}° and scaled "
            f"×{scale:.4f}, and brought back"
        )
    elif "registration_shift_px" in plate:
        dx, dy = plate["registration_shift_px"]
        parts.append(f"off the take's framing by {dx:+.2f}, {dy:+.2f} px, and moved back" if dx or dy else
                     "framed as the take")  # fmt: skip
    if "exposure_gain" in plate:
        parts.append(f"exposure {_gains(plate['exposure_gain'])}")
    if "exposure_gradient" in plate:
        grad = plate["exposure_gradient"]
        across, down = _gains(grad["across"]), _gains(grad["down"])
        parts.append(f"light changed across the set: {across} left→right, {down} top→bottom")
    if "exposure_pools" in plate:
        pools = plate["exposure_pools"]
        low, high = min(pools["lowest_gain"]), max(pools["highest_gain"])
        unseen = pools["unseen_share"]
        carried = f"; {unseen:.0%} of the frame where the take never showed the set" if unseen >= 0.005 else ""
        parts.append(f"pools of light over {pools['share']:.0%} of the frame (gains {low:.2f}–{high:.2f}{carried})")
    for key, what in _CLIPPED:
        if key in plate:
            parts.append(f"clipped white over {_share(plate[key])} of the frame behind the people, where {what}")
    if "set_difference" in plate:
        parts.append(f"differs from the take's set by {plate['set_difference']:.1%} of full scale")
    return "supplied; " + "; ".join(parts) if parts else "supplied, used as shot"


def _share(value: float) -> str:
    return f"{value:.1%}" if value >= 0.001 else "less than 0.1%"


def estimated_plate_summary(plate: Mapping[str, Any]) -> str | None:
    """What the estimate of a clean plate from the take found, in one line (None for a supplied plate): how much of
    the set it recovered, whether the camera held still, and what it changed in the people's static silhouette
    (``editor.background.plate``)."""
    if plate.get("source") != "estimated":
        return None
    parts = [f"{plate['set_recovered']:.1%} of the set recovered (seen, or told from the people by colour)"]
    if "camera_shift_px" in plate:
        parts.append(
            f"the set moved {plate['camera_shift_px']:.2f} px, where {plate['camera_tolerance_px']:.2f} px would read "
            "as people"
        )
    else:
        parts.append("the camera's stillness not measured (too little texture on the set)")
    if plate.get("segmentation_reasked"):
        n = plate["segmentation_reasked"]
        again = f"the people's outline found again {'once' if n == 1 else f'{n} times'} without what the first held in "
        released = plate.get("set_coloured_released_fraction", 0.0)
        parts.append(
            again + f"the set's colours: {_share(released)} of the frame given to the set"
            if released
            else again + "the set's colours, none clear of them: the first outline stands"
        )
    if plate.get("samples_followed_off_their_place"):
        n = plate["samples_followed_off_their_place"]
        parts.append(f"somebody followed off their place in {'one' if n == 1 else n} of the sampled frames (the set "
                     "they left seen there)")  # fmt: skip
    for key, what in (
        ("set_coloured_silhouette_fraction", "taken for the people in the set's colours (counted as guessed)"),
        ("set_coloured_given_back_fraction", "taken for the people in a plain set's colours given back to it"),
        ("moved_inside_fraction", "added to the people inside where they moved"),
        ("faint_outline_fraction", "added to the people along an edge that moved only faintly"),
        ("stray_pieces_fraction", "of pieces with no person in them given back to the set"),
        ("set_in_shade_fraction", "of the set in shade given back"),
        ("uncoverable_fraction", "never seen beside a plain set, keyed as set where a frame shows it uncovered"),
    ):
        if plate.get(key):
            parts.append(f"{_share(plate[key])} of the frame {what}")
    return "estimated from the take; " + "; ".join(parts)


def plate_summary(plate: Mapping[str, Any]) -> str | None:
    """The one line for a recorded clean plate, supplied or estimated; None where none is recorded."""
    return supplied_plate_summary(plate) or estimated_plate_summary(plate)
