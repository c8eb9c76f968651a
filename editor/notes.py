"""What an edit leaves the editor to decide, in words, from its signed metrics: one wording for the CLI and the
console. Plain Python: the console imports it without loading the engine (NumPy, OpenCV, torch).

- ``grade_note``: a relight's grade (``editor.lighting``; ``Grade.note`` is this with the CLI's option). The metrics
  are the signed edit result's: ``grade_method`` and what the search of the dailies found
  (``Grade.search_metrics``). A note says what the user may do for a better grade, never a doubt about this one
  (that is a warning, ``Grade.warning``). ``how``: how the user names a reference's ungraded original where they
  are (the CLI's option, the console's form field).
- ``fit_note``: which of a dub's bank takes were left out (``editor.dialogue.fit``).
- ``pauses_note``: which of a dub's lines had their pauses told through a steady room noise
  (``editor.dialogue.steady_noise``).
- ``flop_note``: that a dub drew the bank's mouths mirrored (``editor.dialogue.flop``).
- ``sync_note``: how sure a dialogue edit's sync verdict is (``editor.dialogue.line_check``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

CLI_ORIGINAL = "--reference-original SHOT@FRAME"
"""How a user of the CLI names a reference's ungraded original."""


def grade_note(
    metrics: Mapping[str, Any], *, how: str = CLI_ORIGINAL, clip_name: Callable[[str], str | None] = lambda h: None
) -> str | None:
    """The note on a relight's grade, or None: which clip of the dailies its look was fitted from (``"dailies"``),
    which two clips the search could not choose between, or that an ``"exemplar"`` look carries the colour of the
    project's own take. ``clip_name``: a catalogue clip's file name by content hash (None where it may not be
    shown)."""

    def named(h: str) -> str:
        return f"{clip_name(h) or 'a clip'} ({h[:12]})"

    method = metrics.get("grade_method")
    if method == "dailies" and (h := metrics.get("reference_original_found_hash")):
        residual = float(metrics.get("reference_original_found_residual_delta_e", float("nan")))
        return (
            f"The look was fitted from {named(str(h))}, frame {metrics.get('reference_original_found_frames')}: the "
            "frame of this production's dailies found nearest the reference, taken as its ungraded original (the "
            f"look leaves {residual:.2f} ΔE76 between them; on the benchmark 0.2–0.5 for the frame a reference was "
            "graded from, 0.6–2.0 for it as a re-framed JPEG still, 0.8–2.9 for another take of the set-up). If the "
            f"reference was graded from another clip, name that clip as its ungraded original ({how})."
        )
    if undecided := metrics.get("dailies_undecided_hashes"):
        frames = str(metrics.get("dailies_undecided_frames") or "").split(";")
        a, b = (
            named(h) + (f" frame {frames[i]}" if len(frames) > i and frames[i] else "")
            for i, h in enumerate(str(undecided).split(",")[:2])
        )
        return (
            f"Two clips of the dailies match the reference about as well but give different looks ({a} and {b}), "
            f"so neither was used: name the one the reference was graded from as its ungraded original ({how})."
        )
    if method == "exemplar":
        return (
            "The look was estimated through this production's own take of the reference's set-up. If the reference "
            "was graded from another take, that take's colour is in the look: give the reference's ungraded "
            f"original ({how}) for the look itself."
        )
    return None


def fit_note(metrics: Mapping[str, Any]) -> str | None:
    """Which of the dialogue model's takes the fit left out as another recording session (``editor.dialogue.fit``),
    from a dub's metrics (``selection_fit_*``); None when the whole bank was offered."""
    takes, kept = metrics.get("selection_fit_takes"), metrics.get("selection_fit_takes_kept")
    if takes is None or kept is None or float(kept) >= float(takes):
        return None
    return (
        f"The mouths were drawn from {float(kept):.0f} of the dialogue model's {float(takes):.0f} takes: the others' "
        "mouths fitted this shot clearly worse (another recording session: other light, framing or lips), so only "
        f"the {float(metrics.get('selection_fit_kept', 0)):.0f} best-fitting mouths were matched to the line."
    )


def pauses_note(parameters: Mapping[str, Any]) -> str | None:
    """Which of a dub's lines had their pauses told through a steady room noise (``editor.dialogue.steady_noise``)
    rather than by their level, from its parameters (``pauses_found_by``); None when none was."""
    found = parameters.get("pauses_found_by") or {}
    lines = (("the new line", "line"), ("the shot's sound", "shot"))
    noisy = [who for who, key in lines if found.get(key) == "steady_noise"]
    if not noisy:
        return None
    return (
        f"The pauses of {' and of '.join(noisy)} were told through a steady room noise, by the sound's spectrum rather "
        "than its level: check the frames left as shot at the edges of words."
    )


def flop_note(parameters: Mapping[str, Any]) -> str | None:
    """That a dub drew the bank's mouths mirrored, its shot flopped or lit from the other side
    (``editor.dialogue.flop``), from its parameters (``bank_flopped``); None otherwise."""
    if not parameters.get("bank_flopped"):
        return None
    return (
        "The dialogue model's mouths fitted this shot clearly better mirrored (a flopped shot, or one lit from the "
        "other side), so they were drawn mirrored: check the mouth's own asymmetries (a crooked smile, a scar, a "
        "gap in the teeth) against the shot."
    )


def sync_note(metrics: Mapping[str, Any]) -> str | None:
    """How sure a dub's or re-time's AV-offset verdict is, from its metrics (``sync_check_*``,
    ``editor.dialogue.line_check``): how often the dialogue model's scorer read a line that long right on its
    held-out take. None when it read every such line right, or measured none (a model from before the check)."""
    share = metrics.get("sync_check_right_share")
    if share is None or float(share) >= 1.0 or "after_av_offset_frames" not in metrics:
        return None
    longer = " (longer than this line)" if metrics.get("sync_check_line_shorter") else ""
    verdict = "meets" if metrics.get("av_offset_target_met") else "misses"
    return (
        f"The sync scorer reads this line {float(metrics['after_av_offset_frames']):+.0f} frames off, which {verdict} "
        f"the 1-frame target; but on the dialogue model's held-out take it read only {float(share):.0%} of "
        f"{float(metrics['sync_check_line_frames']):.0f}-frame lines{longer} within a frame of their known offset: "
        "check the sync by eye."
    )
