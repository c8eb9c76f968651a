"""The lighting edit: match a shot (or a region of it) to a reference shot/frame, with parametric adjustments,
through a smooth grade (``editor.lighting.smooth``) — then render it and account for it.

1. Frames: 8 of the shot over the edited range; the reference's given frame (or 8 of the reference shot) with the
   user's ``Adjustments`` applied: that is the target look. No reference: the target is the shot itself, adjusted.
2. The project's model predicts the grade from thumbnails of both (``editor.lighting.model``).
3. ``editor.lighting.fit`` refines it: on corresponding pixels when the reference shows the same set-up (with a
   region: the *corresponding region* of the reference, weighted by the region's feathered weights); on a user-
   picked reference patch (``reference_region``) by colour distribution; from the reference's ungraded original when
   the user gives it (``reference_original``: the look is fitted on the pairs original → reference,
   ``editor.lighting.original``, and transferred to the shot as it is); from that original found in the dailies
   offered (``dailies``: the project's catalogue, searched by ``editor.lighting.search`` when no original is named,
   ``"dailies"``); for another scene through the project's exemplars or, failing them, the model's prediction (the
   look is estimated from whole frames, then applied in the region). Which one ran is recorded
   (``metrics.grade_method``); a grade fitted to no pixel (``"model"``: neither the shot nor the project's exemplars
   show the reference's set-up — an exemplar that only resembles it is refused, ``exemplars.LOOK_INLIER_MIN``) is
   flagged to the user (``Grade.warning``, ``RelightPlan.warnings``, ``metrics.grade_warning``, printed by the CLI);
   an exemplar look comes with a note of what would pin it down (``Grade.note``, ``RelightPlan.notes``: the
   reference's original).
4. ONE grade per shot, so every frame gets the same colour mapping (temporally stable by construction; the
   region's weights are fixed too). A CDL is least-squares fitted to it for colourists (``.cdl``/``.cc``; its
   residual ΔE is reported); the grade itself exports as a 33³ ``.cube``.
5. Frames in the range are blended ``src·(1−w) + G(src)·w`` with the feathered region weights ``w``; the writer
   copies every sample outside the region from the source, so the declared region is true.

This module holds the edit's parameters and plan (``Shot``, ``LoadedModel``, ``RelightPlan``), the planning (steps 1
and 4, ``plan_relight``) and the render with its account (step 5, ``relight``); the grade itself (steps 2 and 3,
``match_grade``) is fitted in :mod:`editor.lighting._match` and re-exported here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from editor.errors import EditParameterError
from editor.lighting._match import _crop, match_grade
from editor.lighting.cdl import Cdl
from editor.lighting.exemplars import Exemplars
from editor.lighting.grade import Grade
from editor.lighting.grades import Adjustments
from editor.lighting.lut import Lut3D, ShotLut
from editor.lighting.mask import auto_feather, blend_in_support, matte_weights, rectangle_weights, support_region
from editor.lighting.metrics import delta_e76
from editor.lighting.model import GradeNet
from editor.lighting.search import Dailies
from editor.results import EditResult, FrameRange, OutputMedia
from editor.segmented import FrameEditor, render_frames
from media import MediaInfo, Progress, Region, SegmentExecutor, Stages, iter_frames, read_frame, sample_indices

KIND = "lighting.relight"
SAMPLES = 8
_NO_ADJUSTMENT = Adjustments()


@dataclass(frozen=True)
class Shot:
    """A clip to edit or match: its probed media and content hash."""

    info: MediaInfo
    content_hash: str


@dataclass(frozen=True)
class LoadedModel:
    """A lighting model loaded from the registry, with the ids that go into the result."""

    net: GradeNet
    model_id: str
    model_file_hash: str
    exemplars: Exemplars = field(default_factory=lambda: Exemplars.build([]))


@dataclass(frozen=True)
class RelightPlan:
    """Everything decided before rendering: the grade, its CDL approximation and where it applies."""

    grade: Grade
    weights: np.ndarray
    region: Region
    frames: FrameRange
    feather: int

    @property
    def lut(self) -> Lut3D:
        return self.grade.lut

    @property
    def cdl(self) -> Cdl:
        return self.grade.cdl

    @property
    def cdl_residual_delta_e(self) -> float:
        return self.grade.cdl_residual_delta_e

    @property
    def warnings(self) -> tuple[str, ...]:
        """What the user must know before trusting this plan (empty when the grade was fitted to pixels)."""
        w = self.grade.warning
        return () if w is None else (w,)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the user may do for a better grade (``Grade.note``; not a doubt about this one)."""
        n = self.grade.note
        return () if n is None else (n,)


def plan_relight(
    shot: Shot,
    model: LoadedModel,
    *,
    reference: Shot | None = None,
    reference_frame: int | None = None,
    reference_region: Region | None = None,
    reference_original: Shot | None = None,
    reference_original_frame: int | None = None,
    dailies: Dailies | None = None,
    adjustments: Adjustments = _NO_ADJUSTMENT,
    region: Region | None = None,
    matte: Path | None = None,
    feather: int | None = None,
    start: int = 0,
    end: int | None = None,
) -> RelightPlan:
    """Decide the edit (grade, CDL, weights) without writing anything.

    Args:
        reference_region: A patch of the reference frame(s) whose colours the shot's region should take (e.g. the
            same actor's skin in another scene); without it the region is matched to the corresponding region of
            a same-set-up reference, or, for another scene, graded with the look estimated from whole frames.
        reference_original: The ungraded clip the reference was graded from: the look is fitted from it to the
            reference (a look transfer; the shot keeps its own colour) instead of being estimated.
        reference_original_frame: The original's frame that the reference frame was graded from (a reference
            given as one frame; default: the reference's own frame number(s), which the original must have).
        dailies: Clips to search for the reference's original when none is named, no patch is given and the shot's
            own frames do not correspond to the reference (``editor.lighting.search``); the reference itself is
            left out.
        feather: Soft-edge width in pixels inside the region/matte (default: 8 % of the region's shorter side,
            at least 8 px).

    Raises:
        EditParameterError: bad range, region, matte, reference frame, patch or original; nothing to do.
    """
    info = shot.info
    end = info.frame_count if end is None else end
    frames = FrameRange(start, end, info.frame_rate)
    if end > info.frame_count:
        raise EditParameterError(f"--end {end} is past the last frame of {info.path.name} ({info.frame_count})")
    if region is not None and matte is not None:
        raise EditParameterError("give either a region rectangle or a matte, not both")
    if reference_region is not None and reference is None:
        raise EditParameterError("a reference region (patch) needs a --reference shot or frame to take it from")
    if reference_original is not None and reference is None:
        raise EditParameterError("a reference's original (--reference-original) needs the --reference graded from it")
    if matte is not None:
        feather = 16 if feather is None else feather
        weights = matte_weights(matte, info.width, info.height, feather)
    else:
        rect = region or Region(0, 0, info.width, info.height)
        feather = (auto_feather(rect) if feather is None else feather) if region is not None else 0
        weights = rectangle_weights(rect, info.width, info.height, feather)
    declared = support_region(weights)
    if reference is None and reference_frame is None and adjustments.is_identity:
        raise EditParameterError("nothing to do: give a --reference shot/frame or at least one adjustment")
    idx = sample_indices(info.frame_count, SAMPLES, start=start, end=end)
    src_frames = [np.asarray(a, np.float32) for _, a in iter_frames(info, start=start, end=end, indices=idx)]
    whole = region is None and matte is None
    if reference is None:
        targets = [adjustments.apply(f) for f in src_frames]
        grade = match_grade(
            model.net, model.exemplars, src_frames, targets, weights=None if whole else weights, same_frames=True
        )
        return RelightPlan(grade, weights, declared, frames, feather)
    ref_info = reference.info
    if reference_frame is not None:
        if not 0 <= reference_frame < ref_info.frame_count:
            raise EditParameterError(
                f"reference frame {reference_frame} is outside {ref_info.path.name} (0–{ref_info.frame_count - 1})"
            )
        ref_frames = [read_frame(ref_info, reference_frame)]
    else:
        ref_frames = [a for _, a in iter_frames(ref_info, indices=sample_indices(ref_info.frame_count, SAMPLES))]  # type: ignore[misc]
    if reference_region is not None and not reference_region.fits(ref_info.width, ref_info.height):
        raise EditParameterError(
            f"reference region {reference_region.as_json()} does not fit the {ref_info.width}×{ref_info.height} "
            "reference"
        )
    originals = None
    if reference_original is not None:
        if reference_region is not None:
            raise EditParameterError(
                "give either a reference patch (matches the region to its colours) or the reference's original "
                "(transfers the reference's look), not both"
            )
        originals = _original_frames(reference, reference_frame, reference_original, reference_original_frame)
    elif reference_original_frame is not None:
        raise EditParameterError("an original frame needs the reference's original (--reference-original SHOT@FRAME)")
    targets = [adjustments.apply(np.asarray(f, np.float32)) for f in ref_frames]
    grade = match_grade(
        model.net,
        model.exemplars,
        src_frames,
        targets,
        weights=None if whole else weights,
        target_patch=reference_region,
        originals=originals,
        dailies=None if dailies is None else dailies.without(reference.content_hash),
    )
    return RelightPlan(grade, weights, declared, frames, feather)


def _original_frames(
    reference: Shot, reference_frame: int | None, original: Shot, original_frame: int | None
) -> list[np.ndarray]:
    """The original's frames, one per reference frame read by ``plan_relight`` (the same frame numbers, or the one
    frame named)."""
    ref_info, info = reference.info, original.info
    if original.content_hash == reference.content_hash:
        raise EditParameterError(
            f"the reference's original is the reference itself ({info.path.name}): give the ungraded clip it was "
            "graded from"
        )
    if original_frame is not None:
        if reference_frame is None:
            raise EditParameterError(
                "an original frame (SHOT@FRAME) pairs with one reference frame: give the reference as SHOT@FRAME too"
            )
        wanted = [original_frame]
    elif reference_frame is not None:
        wanted = [reference_frame]
    else:
        if info.frame_count != ref_info.frame_count:
            raise EditParameterError(
                f"the reference's original {info.path.name} has {info.frame_count} frames and the reference "
                f"{ref_info.path.name} {ref_info.frame_count}: give one frame of each (SHOT@FRAME)"
            )
        wanted = sample_indices(ref_info.frame_count, SAMPLES)
    for n in wanted:
        if not 0 <= n < info.frame_count:
            raise EditParameterError(
                f"frame {n} is outside the reference's original {info.path.name} (0–{info.frame_count - 1}); name "
                "its frame that the reference was graded from (SHOT@FRAME)"
            )
    return [np.asarray(a, np.float32) for _, a in iter_frames(info, indices=wanted)]


def relight(
    shot: Shot,
    model: LoadedModel,
    out_path: Path,
    *,
    reference: Shot | None = None,
    reference_frame: int | None = None,
    reference_region: Region | None = None,
    reference_original: Shot | None = None,
    reference_original_frame: int | None = None,
    dailies: Dailies | None = None,
    adjustments: Adjustments = _NO_ADJUSTMENT,
    region: Region | None = None,
    matte: Path | None = None,
    feather: int | None = None,
    start: int = 0,
    end: int | None = None,
    workers: int = 1,
    executor: SegmentExecutor | None = None,
    progress: Progress | None = None,
) -> tuple[EditResult, RelightPlan]:
    """Plan and render the relight; returns the true account of it and the plan (for CDL/LUT export). With
    ``workers`` > 1 or an ``executor`` the frames are graded and encoded in segments in parallel
    (``editor.segmented``; the same output). ``progress`` gets the fraction of the relight done (``media.Progress``):
    the plan (its ``SAMPLES`` frames through the model count as that many frames), then the frames written.

    Raises:
        EditParameterError: invalid parameters (nothing written).
        RenderError: the output cannot be written (nothing left at ``out_path``).
    """
    stages = Stages(progress, plan=SAMPLES, render=shot.info.frame_count)
    plan = plan_relight(
        shot,
        model,
        reference=reference,
        reference_frame=reference_frame,
        reference_region=reference_region,
        reference_original=reference_original,
        reference_original_frame=reference_original_frame,
        dailies=dailies,
        adjustments=adjustments,
        region=region,
        matte=matte,
        feather=feather,
        start=start,
        end=end,
    )
    stages.at("plan", 1.0)
    info = shot.info
    frames = _RelightFrames(info, plan)
    report, _check = render_frames(
        info, out_path, frames, workers=workers, executor=executor, progress=stages.part("render")
    )
    changes = frames.changes
    h = hashlib.sha256()
    with open(report.path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    parameters = {
        "reference_hash": None if reference is None else reference.content_hash,
        "reference_frame": reference_frame,
        "reference_region": None if reference_region is None else reference_region.as_json(),
        **_original_parameters(reference_original, reference_original_frame),
        "adjustments": adjustments.as_json(),
        "region": None if region is None else region.as_json(),
        "matte_sha256": None if matte is None else hashlib.sha256(Path(matte).read_bytes()).hexdigest(),
        "feather": plan.feather,
        "grade": plan.grade.smooth.as_json(),
        "lut_size": plan.lut.size,
    }
    g = plan.grade
    metrics: dict[str, float | int | str] = {
        "mean_delta_e_in_region": round(float(np.mean(changes)) if changes else 0.0, 4),
        "cdl_residual_delta_e": g.cdl_residual_delta_e,
        "grade_method": g.method,
        "edited_frames": report.edited_frames,
    }
    if g.short_warning is not None:
        metrics["grade_warning"] = g.short_warning
    if np.isfinite(g.inliers):
        metrics["grade_inliers"] = g.inliers
    if np.isfinite(g.ncc):
        metrics["registration_ncc"] = g.ncc
    metrics.update(g.search_metrics())
    result = EditResult(
        kind=KIND,
        source_hash=shot.content_hash,
        output=OutputMedia.written(report, h.hexdigest()),
        model_id=model.model_id,
        model_file_hash=model.model_file_hash,
        parameters=parameters,
        frames=plan.frames,
        region=plan.region,
        frame_size=(info.width, info.height),
        metrics=metrics,
    )
    return result, plan


def _original_parameters(original: Shot | None, frame: int | None) -> dict[str, object]:
    """The original's hash and frame, recorded only when one was given (results of relights without it, and their
    hashes, stay as they were)."""
    if original is None:
        return {}
    return {"reference_original_hash": original.content_hash, "reference_original_frame": frame}


class _RelightFrames(FrameEditor):
    """The relight's per-frame work: one grade blended in with the region's weights (no temporal state). The
    colour change in the region is sampled on the first ``SAMPLES`` frames of the range whose number is a multiple
    of ``every``."""

    def __init__(self, info: MediaInfo, plan: RelightPlan) -> None:
        super().__init__(info, plan.frames.as_range())
        self.lut, self.smooth, self.weights, self.region = plan.lut, plan.grade.smooth, plan.weights, plan.region
        self.exact8 = info.bit_depth <= 8
        every = max(1, len(self.span) // SAMPLES)
        self.sampled = frozenset([n for n in self.span if n % every == 0][:SAMPLES])
        self.measured: dict[int, float] = {}
        self.changes: list[float] = []

    def frame(self, n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if getattr(self, "_rt_lut", None) is None:
            self._rt_lut = _shot_lut(self.lut)
            self._rt_w3, self._rt_support = self.weights[..., None], self.weights > 0
            self._rt_box = support_region(self.weights)
        grade = (lambda px: self._rt_lut.apply(px, exact_8bit=True)) if self.exact8 else self.smooth.apply
        out = blend_in_support(rgb, grade, self._rt_w3, self._rt_box)
        if n in self.sampled:
            r = self.region
            self.measured[n] = delta_e76(_crop(rgb, r)[::4, ::4], _crop(out, r)[::4, ::4])
        return out, self._rt_support

    def record(self) -> dict[int, float]:
        return self.measured

    def merge(self, records: list[dict[int, float]]) -> None:
        self.measured = {n: v for r in records for n, v in r.items()}
        self.changes = [self.measured[n] for n in sorted(self.measured)]


_SHOT_LUTS: dict[bytes, ShotLut] = {}


def _shot_lut(lut: Lut3D) -> ShotLut:
    """One ``ShotLut`` per grade and process: a worker that renders several segments of a shot builds the 8-bit
    expansion (about a second) once."""
    key = hashlib.sha256(np.ascontiguousarray(lut.table).tobytes()).digest()
    if key not in _SHOT_LUTS:
        _SHOT_LUTS.clear()
        _SHOT_LUTS[key] = ShotLut(lut)
    return _SHOT_LUTS[key]
