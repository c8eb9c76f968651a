"""The eyeline edit: move performer P's gaze by (dx°, dy°) over a frame range → output clip + ``EditResult``.

1. Find the performer's face track in the range (the project's cast model says which face is theirs) on sampled
   frames; interpolate the box to every frame and smooth it over time (Gaussian, σ = 1/15 s), so the eye
   patches — cut at the performer's learnt eye geometry — do not jitter.
2. The shot's open eye is read on up to 32 of those frames (``blink.reference``: the white beside each iris
   against the iris), so that a blink can be told from it.
3. Per frame, both eyes are warped (``editor.eyeline.warper``): the iris is moved by the requested rotation
   (``editor.eyeline.iris``: the stated eye model turns degrees into the iris's displacement, the whole iris moves,
   the white of the eye beside it is squeezed and stretched, the corners stay; on a look up or down the lids follow,
   ``editor.eyeline.lids``, anchored on each eye's iris row over the frames of step 2) and its catchlight by the
   cornea's share of that (``editor.eyeline.catchlight``). The flow is smoothed over time (exponential, half-life
   1/30 s) so the eyes do not shimmer, and the requested shift eases in and out over 0.1 s at the range's ends;
   those times are turned into frames at the shot's rate (``editor.eyeline.timing``). While the eyes are shut the
   shift is held back (``editor.eyeline.blink``). The flow is resampled to the real patch and applied to the frame
   (sampling real pixels), blended in with a feathered ellipse inside each eye patch.
4. Only the eye patches change: every other pixel is copied from the source planes by ``media.render``; the
   declared region is the union of changed pixels.
Metrics (in ``EditResult.metrics``, read as ``editor.eyeline.measure`` says): the gaze shift achieved vs requested
(degrees, stated eye model; frames with the eyes shut are not read), the frames held back for blinks, and the warping
error of the eye region relative to the source's (a pair across which a blink's hold changes is left out). Both are
read on up to ``measure.PAIRS`` pairs of consecutive frames where the look is held (``Timing.settled``; the whole
range when it is too short for that). Until stop 52 the ease's first and last pairs were among them, and the eyes
moving to their new look there counted as flicker (13 and 5 times the source's error on a 6° look on CREMA-D's
close-up); until stop 53 they were 10 pairs of whole frames.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from scipy.ndimage import gaussian_filter1d

from editor.cast import CastModel, Track, track_faces
from editor.dailies import content_hash
from editor.errors import EditParameterError
from editor.eyeline._data import find_performer
from editor.eyeline._eyes import PATCH_H, cut_patch, iris_centre
from editor.eyeline.blink import CLOSED, OPEN, reference, sclera_contrast
from editor.eyeline.catchlight import SHARE
from editor.eyeline.errors import EyelineError, EyelineModelError, ShiftOutOfRangeError
from editor.eyeline.iris import FALLOFF, LIMBUS
from editor.eyeline.lids import LOWER, UPPER
from editor.eyeline.measure import PairCut, Pairs, achieved_shift, pair_region, pair_starts, summarise
from editor.eyeline.model import KIND, EyelineModel
from editor.eyeline.timing import Timing
from editor.eyeline.warper import EyeWarper
from editor.results import EditResult, FrameRange, OutputMedia, region_of_mask
from editor.segmented import FrameEditor, Portable, render_frames
from media import MediaInfo, Progress, SegmentExecutor, Stages, iter_frames, probe

DETECT_STRIDE = 4
# what a copy of the per-frame work records: the changed pixels (packed), the gaze read by frame, the pairs (read, and
# the cuts of those another segment holds a frame of), the blink's hold by frame (``_EyelineFrames``)
_Record = tuple[np.ndarray, dict[int, Any], Pairs, dict[int, float]]
_BLINK_FRAMES = 32  # detection frames read for the shot's open-eye contrast


def check_shift(model: EyelineModel, shift: tuple[float, float]) -> tuple[float, float]:
    """Validate a requested (dx°, dy°) against the range the model learnt.

    Raises:
        ShiftOutOfRangeError: not finite, zero, or beyond the learnt range.
    """
    dx, dy = (float(v) for v in shift)
    if not (math.isfinite(dx) and math.isfinite(dy)):
        raise ShiftOutOfRangeError(f"gaze shift {shift} must be two finite numbers of degrees")
    if dx == 0 and dy == 0:
        raise ShiftOutOfRangeError("gaze shift 0,0 changes nothing; give DX,DY in degrees (e.g. 4,0)")
    rx, ry = model.shift_range
    if abs(dx) > rx + 1e-9 or abs(dy) > ry + 1e-9:
        raise ShiftOutOfRangeError(
            f"gaze shift {dx:g}°,{dy:g}° is outside what {model.performer!r}'s model learnt from the dailies "
            f"(±{rx:.1f}° horizontally, ±{ry:.1f}° vertically); ask for less, or train on takes with wider looks"
        )
    return dx, dy


def _open_eyes(
    info: MediaInfo, model: EyelineModel, track: Track, boxes: np.ndarray, first: int
) -> tuple[tuple[float, float] | None, tuple[float, float]]:
    """On up to ``_BLINK_FRAMES`` of the face's detection frames spread over the range: the shot's open-eye
    contrasts (``blink.reference``), and each eye's iris row, the median (patch px): the lids' follow is anchored
    there (``lids``), so that it does not jump with a frame's iris estimate."""
    seen = track.frames
    picks = [seen[i] for i in np.linspace(0, len(seen) - 1, min(len(seen), _BLINK_FRAMES)).round().astype(int)]
    contrasts, rows = [], []
    for index, rgb in iter_frames(info, start=first, end=first + len(boxes), fmt="rgb24", indices=picks):
        face = tuple(float(v) for v in boxes[index - first])
        frame = np.asarray(rgb, np.float32) / 255.0
        patches = [cut_patch(frame, box) for box in model.geometry.patch_boxes(face)]  # type: ignore[arg-type]
        centres = [iris_centre(p) for p in patches]
        contrasts.append([sclera_contrast(p) for p in patches])
        rows.append([c[1] for c in centres])
    anchors = np.median(rows, axis=0) if rows else np.full(2, (PATCH_H - 1) / 2)
    return reference(np.array(contrasts)), (float(anchors[0]), float(anchors[1]))


def _boxes(track: Track, frames: range, sigma: float) -> np.ndarray:
    """The track's landmark-derived face boxes on every frame of the range, smoothed over time (σ in frames)."""
    out = track.canonical_boxes(frames)
    return gaussian_filter1d(out, sigma=sigma, axis=0, mode="nearest") if len(out) > 1 else out


def redirect_gaze(
    source: Path,
    out_path: Path,
    model: EyelineModel,
    shift: tuple[float, float],
    *,
    performer: str,
    cast: CastModel | None = None,
    model_ref: tuple[str, str] | None = None,
    start: int | None = None,
    end: int | None = None,
    overwrite: bool = False,
    workers: int = 1,
    executor: SegmentExecutor | None = None,
    progress: Progress | None = None,
) -> EditResult:
    """Move ``performer``'s gaze in ``source`` by ``shift`` = (dx°, dy°) over frames ``start``–``end``.

    Args:
        source: The shot.
        out_path: Output file (``.mp4``/``.mov`` to suit the source's codec family).
        model: The performer's trained eyeline model.
        shift: Degrees; +dx = towards image right, +dy = down.
        performer: The performer's label (must be the model's).
        cast: The project's cast model, to tell which face is the performer's (needed when several faces show).
        model_ref: ``(model id, model file hash)`` recorded in the result.
        start: First frame (default 0). end: One past the last frame (default: clip end).
        overwrite: Replace an existing output.
        workers: Render in segments on this many worker processes (``editor.segmented``: the same output; the
            smoothed fields are warmed up before each cut and checked to meet the previous segment's).
        executor: Render the segments on this executor instead (e.g. the Ray engine's).
        progress: Called with the fraction of the edit done, in this process (``media.Progress``): the face
            tracking (half a frame's share per detection), then the frames written, then the metrics (``media.Stages``).

    Raises:
        EyelineModelError: the model is another performer's.
        ShiftOutOfRangeError: the shift is zero, not finite, or beyond the learnt range.
        EditParameterError: the range is outside the clip.
        NoFaceError / PerformerNotInShotError: no face, or not the performer's, in the range.
        RenderError: the output cannot be written (nothing is left at ``out_path``).
    """
    if model.performer != performer:
        raise EyelineModelError(f"this eyeline model is {model.performer!r}'s, not {performer!r}'s; train theirs")
    dx, dy = check_shift(model, shift)
    info = probe(Path(source))
    first, last = start or 0, info.frame_count if end is None else end
    if not 0 <= first < last <= info.frame_count:
        raise EditParameterError(f"frame range {first}–{last} is outside {info.path.name} (0–{info.frame_count})")
    frames = range(first, last)
    samples = max(2, math.ceil((last - first) / DETECT_STRIDE) + 1)
    # tracking's share: a detection took about half a rendered frame's time (20 on a 75-frame GRID take: 8.2 s of 67)
    stages = Stages(progress, track=samples / 2, render=info.frame_count, measure=1)
    tracks, _ = track_faces(info, start=first, end=last, samples=samples, embed=cast is not None)
    track = find_performer(tracks, performer, cast, info.path.name)
    timing = Timing.at(info.frame_rate)
    boxes = _boxes(track, frames, timing.box_sigma)
    blinks, lids_at = _open_eyes(info, model, track, boxes, first)
    stages.at("track", 1.0)
    editor = _EyelineFrames(info, frames, model, (dx, dy), boxes, timing, blinks, lids_at)
    report, _check = render_frames(
        info, Path(out_path), editor, overwrite=overwrite, workers=workers, executor=executor,
        progress=stages.part("render"),
    )  # fmt: skip
    changed = editor.changed
    try:
        region = region_of_mask(changed)
        if region is None:
            raise EyelineError(
                "the edit changed no pixel (the eyes are too small or the shift too slight); nothing was written"
            )
        metrics = summarise(editor.gaze, editor.pairs.read, (dx, dy))
        metrics["frames_held_for_blinks"] = float(sum(v < 0.5 for v in editor.held.values()))
    except BaseException:
        Path(out_path).unlink(missing_ok=True)
        raise
    parameters: dict[str, Any] = {
        "performer": performer,
        "shift_deg": [dx, dy],
        **timing.as_parameters(),
        "iris_radius": round(LIMBUS, 4),
        "falloff_radii": FALLOFF,
        "catchlight_share": round(SHARE, 4),
        "lids_follow": None  # a look aside moves no lid
        if dy == 0
        else {"upper": UPPER, "lower": round(LOWER, 4), "anchor_rows": [round(v, 3) for v in lids_at]},
        "blink_hold": None
        if blinks is None
        else {"open_eye_contrast": [round(v, 4) for v in blinks], "closed": CLOSED, "open": OPEN},
        "detect_stride": DETECT_STRIDE,
        "eye_geometry": model.geometry.as_json(),
        "face_track": track.summary(),
    }
    stages.at("measure", 1.0)
    return EditResult(
        kind=KIND,
        source_hash=content_hash(info.path),
        output=OutputMedia.written(report, content_hash(report.path)),
        model_id=model_ref[0] if model_ref else None,
        model_file_hash=model_ref[1] if model_ref else None,
        parameters=parameters,
        frames=FrameRange(first, last, info.frame_rate),
        region=region,
        frame_size=(info.width, info.height),
        metrics=metrics,
    )


class _EyelineFrames(FrameEditor):
    """The eyeline edit's per-frame work: both eyes warped with fields smoothed over time (temporal state), the
    shift eased in and out (``timing``); records the changed pixels and the metric frames."""

    def __init__(
        self,
        info: MediaInfo,
        span: range,
        model: EyelineModel,
        shift: tuple[float, float],
        boxes: np.ndarray,
        timing: Timing,
        blinks: tuple[float, float] | None,
        lids_at: tuple[float, float],
    ) -> None:
        super().__init__(info, span)
        self.blinks, self.lids_at = blinks, lids_at
        self.model, self.shift, self.boxes = Portable.of(model.to_bytes(), EyelineModel.from_bytes), shift, boxes
        self.timing = timing
        self.warm_up = timing.warm_up  # the smoothing's start forgotten to 0.5^48 ≈ 4e-15
        first, last = span.start, span.stop
        held = timing.settled(last - first)  # the metrics' frames: the look held, not eased (``Timing.settled``)
        a, b = (first + held.start, first + held.stop - 1) if len(held) >= 2 else (first, last - 1)
        self.starts = set(pair_starts(a, b))  # the pairs read (``measure``): each start and the frame after it
        self.changed = np.zeros((info.height, info.width), bool)
        self.gaze: dict[int, tuple[np.ndarray, float]] = {}  # frame → (achieved shift, share of the shift asked)
        self.pairs = Pairs()  # the pairs read, and the cuts of those whose other frame is not yet rendered
        self.held: dict[int, float] = {}  # frame → the share of the eased shift a blink left it

    def _warper(self) -> EyeWarper:
        if getattr(self, "_rt_warper", None) is None:
            self._rt_warper = EyeWarper(self.model.load(), self.shift, self.timing.alpha, self.blinks, self.lids_at)
        return self._rt_warper

    def _at(self, index: int) -> tuple[tuple[float, float, float, float], float]:
        k = index - self.span.start
        ramp = self.timing.ease(k, len(self.span))
        return tuple(float(v) for v in self.boxes[k]), ramp  # type: ignore[return-value]

    def warm(self, n: int, rgb: np.ndarray) -> None:
        face, ramp = self._at(n)
        self._warper().advance(np.asarray(rgb, np.float32), face, ramp)

    def state(self) -> list[np.ndarray | None]:
        return list(self._warper().state)

    def frame(self, index: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        face, ramp = self._at(index)
        out, support, held = self._warper()(np.asarray(rgb, np.float32), face, ramp)
        self.held[index] = held
        src8 = np.clip(np.rint(rgb * 255.0), 0, 255).astype(np.uint8)
        out8 = np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8)
        support &= (out8 != src8).any(axis=-1)
        self.changed[support] = True
        if held >= 0.5 and (index in self.starts or index - 1 in self.starts):  # eyes shut: no gaze to read
            self.gaze[index] = (achieved_shift(self._warper().model, face, src8, out8), ramp * held)
        for start in (index - 1, index):
            if start in self.starts:
                self.pairs.add(start, index, PairCut.of(src8, out8, support, held, self._region(start)))
        return np.where(support[..., None], out8.astype(np.float32) / 255.0, rgb), support

    def _region(self, start: int) -> tuple[slice, slice]:
        """Where the pair starting at frame ``start`` is read (``measure.pair_region``)."""
        geometry = self._warper().model.geometry
        k = start - self.span.start
        eyes = [e for face in self.boxes[k : k + 2] for e in geometry.patch_boxes(tuple(float(v) for v in face))]
        return pair_region(eyes, (self.info.height, self.info.width))

    def record(self) -> _Record:
        return np.packbits(self.changed), self.gaze, self.pairs, self.held

    def merge(self, records: list[_Record]) -> None:
        changed = np.zeros(self.changed.shape, bool)
        for bits, *_ in records:
            changed |= np.unpackbits(bits, count=changed.size).reshape(changed.shape).astype(bool)
        self.changed = changed
        self.gaze = {n: v for r in records for n, v in r[1].items()}
        self.pairs = Pairs.merged([r[2] for r in records])
        self.held = {n: v for r in records for n, v in r[3].items()}
