"""The project's memory of its own ungraded footage, for matching a look across scenes.

A reference from another scene corresponds to no pixel of the shot, so its colours alone cannot say what the look
did (a blue wall graded warm and a beige wall graded cool can look alike). But in a production the reference's
set-up has usually been shot and ingested too: the lighting model keeps a few small frames of every training clip
(``FRAMES_PER_CLIP``, ``WIDTH`` px wide, 8-bit) with a grade-blind layout print each. To estimate the look of a
reference:

1. rank the exemplars by the correlation of layout prints (a coarse, grade-blind prefilter) and keep the best
   ``CANDIDATES`` (all of them in a small project), plus the best three mirror images;
2. register each to the reference (``editor.lighting.register``); those whose registration holds over the frames'
   overlap (coverage ≥ ``fit.COVER_MIN``) and correlates (NCC ≥ ``NCC_MIN``) give pixel pairs (ungraded exemplar
   colour → reference colour). Until 2026-12-06 the coverage was not asked: a reference of another scene at the
   exemplar's frame size registered over a sliver of the frame (0.2–5 %), and on 10 of 42 such pairings of the
   shared clips one grade explained that sliver's few hundred pairs (inliers 0.76–1.0), so another scene's look
   was accepted without a warning (a GRID shot toward a CREMA-D reference: 31.7 ΔE76);
3. fit the smooth grade to those pairs (robust), with a hue-uniform prior (``smooth.hue_bias``, weight
   ``UNIFORM``): that is the look, as a mapping from the project's ungraded colours. The pairs only show the
   reference scene's colours (the GRID booth: blue backdrop, skin, dark clothes); the shot may hold others (a green
   backdrop). Unconstrained, the grade's 3×3 mix has six free directions and fits the shown colours with whichever
   treats each hue its own way, so the unshown ones moved arbitrarily (measured 2026-12-03: a green backdrop
   8.6 ΔE76 off; cross-scene 3.3–3.5 ΔE on the cdl-curve looks, 5.5–5.7 on split-tone; with it 2.2 and 4.0–4.1,
   docs/benchmarks.md). The prior asks the mix to be saturation and hue rotation about the grey axis — the same
   for every hue — unless the pairs insist.
   What such a look cannot know is the reference take's own colour before the grade: the pairs run from the
   project's take of the set-up to the reference, so if the reference was shot in another session (GRID pwij3p
   against the project's GRID take: 6.1 ΔE76 apart ungraded, warmer by b* +4.6) the look carries that difference
   and the result is the look composed with it (split-tone cross 4.5–4.6 ΔE76 on that case; a reference graded
   from the project's own take 1.7–1.8; the grade family itself, fitted to the true look of the same exemplar
   pixels, 0.9–1.1; measured 2026-12-03, docs/benchmarks.md "Split-tone cross-scene"). A graded reference alone
   cannot tell a take's colour from the look's.
   The look is applied to the shot as it is. Until 2026-12-05 a shot that registered to one of its own set-up's
   exemplars but differed from it in colour was first mapped onto that exemplar (meant for a shot that carries a
   grade). The shots that differ so are mostly other takes, recorded in another session: the mapping took their
   own colour away (GRID pwij3p against the project's GRID take, 5–6 ΔE76), which no look transfer should: with a
   reference graded from a take the project holds, that shot came out 3.9–4.6 ΔE76 off, the look alone 0.7–1.5
   (docs/benchmarks.md, "The shot's own colour kept"). A shot that already carries a grade gets the look on top
   of it: relight the ungraded original.
4. accept the look only when one grade explains most of its pairs (inliers ≥ ``LOOK_INLIER_MIN``). An exemplar of
   the same set-up, re-graded, is explained almost wholly (0.90–0.99 on the bench's cross cases, re-framed
   references included); a frame that only *resembles* the reference (another address of the same presenter:
   same framing, other light and wardrobe) registers with a high correlation over the few pixels whose flow holds,
   but its colours follow no one grade (0.45–0.61), and the look fitted to it came out 12–40 ΔE76 off — on average
   no better than the model's prediction alone (16–26), with a far worse worst case (measured 2026-12-03,
   docs/benchmarks.md "An exemplar that only resembles the reference"). So it is refused, and the grade's warning
   says why.

No exemplar of the reference's set-up: the estimate is ``None`` and the model's prediction stands; a refused look
is returned with ``accepted`` False (why the model's prediction stands, for the user's warning).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from editor.lighting.fit import COVER_MIN, NCC_MIN, Correspondence, Fit, fit_pairs, gather
from editor.lighting.register import register, small, thumbprint

FRAMES_PER_CLIP = 3
WIDTH = 240
CANDIDATES = 8
TRY_ALL = 24
MAX_EXEMPLARS = 600
# The hue-uniform prior's weight on an exemplar look: chosen among 0, 0.01, 0.03, 0.1 on held-out clips (re-framed and
# ProRes 10-bit, both look families; docs/benchmarks.md "Lighting"), checked on other held-out ones (mirrored). Chosen
# again without the shot mapped onto its own exemplar (2026-12-05): 0.03 is better with a reference of another take
# (split-tone 3.87 -> 3.22 dE76) but worse with one of the project's own take (worst 2.90 -> 3.73), so 0.01 stays.
UNIFORM = 0.01
# Share of an exemplar look's pairs it must explain (within ``fit.INLIER_TOL``): bench cross cases, same set-up
# 0.90–0.99, a resembling other set-up 0.45–0.61 (docs/benchmarks.md); near the middle of the gap.
LOOK_INLIER_MIN = 0.75


@dataclass(frozen=True, eq=False)
class Exemplars:
    """Small ungraded frames of the project (uint8 RGB, ``WIDTH`` px wide) and their layout prints."""

    frames: tuple[np.ndarray, ...]
    prints: np.ndarray  # (N, 384) float32

    @classmethod
    def build(cls, frames: Sequence[np.ndarray]) -> Exemplars:
        """From float RGB frames (any size), at most ``MAX_EXEMPLARS`` (evenly chosen)."""
        if len(frames) > MAX_EXEMPLARS:
            keep = np.linspace(0, len(frames) - 1, MAX_EXEMPLARS).round().astype(int)
            frames = [frames[i] for i in keep]
        small8 = tuple(np.clip(np.rint(small(f, WIDTH) * 255), 0, 255).astype(np.uint8) for f in frames)
        prints = np.stack([thumbprint(f.astype(np.float32) / 255) for f in small8]) if small8 else np.zeros((0, 384))
        return cls(small8, prints.astype(np.float32))

    @classmethod
    def build_small(cls, frames: Sequence[np.ndarray]) -> Exemplars:
        """From stored exemplar frames (uint8, already ``WIDTH`` px wide)."""
        small8 = tuple(np.asarray(f, np.uint8) for f in frames)
        prints = np.stack([thumbprint(f.astype(np.float32) / 255) for f in small8]) if small8 else np.zeros((0, 384))
        return cls(small8, prints.astype(np.float32))

    def __len__(self) -> int:
        return len(self.frames)

    def _candidates(self, rgb: np.ndarray) -> list[tuple[int, bool]]:
        """The exemplars to register, best layout match first: all of them as shot when there are at most
        ``TRY_ALL``, else the ``CANDIDATES`` best; and the 3 best mirrored (a flopped reference)."""
        if not len(self):
            return []
        p = thumbprint(rgb)
        flipped = np.stack([thumbprint(f[:, ::-1].astype(np.float32) / 255) for f in self.frames])
        out: list[tuple[int, bool]] = []
        keep = len(self) if len(self) <= TRY_ALL else CANDIDATES
        for scores, flip, n in ((self.prints @ p, False, keep), (flipped @ p, True, 3)):
            out += [(int(k), flip) for k in np.argsort(-scores, kind="stable")[:n]]
        return out

    def pairs_to(self, targets: Sequence[np.ndarray]) -> Correspondence | None:
        """Pixel pairs (exemplar → target) between the best-matching exemplars and ``targets``; None when no
        exemplar shows the targets' set-up."""
        src, dst, nccs, covers = [], [], [], []
        for t in targets:
            best = None
            for k, flip in self._candidates(t):
                ex = self.frames[k][:, ::-1] if flip else self.frames[k]
                ex_f = ex.astype(np.float32) / 255.0
                reg = register(ex_f, t)
                holds = reg.ncc >= NCC_MIN and reg.coverage >= COVER_MIN
                if holds and (best is None or reg.ncc > best.ncc):
                    best = reg
            if best is not None:
                src.append(best.src[best.valid])
                dst.append(best.ref[best.valid])
                nccs.append(best.ncc)
                covers.append(best.coverage)
        return gather(src, dst, nccs, covers) if src else None


@dataclass(frozen=True)
class ExemplarLook:
    """The look estimated through the exemplars: ``look`` (exemplar colours → target look) and whether it is
    ``accepted`` (its pairs follow one grade: inliers ≥ ``LOOK_INLIER_MIN``)."""

    look: Fit
    accepted: bool


def look_from_exemplars(
    exemplars: Exemplars,
    targets: Sequence[np.ndarray],
    prior: np.ndarray,
    *,
    uniform: float = UNIFORM,
    inlier_min: float = LOOK_INLIER_MIN,
) -> ExemplarLook | None:
    """The look through the best-registering exemplars, or None when no exemplar registers to the targets.
    ``inlier_min``: the acceptance threshold (``LOOK_INLIER_MIN``; the benchmark passes ``fit.INLIER_MIN``, 0.5,
    for the acceptance before 2026-12-03)."""
    corr = exemplars.pairs_to(targets)
    if corr is None:
        return None
    look = fit_pairs(corr, init=prior, uniform=uniform)
    return ExemplarLook(look, look.inliers >= inlier_min)
