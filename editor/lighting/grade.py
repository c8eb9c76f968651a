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
from editor.lighting.smooth import SmoothGrade


@dataclass(frozen=True)
class Grade:
    """The grade taking a shot to a target look, and how it was found.

    ``method``: ``"pairs"`` (fitted on corresponding pixels), ``"distribution"`` (fitted to a reference patch's
    colours), ``"exemplar"`` (another scene whose set-up the project's dailies show: fitted on pairs between the
    project's own ungraded frame of it and the reference), ``"original"`` (fitted on pairs between the reference's
    own ungraded original, given by the user, and the reference: ``editor.lighting.original``), ``"model"`` (the
    project model's prediction alone).
    ``inliers``: share of pixel pairs the grade explains (NaN for distribution and model); ``ncc``: registration
    correlation (NaN when no registration was tried); ``refused_look_inliers``: for a ``"model"`` grade, the
    inlier share of the look the exemplars gave but which was refused (below ``exemplars.LOOK_INLIER_MIN``; NaN
    when no exemplar registered).
    """

    smooth: SmoothGrade
    lut: Lut3D
    cdl: Cdl
    method: str
    inliers: float
    ncc: float
    cdl_residual_delta_e: float
    refused_look_inliers: float = float("nan")

    @property
    def warning(self) -> str | None:
        """What the user must know before trusting the grade, or None. A ``"model"`` grade is fitted to no pixel:
        nothing the project has shot corresponds to the reference — no frame registers to it, or the one that does
        only resembles it (its colours follow no one grade to the reference's) — so the look is the model's guess
        from thumbnails (the lighting benchmark's ``cross-unseen`` task: far above the ΔE76 3 target, see
        docs/benchmarks.md)."""
        if self.method != "model":
            return None
        why = (
            "no frame of the shot or of the project's exemplars registers to it"
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
        """What the user may do better, or None: an ``"exemplar"`` look is fitted from the project's own take of the
        reference's set-up, so it carries the colour difference of the take the reference was graded from when that
        is another one (docs/benchmarks.md, "The reference's ungraded original")."""
        if self.method != "exemplar":
            return None
        return (
            "the look was estimated through the project's own take of the reference's set-up; if the reference was "
            "graded from another take, that take's colour is carried into the look: give its ungraded clip "
            "(--reference-original SHOT@FRAME) for the look itself"
        )

    @property
    def short_warning(self) -> str | None:
        """The warning in a few words, for the signed edit result's ``metrics.grade_warning``."""
        if self.method != "model":
            return None
        if np.isfinite(self.refused_look_inliers):
            return (
                "model estimate alone: the project's nearest exemplar only resembles the reference "
                f"(look inliers {self.refused_look_inliers:.2f} < {LOOK_INLIER_MIN})"
            )
        return "model estimate alone: the reference's set-up is not in the project's dailies"
