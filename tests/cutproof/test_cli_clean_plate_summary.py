"""``cutproof edit background`` tells the editor how a supplied clean plate was brought to the take, and what an
estimated one found."""

from __future__ import annotations

import math

import numpy as np

from editor.background._still import SetMotion
from editor.background.plate import CleanPlate
from editor.plate_summary import estimated_plate_summary, supplied_plate_summary


def _plate(**recorded: object) -> dict:
    h, w = 4, 6
    plate = CleanPlate(np.zeros((h, w, 3), np.float32), np.ones((h, w), bool), np.zeros((h, w), bool), 0.0, "supplied")
    return CleanPlate(**{**plate.__dict__, **recorded}).describe()


def test_every_step_the_edit_took_is_said() -> None:
    line = supplied_plate_summary(
        _plate(
            shift=(1.0, -0.5),
            exposure_gain=(1.04, 1.0, 0.95),
            exposure_gradient={"across": (0.85, 0.85, 0.85), "down": (1.0, 1.0, 1.0)},
            exposure_pools={
                "share": 0.23,
                "unseen_share": 0.0,
                "lowest_gain": [0.81, 0.82, 0.81],
                "highest_gain": [1.0, 1.0, 1.0],
            },
            set_difference=0.0021,
        )
    )
    assert line == (
        "supplied; off the take's framing by +1.00, -0.50 px, and moved back; exposure ×1.040/1.000/0.950 (R/G/B); "
        "light changed across the set: ×0.850 left→right, ×1.000 top→bottom; "
        "pools of light over 23% of the frame (gains 0.81–1.00); differs from the take's set by 0.2% of full scale"
    )


def test_a_plate_left_as_shot_and_an_estimate() -> None:
    assert supplied_plate_summary(_plate()) == "supplied, used as shot"
    assert supplied_plate_summary(_plate(shift=(0.0, 0.0), exposure_gain=(1.0, 1.0, 1.0))) == (
        "supplied; framed as the take; exposure ×1.000"
    )
    assert supplied_plate_summary({**_plate(), "source": "estimated"}) is None


def test_a_turned_plate_is_said_with_its_turn_and_scale() -> None:
    # the map from the take's framing into the plate: the plate's content turned 0.2° and 0.4 % larger
    turn = math.radians(0.2)
    a, b = 1.004 * math.cos(turn), 1.004 * math.sin(turn)
    line = supplied_plate_summary(_plate(shift=(0.03, -0.02), warp=((a, b, -1.9), (-b, a, 2.1))))
    assert line == (
        "supplied; off the take's framing by +0.03, -0.02 px at the centre, turned +0.20° and scaled ×1.0040, "
        "and brought back"
    )


def test_pools_carried_on_where_the_take_never_showed_the_set_are_said() -> None:
    pools = {"share": 0.43, "unseen_share": 0.12, "lowest_gain": [1.0] * 3, "highest_gain": [1.83, 1.85, 1.84]}
    assert supplied_plate_summary(_plate(exposure_pools=pools)) == (
        "supplied; pools of light over 43% of the frame (gains 1.00–1.85; 12% of the frame where the take never "
        "showed the set)"
    )


def test_a_plate_clipped_where_the_take_never_showed_the_set_is_said() -> None:
    assert "clipped white over less than 0.1% of the frame" in supplied_plate_summary(_plate(clipped_unseen=0.0004))
    assert supplied_plate_summary(_plate(exposure_gain=(0.6, 0.6, 0.6), clipped_unseen=0.0213)) == (
        "supplied; exposure ×0.600; clipped white over 2.1% of the frame behind the people, where the take's own "
        "estimate of the set was used"
    )


def test_a_plate_clipped_and_kept_where_nothing_better_is_known_is_said() -> None:
    assert supplied_plate_summary(_plate(clipped_unseen=0.003, clipped_left=0.0412)) == (
        "supplied; clipped white over 0.3% of the frame behind the people, where the take's own estimate of the set "
        "was used; clipped white over 4.1% of the frame behind the people, where it was kept as shot, nothing better "
        "being known (a halo may show there: shoot the clean plate at the take's exposure)"
    )


def _estimated(**recorded: object) -> dict:
    return _plate(source="estimated", **recorded)


def test_an_estimated_plate_says_what_it_recovered_and_whether_the_camera_held_still() -> None:
    line = estimated_plate_summary(
        _estimated(
            set_recovered=0.935,
            camera=SetMotion(0.018, 0.434),
            moved_inside=0.0104,
            faint_outline=0.0032,
            strays=0.0004,
        )
    )
    assert line == (
        "estimated from the take; 93.5% of the set recovered (seen, or told from the people by colour); the set moved "
        "0.02 px, where 0.43 px would read as people; 1.0% of the frame added to the people inside where they moved; "
        "0.3% of the frame added to the people along an edge that moved only faintly; "
        "less than 0.1% of the frame of pieces with no person in them given back to the set"
    )
    doubted = estimated_plate_summary(
        _estimated(set_recovered=0.861, camera=SetMotion(0.215, 0.375), set_coloured=0.0673)
    )
    assert doubted is not None and doubted.endswith(
        "; 6.7% of the frame taken for the people in the set's colours (counted as guessed)"
    )
    plain = estimated_plate_summary(_estimated(set_recovered=0.9957, set_coloured_returned=0.0061))
    assert plain is not None and plain.endswith(
        "; 0.6% of the frame taken for the people in a plain set's colours given back to it"
    )
    asked = estimated_plate_summary(_estimated(set_recovered=0.969, reasked=2, released=0.1754, set_coloured=0.0027))
    assert asked is not None and asked.endswith(
        "; the people's outline found again 2 times without what the first held in the set's colours: 17.5% of the "
        "frame given to the set; 0.3% of the frame taken for the people in the set's colours (counted as guessed)"
    )
    zone = np.zeros((4, 6), bool)
    zone[0] = True
    leaned = estimated_plate_summary(_estimated(set_recovered=0.969, uncoverable=zone, leaned=7))
    assert leaned is not None and leaned.endswith(
        "; somebody followed off their place in 7 of the sampled frames (the set they left seen there); 25.0% of the "
        "frame never seen beside a plain set, keyed as set where a frame shows it uncovered"
    )
    kept = estimated_plate_summary(_estimated(set_recovered=0.858, reasked=1, set_coloured=0.0678))
    said = (
        "; the people's outline found again once without what the first held in the set's colours, none clear of "
        "them: the first outline stands; 6.8% of the frame taken for the people in the set's colours"
    )
    assert kept is not None and said in kept
    bare = estimated_plate_summary(_estimated(set_recovered=0.99))
    assert bare is not None and "the camera's stillness not measured" in bare and "given back" not in bare
    assert "found again" not in bare
    assert estimated_plate_summary(_plate()) is None
    assert supplied_plate_summary(_estimated()) is None
