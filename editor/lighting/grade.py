"""A relight's grade and how it was found — and what the user must be told before trusting it.

``method`` says which fit produced it (``editor.lighting.relight.match_grade``); a ``"model"`` grade is fitted to no
pixel and carries a ``warning`` (printed by the CLI, ``RelightPlan.warnings``) and a ``short_warning`` (the signed
edit result's ``metrics.grade_warning``), which say why: no frame the project shot registers to the reference, or
the nearest exemplar only resembles it and its look was refused (``editor.lighting.exemplars.LOOK_INLIER_MIN``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from editor.lighting.cdl import Cdl
from editor.lighting.exemplars import LOOK_INLIER_MIN
from editor.lighting.lut import Lut3D
from editor.lighting.search import Search
from editor.lighting.smooth import SmoothGrade
from editor.notes import grade_note


@dataclass(frozen=True)
class Grade:
    """The grade taking a shot to a target look, and how it was found.

    ``method``: ``"pairs"`` (fitted on corresponding pixels), ``"distribution"`` (fitted to a reference patch's
    colours), ``"exemplar"`` (another scene whose set-up the project's dailies show: fitted on pairs between the
    project's own ungraded frame of it and the reference), ``"original"`` (fitted on pairs between the reference's
    own ungraded original, given by the user, and the reference: ``editor.lighting.original``), ``"dailies"`` (the
    same, from the clip of the project's dailies found to match the reference best: ``editor.lighting.search``;
    ``search`` says which clip and frames), ``"model"`` (the project model's prediction alone).
    ``inliers``: share of pixel pairs the grade explains (NaN for distribution and model); ``ncc``: registration
    correlation (NaN when no registration was tried); ``refused_look_inliers``: for a ``"model"`` grade, the
    inlier share of the look the exemplars gave but which was refused (below ``exemplars.LOOK_INLIER_MIN``; NaN
    when no exemplar registered); ``search``: the search of the dailies for the reference's original, when one
    ran.
    """

    smooth: SmoothGrade
    lut: Lut3D
    cdl: Cdl
    method: str
    inliers: float
    ncc: float
    cdl_residual_delta_e: float
    refused_look_inliers: float = float("nan")
    search: Search | None = None

    @property
    def warning(self) -> str | None:
        """What the user must know before trusting the grade, or None. A ``"model"`` grade is fitted to no pixel:
        nothing the project has shot corresponds to the reference — no frame registers to it, or the one that does
        only resembles it (its colours follow no one grade to the reference's) — so the look is the model's guess
        from thumbnails (the lighting benchmark's ``cross-unseen`` task: far above the ΔE76 3 target, see
        docs/benchmarks.md)."""
        if self.method != "model":
            return None
        s = self.search
        if s is not None and s.undecided is not None:
            a, b = s.undecided
            return (
                f"two clips of the project's dailies match the reference about as well but give different looks "
                f"({a.name} frame {_frames(a.frames)}, {b.name} frame {_frames(b.frames)}), so neither was used and "
                "the grade is the lighting model's estimate alone, fitted to no pixel: expect a visible mismatch; "
                "name the one the reference was graded from (--reference-original SHOT@FRAME)"
            )
        searched = f", of the {s.searched} clips of the dailies searched" if s is not None and s.searched else ""
        why = (
            f"no frame of the shot{searched} or of the project's exemplars registers to it"
            if not np.isfinite(self.refused_look_inliers)
            else "the project's exemplar frame nearest to it resembles it, but its colours follow no one grade to "
            f"the reference's (a grade explains {self.refused_look_inliers:.0%} of their pixel pairs, under the "
            f"{LOOK_INLIER_MIN:.0%} a frame of the same set-up passes): another set-up or lighting"
        )
        return (
            f"the reference's set-up is not in the project's dailies ({why}), so the grade is the lighting model's "
            "estimate alone, fitted to no pixel: expect a visible mismatch; give the ungraded clip the reference was "
            "graded from (--reference-original), pick a reference patch of matching material (--reference-region), "
            "or add dailies of the reference's set-up to the model's training clips"
        )

    @property
    def note(self) -> str | None:
        """What the user may do better, or None (``editor.notes.grade_note``, naming the CLI's option): an
        ``"exemplar"`` look is fitted from the project's own take of the reference's set-up, so it carries the
        colour difference of the take the reference was graded from when that is another one (docs/benchmarks.md,
        "The reference's ungraded original"); a ``"dailies"`` look says which clip it was fitted from; and where two
        clips of the dailies matched equally well with different looks, the note names them."""
        s = self.search
        found = () if s is None else (*((s.found,) if s.found else ()), *(s.undecided or ()))
        names = {f.content_hash: f.name for f in found}
        return grade_note({"grade_method": self.method, **self.search_metrics()}, clip_name=names.get)

    def search_metrics(self) -> dict[str, float | int | str]:
        """What the search of the dailies did, for the signed edit result, when one ran: how many clips it read
        (and could not); the clip and frames it found, whose look graded the shot (``"dailies"``), with the
        residual; or the two clips it could not decide between (neither used)."""
        s = self.search
        if s is None:
            return {}
        out: dict[str, float | int | str] = {"dailies_searched": s.searched}
        if s.unreadable:
            out["dailies_unreadable"] = s.unreadable
        if s.found is not None and self.method == "dailies":
            out["reference_original_found_hash"] = s.found.content_hash
            out["reference_original_found_frames"] = _frames(s.found.frames).replace(" ", "")
            out["reference_original_found_residual_delta_e"] = s.found.residual
        if s.undecided is not None:
            out["dailies_undecided_hashes"] = ",".join(f.content_hash for f in s.undecided)
            out["dailies_undecided_frames"] = ";".join(_frames(f.frames).replace(" ", "") for f in s.undecided)
        return out

    @property
    def short_warning(self) -> str | None:
        """The warning in a few words, for the signed edit result's ``metrics.grade_warning``."""
        if self.method != "model":
            return None
        if self.search is not None and self.search.undecided is not None:
            return "model estimate alone: two clips of the dailies match the reference with other looks, neither used"
        if np.isfinite(self.refused_look_inliers):
            return (
                "model estimate alone: the project's nearest exemplar only resembles the reference "
                f"(look inliers {self.refused_look_inliers:.2f} < {LOOK_INLIER_MIN})"
            )
        return "model estimate alone: the reference's set-up is not in the project's dailies"


def _frames(frames: tuple[int, ...]) -> str:
    return ", ".join(str(n) for n in frames)
