"""Whether an estimated clean plate may be used: the edit's refusal, with what was measured and what to do.

The edit refuses an estimate (:mod:`editor.background.plate`) from a take whose camera moved (step 5), one that
recovered less than ``MIN_SET_RECOVERED`` = 0.9 of the set, or one that found no person at all (no face, nothing
moving: the people cannot be told from the set). Why 0.9: an unrecovered pixel is a coin toss between old set and
performer. In ``bench/background.py`` (stop 57, held out: mirrored and recorded) every composite at or above 0.915
replaced ≥ 99.6 % of the set and kept ≥ 99.6 % of the people, while the one that came out at 0.68–0.71 (five people
shoulder to shoulder, the set showing only in gaps) is the one where the matte fails (a halo of old set around
everyone); on the weekly addresses the estimates whose composites were seen to keep a flag, shelves or a desk come out
at 0.86–0.88, and the two seen clean at 0.965 and 0.982 (``bench/background_silhouette.py``) — but "a bad situation",
whose composite keeps a chair's knob and a band of old set by the collar, at 0.93: those are in the people's own
colours, and nothing here tells them apart (the ear GrabCut gave to the set, which the composite also lost, is now
traced by its faint motion: step 3). A tenth of the set guessed is already a visible patch in every frame.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from editor.background.clean_plate import CleanPlate
from editor.background.errors import PlateUnrecoverableError

MIN_SET_RECOVERED = 0.9
CHECKS = 3  # ranges estimated again, at most, for one where the camera held still (held_still)


def require_recoverable(plate: CleanPlate, what: str = "the take", still: tuple[int, int] | None = None) -> None:
    """Refuse an estimated plate that recovered too little of the set, or found no person. ``still``: where the
    camera moved, a range of frames (first, one past the last) where it held still and a plate estimated from it was
    accepted, which the refusal names (``editor.background.edit``).

    Raises:
        PlateUnrecoverableError: with what was measured and what to do.
    """
    if plate.source != "estimated":
        return
    if plate.faces == 0 and plate.presences == 0:
        raise PlateUnrecoverableError(
            f"no performer found in {what} (no face, nothing moving): the people cannot be told from the set, so "
            "no clean plate can be estimated; shoot a clean plate of the set-up (the set empty) and supply it with "
            "--clean-plate"
        )
    if plate.camera is not None and not plate.camera.still:
        camera = plate.camera
        where = (
            "edit a range where the camera holds still (--start/--end)"
            if still is None
            else f"edit frames {still[0]}–{still[1] - 1}, where it held still (a plate estimated from them alone was "
            f"accepted): --start {still[0]} --end {still[1]}"
        )
        raise PlateUnrecoverableError(
            f"the camera moved during {what}: its set shifts by up to {camera.shift:.2f} px from the take's "
            f"median, and at {camera.tolerance:.2f} px its own edges already read as people; a plate can only "
            f"be estimated from a locked-off take. Supply a clean plate of the set-up with --clean-plate, or {where}"
        )
    if plate.set_recovered < MIN_SET_RECOVERED:
        why = "the performers never moved off the rest"
        if plate.set_coloured >= 0.01:
            why += (
                f", and {plate.set_coloured:.0%} of the frame taken for them has the set's colours, so only where a "
                "person is expected says it is one: a flag, a shelf or a chair beside them may be kept as them"
            )
        raise PlateUnrecoverableError(
            f"only {plate.set_recovered:.0%} of the set could be recovered from {what} ({why}; at least "
            f"{MIN_SET_RECOVERED:.0%} is needed for a matte that does not guess); shoot a clean plate of the set-up "
            "(the set empty) and supply it with --clean-plate"
        )


def held_still(
    plate: CleanPlate, frames: Sequence[int], estimate_from: Callable[[int, int], tuple[CleanPlate, Sequence[int]]]
) -> tuple[int, int] | None:
    """Where the camera moved over the samples of ``plate`` (``frames``: the clip's frame number of each, in order):
    the frames (first, one past the last) of the longest run of samples within its tolerance
    (:meth:`editor.background._still.SetMotion.still_run`), if the plate ``estimate_from(first, end)`` estimates from
    those frames alone (with its samples' frame numbers) is accepted; else None.

    Checked, not assumed, up to ``CHECKS`` times: against a median the move has blurred the set's edges are softer
    and tolerate more, so a run may take in a frame or two of the move, and the range's own estimate is then refused
    for the camera too; its own run (against its own, sharper median) is checked next. A camera that drifts all along
    reads within its tolerance of its own median over the middle of the take, and again over the middle of that
    range, until no run is left or ``CHECKS`` is spent ("very real challenges"); a range refused for anything else
    (too little of the set recovered) ends the search."""
    for _ in range(CHECKS):
        camera = plate.camera
        if camera is None or camera.still or len(frames) != len(camera.shifts):
            return None
        run = camera.still_run()
        if run is None:
            return None
        first, end = frames[run[0]], frames[run[1]] + 1
        plate, frames = estimate_from(first, end)
        try:
            require_recoverable(plate)
        except PlateUnrecoverableError:
            continue
        return first, end
    return None
