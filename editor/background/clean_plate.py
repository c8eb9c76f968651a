"""The clean plate of one shot, as the matte and the edit's account use it: the image, where the set was seen or
extended, the people's silhouettes, and what was done to a supplied plate to fit its take.

Built by :mod:`editor.background.plate` (``plate_from_shot`` for a supplied plate, ``estimate_plate`` from the take
itself), fitted to its take by :mod:`editor.background._exposure` and :mod:`editor.background._register`; what the
edit result records of it is ``CleanPlate.describe``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from editor.background._people import F32, Bool
from editor.background._still import SetMotion
from editor.background.errors import PlateError


@dataclass(frozen=True)
class CleanPlate:
    """A clean plate for one shot.

    Attributes:
        image: ``H×W×3`` RGB float32 in [0, 1].
        known: Where the background was actually observed (``True``) rather than inpainted.
        performer: The performers' static silhouette where the plate is unknown (decides the matte there); empty
            for a supplied plate.
        noise: Estimated per-pixel temporal noise (RGB distance) of the background, in [0, 1] units.
        source: ``"supplied"`` or ``"estimated"``.
        set_recovered: Share of the set (frame minus static silhouettes) whose background was observed.
        faces: Faces the estimate found on the frames it searched (0 for a supplied plate).
        presences: Moving regions no face explained, treated as people.
        interior: The people's static silhouettes pulled in by a margin — certainly a person, whatever the key
            says there (a shirt the colour of the set behind it, a dark sleeve that looks like a shadow); None when
            no people were analysed.
        extended: Unknown pixels where the inpainted set was shown to extrapolate the seen set well
            (:mod:`editor.background._extend`): the matte keys against the plate there as where it was seen; None
            when nothing was extended.
        uncoverable: Unknown pixels, beyond ``extended``, next to a plain stretch of the seen set, where each frame
            keys the set it uncovers (:mod:`editor.background._uncovered`); None when there are none.
        in_shade: Share of the frame that GrabCut gave to the people and that was given back to the set as the set
            in shade (:mod:`editor.background._shade`); 0 for a supplied plate.
        strays: Share of the frame in pieces of the silhouette with no person in them, given back to the set
            (:func:`editor.background._people.stray_pieces`); 0 for a supplied plate.
        moved_inside: Share of the frame that GrabCut gave to the set and that was inside a person's moving blobs in
            more than half the samples, added to the silhouette (:func:`editor.background._people.moved_inside`); 0
            for a supplied plate.
        faint_outline: Share of the frame added to the silhouette along a person's edge where it moved only faintly,
            on a textured set (:mod:`editor.background._faint`: an ear or the hair's edge GrabCut gave to the set;
            not where it is a plain stretch of the set continued); 0 for a supplied plate or a plain set.
        set_coloured: Share of the frame in the static silhouettes where the set was never seen and whose colour a
            model of the set explains far better than one of the people (:mod:`editor.background._set_colour`):
            kept as a person by the zones' shape alone, counted as guessed in ``set_recovered``; 0 for a supplied
            plate.
        set_coloured_returned: The same pixels where the set is plain (``_set_colour.PLAIN_SET``) and the rest of
            the silhouette does not enclose them: there a colour the set's model explains is the set's own, and they
            were given back to the set instead.
        plain_set: Whether at least ``_set_colour.PLAIN_SET`` of the set seen beyond the people is plain (a booth, a
            green screen, a painted wall; :func:`editor.background._set_colour.plain_share`); None for a supplied
            plate. On a textured set the matte's guided filter takes a narrower window where the set was never seen
            (``MatteParams.unseen_radius``).
        reasked: How many times GrabCut was asked again, with what the judge held in the set's colours no longer
            taken as probably a person, because those doubts alone would have refused the estimate
            (:mod:`editor.background.plate`, step 7); 0 for a supplied plate or where it was not needed.
        released: Share of the frame the judge held in the set's colours and the answer that stands gave to the
            set; 0 where GrabCut was not asked again or its first answer stands.
        leaned: In how many of the sampled frames somebody was followed off their place and the set they left
            counted as seen (:mod:`editor.background._lean`); 0 for a supplied plate.
        camera: How far the set moved over the take against its median, and how far it may before its own edges
            read as people (full-frame pixels; :mod:`editor.background._still`); None for a supplied plate, or where
            the set has too little texture to measure it on.
        exposure_gain: The RGB gains a supplied plate was scaled by to its take's exposure and white balance
            (:mod:`editor.background._exposure`); None when it was not (an estimate, or too little set to compare).
            With ``exposure_gradient``, the gains at the frame's centre.
        exposure_gradient: Where the light changed across the set, how the gain changes over the frame: per RGB
            channel, its ratio from the left edge to the right (``"across"``) and from the top to the bottom
            (``"down"``); None when one gain was used.
        exposure_pools: Where pools of light changed over the set (a lamp switched on or off): the share of the frame
            whose gain they move by 1 % or more (``"share"``), the part of the frame among it where the take never
            showed the set to compare, so the pools were carried on from around it (``"unseen_share"``), and the
            lowest and highest gains they reach, per RGB channel; None when there were none.
        set_difference: How far a supplied plate, matched by its gain or plane (before the pools), still differs from
            the set the take shows (the median largest-channel difference, of full scale); None when not measured.
        clipped_unseen: Share of the frame where a supplied plate was clipped white and the take never showed the
            set, but its estimate was shown to extend the set there and is not clipped: the estimate stands in for
            the plate there (:mod:`editor.background._exposure`, step 3); 0 otherwise.
        clipped_left: Share of the frame where a supplied plate was clipped white and the take never showed the set,
            its estimate is not clipped there but was not shown to extend the set: the clipped plate stands, a guess
            (a halo may show there); 0 otherwise.
        shift: How far ``(x, y)`` in pixels a supplied plate's content at the frame's centre was off its take's
            framing, and was moved back by (:mod:`editor.background._register`); None when it was not registered.
        warp: Where the plate was also turned or scaled back onto the take's framing, the 2×3 affine map from a pixel
            of the take's framing to where it lies in the plate as supplied (``x_plate = A·x + t``, pixel units);
            None when it was only moved, or not registered.
    """

    image: F32
    known: Bool
    performer: Bool
    noise: float
    source: Literal["supplied", "estimated"]
    set_recovered: float = 1.0
    faces: int = 0
    presences: int = 0
    interior: Bool | None = None
    extended: Bool | None = None
    uncoverable: Bool | None = None
    in_shade: float = 0.0
    strays: float = 0.0
    moved_inside: float = 0.0
    faint_outline: float = 0.0
    set_coloured: float = 0.0
    set_coloured_returned: float = 0.0
    plain_set: bool | None = None
    reasked: int = 0
    leaned: int = 0
    released: float = 0.0
    camera: SetMotion | None = None
    exposure_gain: tuple[float, ...] | None = None
    exposure_gradient: dict[str, tuple[float, ...]] | None = None
    exposure_pools: dict[str, object] | None = None
    set_difference: float | None = None
    clipped_unseen: float = 0.0
    clipped_left: float = 0.0
    shift: tuple[float, ...] | None = None
    warp: tuple[tuple[float, ...], ...] | None = None

    def __post_init__(self) -> None:
        h, w = self.image.shape[:2]
        if self.image.ndim != 3 or self.image.shape[2] != 3:
            raise PlateError(f"a clean plate must be H×W×3 RGB, got shape {self.image.shape}")
        if self.known.shape != (h, w) or self.performer.shape != (h, w):
            raise PlateError("clean plate masks do not match the plate size")
        for mask in (self.interior, self.extended, self.uncoverable):
            if mask is not None and mask.shape != (h, w):
                raise PlateError("clean plate masks do not match the plate size")

    def with_interior(self, interior: Bool | None) -> CleanPlate:
        """This plate with the people's interior taken from another analysis of the take (e.g. a supplied clean
        plate with the interior its take's estimate found)."""
        return replace(self, interior=interior)

    @property
    def keyable(self) -> Bool:
        """Where the matte may key against the plate: where the set was seen, and where it was extended."""
        return self.known if self.extended is None else self.known | self.extended

    @property
    def known_fraction(self) -> float:
        """Fraction of the frame where the background was observed."""
        return float(self.known.mean())

    @property
    def extended_fraction(self) -> float:
        """Fraction of the frame where the unseen set was extended (keyed against the inpainted plate)."""
        return 0.0 if self.extended is None else float(self.extended.mean())

    @property
    def uncoverable_fraction(self) -> float:
        """Fraction of the frame where each frame keys the set it uncovers against the inpainted plate."""
        return 0.0 if self.uncoverable is None else float(self.uncoverable.mean())

    def describe(self) -> dict[str, object]:
        """What the edit result records about the plate."""
        return {
            "source": self.source,
            "known_fraction": round(self.known_fraction, 6),
            "extended_fraction": round(self.extended_fraction, 6),
            **({"uncoverable_fraction": round(self.uncoverable_fraction, 6)} if self.source == "estimated" else {}),
            "set_in_shade_fraction": round(self.in_shade, 6),
            "stray_pieces_fraction": round(self.strays, 6),
            "moved_inside_fraction": round(self.moved_inside, 6),
            "faint_outline_fraction": round(self.faint_outline, 6),
            "set_coloured_silhouette_fraction": round(self.set_coloured, 6),
            "set_coloured_given_back_fraction": round(self.set_coloured_returned, 6),
            **({"plain_set": self.plain_set} if self.plain_set is not None else {}),
            **(
                {
                    "segmentation_reasked": self.reasked,
                    "set_coloured_released_fraction": round(self.released, 6),
                    "samples_followed_off_their_place": self.leaned,
                }
                if self.source == "estimated"
                else {}
            ),
            **(
                {"camera_shift_px": round(self.camera.shift, 4), "camera_tolerance_px": round(self.camera.tolerance, 4)}
                if self.camera is not None
                else {}
            ),
            "set_recovered": round(self.set_recovered, 6),
            "faces_found": self.faces,
            "unexplained_moving_regions": self.presences,
            **({"exposure_gain": list(self.exposure_gain)} if self.exposure_gain is not None else {}),
            **(
                {"exposure_gradient": {k: list(v) for k, v in self.exposure_gradient.items()}}
                if self.exposure_gradient is not None
                else {}
            ),
            **({"exposure_pools": dict(self.exposure_pools)} if self.exposure_pools is not None else {}),
            **({"set_difference": round(self.set_difference, 6)} if self.set_difference is not None else {}),
            **({"clipped_unseen_share": round(self.clipped_unseen, 6)} if self.clipped_unseen else {}),
            **({"clipped_left_share": round(self.clipped_left, 6)} if self.clipped_left else {}),
            **({"registration_shift_px": list(self.shift)} if self.shift is not None else {}),
            **({"registration_affine": [list(row) for row in self.warp]} if self.warp is not None else {}),
        }
