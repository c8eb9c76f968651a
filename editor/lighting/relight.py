"""The lighting edit: match a shot (or a region of it) to a reference shot/frame, with parametric adjustments,
through the project's learned model — then render it and account for it.

1. Thumbnails of the shot (8 frames over the edited range, cropped to the region) and of the reference (the given
   frame, or 8 frames of the reference shot) with the user's ``Adjustments`` applied to the reference: that is
   the target look. No reference: the target is the shot itself, adjusted.
2. The model predicts basis-LUT weights per thumbnail pair; they are averaged into ONE 33³ LUT for the whole shot
   (temporally stable by construction: every frame gets the same colour mapping).
3. A CDL is least-squares fitted to that LUT on the shot's pixels for colourists (``.cdl``/``.cc``; its residual
   ΔE is reported); the LUT itself exports as ``.cube``.
4. Frames in the range are blended ``src·(1−w) + LUT(src)·w`` with the feathered region weights ``w``; the writer
   copies every sample outside the region from the source, so the declared region is true.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from editor.errors import EditParameterError
from editor.lighting.cdl import Cdl, fit_match, fit_pairs
from editor.lighting.grades import Adjustments, tone_curves
from editor.lighting.lut import Lut3D, ShotLut
from editor.lighting.mask import matte_weights, rectangle_weights, support_region
from editor.lighting.metrics import delta_e76, to_lab
from editor.lighting.model import THUMB, AdaptiveLutNet
from editor.results import EditResult, FrameRange, OutputMedia
from media import MediaInfo, Region, iter_frames, read_frame, render, sample_indices

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

    net: AdaptiveLutNet
    model_id: str
    model_file_hash: str


@dataclass(frozen=True)
class RelightPlan:
    """Everything decided before rendering: the shot LUT, its CDL approximation and where it applies."""

    lut: Lut3D
    cdl: Cdl
    weights: np.ndarray
    region: Region
    frames: FrameRange
    basis_weights: tuple[float, ...]
    cdl_residual_delta_e: float
    stage: str  # "cdl", "cdl+curves" or "cdl+curves+lut" (the learned refinement): what came closest


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    """Distance between two pixel sets' colour distributions: mean |ΔLab| over 17 quantiles per channel."""
    qs = np.linspace(0.02, 0.98, 17)
    return float(np.abs(np.quantile(to_lab(a), qs, axis=0) - np.quantile(to_lab(b), qs, axis=0)).mean())


def _thumb(rgb: np.ndarray) -> np.ndarray:
    return cv2.resize(rgb, (THUMB, THUMB), interpolation=cv2.INTER_AREA)


def _crop(rgb: np.ndarray, r: Region) -> np.ndarray:
    return rgb[r.y : r.y + r.height, r.x : r.x + r.width]


@dataclass(frozen=True)
class Grade:
    """The grade taking a shot to a target look: one LUT for the shot, its CDL approximation, and which stages."""

    lut: Lut3D
    cdl: Cdl
    stage: str
    basis_weights: tuple[float, ...]
    cdl_residual_delta_e: float


def match_grade(net: AdaptiveLutNet, src_frames: list[np.ndarray], target_frames: list[np.ndarray]) -> Grade:
    """Grade taking ``src_frames`` (float RGB) to the look of ``target_frames`` (reference, adjusted).

    Stage 1 fits a CDL matching the distributions, stage 2 per-channel tone curves (quantile mapping), stage 3
    the learned model's LUT (cross-channel corrections: saturation, hue twists); of the three cumulative
    results, the one bringing the shot closest to the target look's distribution is kept. One LUT per shot.
    """
    src_thumbs = np.stack([_thumb(f) for f in src_frames])
    ref_thumbs = np.stack([_thumb(f) for f in target_frames])
    pixels = np.concatenate([f.reshape(-1, 3) for f in src_frames])
    pixels = pixels[np.random.default_rng(0).choice(len(pixels), min(len(pixels), 20000), replace=False)]
    ref_pixels = np.concatenate([f.reshape(-1, 3) for f in target_frames])
    ref_pixels = ref_pixels[np.random.default_rng(1).choice(len(ref_pixels), min(len(ref_pixels), 20000))]
    match = fit_match(pixels, ref_pixels)
    n = max(len(src_thumbs), len(ref_thumbs))
    src_t = np.resize(match.apply(src_thumbs), (n, THUMB, THUMB, 3)).astype(np.float32)
    ref_t = np.resize(ref_thumbs, (n, THUMB, THUMB, 3)).astype(np.float32)
    curves = tone_curves(match.apply(pixels), ref_pixels)
    src_t = np.stack([curves(t) for t in src_t]).astype(np.float32)
    refine, w = net.lut_for(src_t, ref_t, 33)
    candidates = {
        "cdl": Lut3D.from_function(match.apply, 33),
        "cdl+curves": Lut3D.from_function(lambda p: curves(match.apply(p)), 33),
        "cdl+curves+lut": Lut3D.from_function(lambda p: refine.apply(curves(match.apply(p))), 33),
    }
    scores = {k: _distance(v.apply(pixels), ref_pixels) for k, v in candidates.items()}
    stage = min(scores, key=lambda k: (scores[k], k))
    lut = candidates[stage]
    graded = lut.apply(pixels)
    cdl = match if stage == "cdl" else fit_pairs(pixels, graded)
    residual = round(delta_e76(cdl.apply(pixels), graded), 4)
    return Grade(lut, cdl, stage, tuple(float(round(v, 6)) for v in w), residual)


def plan_relight(
    shot: Shot,
    model: LoadedModel,
    *,
    reference: Shot | None = None,
    reference_frame: int | None = None,
    adjustments: Adjustments = _NO_ADJUSTMENT,
    region: Region | None = None,
    matte: Path | None = None,
    feather: int = 16,
    start: int = 0,
    end: int | None = None,
) -> RelightPlan:
    """Decide the edit (LUT, CDL, weights) without writing anything.

    Raises:
        EditParameterError: bad range, region, matte or reference frame; nothing to do.
    """
    info = shot.info
    end = info.frame_count if end is None else end
    frames = FrameRange(start, end, info.frame_rate)
    if end > info.frame_count:
        raise EditParameterError(f"--end {end} is past the last frame of {info.path.name} ({info.frame_count})")
    if region is not None and matte is not None:
        raise EditParameterError("give either a region rectangle or a matte, not both")
    if matte is not None:
        weights = matte_weights(matte, info.width, info.height, feather)
    else:
        rect = region or Region(0, 0, info.width, info.height)
        weights = rectangle_weights(rect, info.width, info.height, 0 if region is None else feather)
    declared = support_region(weights)
    if reference is None and reference_frame is None and adjustments.is_identity:
        raise EditParameterError("nothing to do: give a --reference shot/frame or at least one adjustment")
    idx = sample_indices(info.frame_count, SAMPLES, start=start, end=end)
    src_frames = [a for _, a in iter_frames(info, start=start, end=end, indices=idx)]
    if reference is not None:
        ref_info = reference.info
        if reference_frame is not None:
            if not 0 <= reference_frame < ref_info.frame_count:
                raise EditParameterError(
                    f"reference frame {reference_frame} is outside {ref_info.path.name} (0–{ref_info.frame_count - 1})"
                )
            ref_frames = [read_frame(ref_info, reference_frame)]
        else:
            ref_frames = [a for _, a in iter_frames(ref_info, indices=sample_indices(ref_info.frame_count, SAMPLES))]  # type: ignore[misc]
    else:
        ref_frames = [_crop(f, declared) for f in src_frames]  # type: ignore[arg-type]
    src_crops = [_crop(f, declared) for f in src_frames]  # type: ignore[arg-type]
    grade = match_grade(model.net, src_crops, [adjustments.apply(f) for f in ref_frames])
    lut, cdl, stage, w, residual = grade.lut, grade.cdl, grade.stage, grade.basis_weights, grade.cdl_residual_delta_e
    return RelightPlan(lut, cdl, weights, declared, frames, w, residual, stage)


def relight(
    shot: Shot,
    model: LoadedModel,
    out_path: Path,
    *,
    reference: Shot | None = None,
    reference_frame: int | None = None,
    adjustments: Adjustments = _NO_ADJUSTMENT,
    region: Region | None = None,
    matte: Path | None = None,
    feather: int = 16,
    start: int = 0,
    end: int | None = None,
) -> tuple[EditResult, RelightPlan]:
    """Plan and render the relight; returns the true account of it and the plan (for CDL/LUT export).

    Raises:
        EditParameterError: invalid parameters (nothing written).
        RenderError: the output cannot be written (nothing left at ``out_path``).
    """
    plan = plan_relight(
        shot,
        model,
        reference=reference,
        reference_frame=reference_frame,
        adjustments=adjustments,
        region=region,
        matte=matte,
        feather=feather,
        start=start,
        end=end,
    )
    info = shot.info
    shot_lut = ShotLut(plan.lut)
    exact8 = info.bit_depth <= 8
    w3 = plan.weights[..., None]
    support = plan.weights > 0
    changes: list[float] = []

    def edit(n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        graded = shot_lut.apply(rgb, exact_8bit=exact8)
        out = rgb + (graded - rgb) * w3
        if len(changes) < SAMPLES and n % max(1, len(plan.frames.as_range()) // SAMPLES) == 0:
            r = plan.region
            changes.append(delta_e76(_crop(rgb, r)[::4, ::4], _crop(out, r)[::4, ::4]))
        return out, support

    report = render(info, out_path, edit, frames=plan.frames.as_range())
    h = hashlib.sha256()
    with open(report.path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    parameters = {
        "reference_hash": None if reference is None else reference.content_hash,
        "reference_frame": reference_frame,
        "adjustments": adjustments.as_json(),
        "region": None if region is None else region.as_json(),
        "matte_sha256": None if matte is None else hashlib.sha256(Path(matte).read_bytes()).hexdigest(),
        "feather": feather,
        "lut_size": plan.lut.size,
    }
    result = EditResult(
        kind=KIND,
        source_hash=shot.content_hash,
        output=OutputMedia(report.path, h.hexdigest(), report.codec, report.container, report.timecode, report.audio),
        model_id=model.model_id,
        model_file_hash=model.model_file_hash,
        parameters=parameters,
        frames=plan.frames,
        region=plan.region,
        frame_size=(info.width, info.height),
        metrics={
            "mean_delta_e_in_region": round(float(np.mean(changes)) if changes else 0.0, 4),
            "cdl_residual_delta_e": plan.cdl_residual_delta_e,
            "grade_stage": plan.stage,
            "edited_frames": report.edited_frames,
        },
    )
    return result, plan
