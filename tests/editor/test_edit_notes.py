"""The notes an edit leaves the editor (``editor.notes``): one wording from the signed metrics for the CLI and the
console, importable without the engine."""

from __future__ import annotations

import subprocess
import sys

from editor.notes import CLI_ORIGINAL, flop_note, grade_note, pauses_note, sync_note

A, B = "ab" * 32, "cd" * 32


def test_the_notes_load_no_engine() -> None:
    """The console words a relight's and a dub's notes with ``editor.notes``: importing it loads neither NumPy, OpenCV
    nor torch; the CLI's ``Grade.note`` and ``editor.dialogue.fit_note`` are the same functions."""
    code = (
        "import sys; from editor.notes import fit_note, grade_note; "
        "print(sorted({'numpy', 'cv2', 'torch', 'editor.lighting', 'editor.dialogue'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    import editor.dialogue
    import editor.notes

    assert editor.dialogue.fit_note is editor.notes.fit_note


def test_a_look_found_in_the_dailies_names_its_clip_and_how_to_overrule_it() -> None:
    found = {
        "grade_method": "dailies",
        "reference_original_found_hash": A,
        "reference_original_found_frames": "70,71",
        "reference_original_found_residual_delta_e": 0.4412,
    }
    note = grade_note(found, clip_name={A: "A012_C003.mov"}.get)
    assert note is not None and "A012_C003.mov (abababababab), frame 70,71" in note and "0.44 ΔE76" in note
    assert note.endswith(f"({CLI_ORIGINAL}).")
    assert "a clip (abababababab)" in (grade_note(found, how="the form") or "")  # a name it may not show


def test_two_clips_the_search_could_not_choose_between_are_named_with_their_frames() -> None:
    undecided = {
        "grade_method": "exemplar",
        "dailies_undecided_hashes": f"{A},{B}",
        "dailies_undecided_frames": "70;12,13",
    }
    note = grade_note(undecided, clip_name={A: "a.mov", B: "b.mov"}.get)
    assert note is not None and "a.mov (abababababab) frame 70 and b.mov (cdcdcdcdcdcd) frame 12,13" in note
    assert "neither was used" in note
    older = grade_note({"grade_method": "model", "dailies_undecided_hashes": f"{A},{B}"})  # signed before the frames
    assert older is not None and "a clip (abababababab) and a clip (cdcdcdcdcdcd)" in older


def test_a_measured_grade_has_no_note() -> None:
    for method in ("pairs", "original", "distribution", "model"):
        assert grade_note({"grade_method": method, "dailies_searched": 3}) is None
    assert "own take of the reference's set-up" in (grade_note({"grade_method": "exemplar"}) or "")


def test_pauses_told_through_a_room_noise_say_so() -> None:
    assert pauses_note({"pauses_found_by": {"line": "level", "shot": "level"}}) is None
    assert pauses_note({"keep_pauses": False}) is None  # every frame replaced: no pause told, nothing to check
    note = pauses_note({"pauses_found_by": {"line": "level", "shot": "steady_noise"}})
    assert note is not None and "of the shot's sound were told through a steady room noise" in note
    both = pauses_note({"pauses_found_by": {"line": "steady_noise", "shot": "steady_noise"}})
    assert both is not None and "the new line and of the shot's sound" in both


def test_a_flopped_shot_says_so() -> None:
    assert flop_note({"keep_pauses": True}) is None
    assert flop_note({"bank_flopped": False}) is None
    note = flop_note({"bank_flopped": True})
    assert note is not None and "better mirrored" in note and "asymmetries" in note


def test_a_sync_verdict_says_how_often_a_line_that_long_was_read_right() -> None:
    """A dub signs its sync reading and how often the model's scorer read a line that long right on its held-out
    take (``editor.dialogue.line_check``): the note gives both, whichever way the verdict went."""
    dub = {"after_av_offset_frames": 12.0, "av_offset_target_met": 0.0, "sync_check_line_frames": 30.0,
           "sync_check_right_share": 0.6, "sync_check_line_shorter": 0.0}  # fmt: skip
    note = sync_note(dub)
    assert note is not None and "+12 frames off" in note and "misses" in note and "60% of 30-frame lines" in note
    assert "check the sync by eye" in note and "longer than this line" not in note
    met = sync_note({**dub, "after_av_offset_frames": 0.0, "av_offset_target_met": 1.0, "sync_check_line_shorter": 1.0})
    assert met is not None and "+0 frames off, which meets" in met and "(longer than this line)" in met


def test_a_sync_verdict_every_such_line_backed_or_not_measured_has_no_note() -> None:
    dub = {"after_av_offset_frames": 0.0, "av_offset_target_met": 1.0, "sync_check_line_frames": 30.0,
           "sync_check_right_share": 1.0, "sync_check_line_shorter": 0.0}  # fmt: skip
    assert sync_note(dub) is None
    assert sync_note({"after_av_offset_frames": 0.0, "av_offset_target_met": 1.0}) is None  # a model before the check
    assert sync_note({}) is None  # a re-time without a model: not scored
