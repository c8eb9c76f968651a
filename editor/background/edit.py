"""The background-replacement edit: source clip + new plate → output clip + a true ``EditResult``.

Steps: build the clean plate (supplied clean-plate shot, or estimated from the take) → fit the per-shot re-grade
of the performer towards the new plate → render every frame through ``media.render`` in the source's codec
family (audio and timecode carried), matting each frame in order (key → trimap → guided filter → optional refiner
→ flow stabilisation) and compositing over the new plate the performer's colour recovered against the clean plate
where the matte is fractional (``editor.background.foreground``: hair and soft edges keep no old-set colour beyond
the matte's own error).
The declared region is the bounding box of every pixel whose 8-bit value the edit changed; pixels outside it are
copied from the source planes, so they differ from the source only by codec noise. Deterministic: same source,
plate, model and parameters → same output bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from editor.background._exposure import MISMATCH, match_exposure
from editor.background._register import register_plate
from editor.background.composite import CdlRegrade, Regrade, fit_plate, regraded_composite
from editor.background.errors import BackgroundError, EmptyClipError, PlateError, PlateMismatchError
from editor.background.metrics import source_flows, warping_error
from editor.background.pipeline import BackgroundParams, ShotMatter, stabiliser
from editor.background.plate import (
    MIN_SET_RECOVERED,
    CleanPlate,
    estimate_plate,
    held_still,
    plate_from_shot,
    require_recoverable,
)
from editor.background.refiner import RefinerNet, dump_refiner, load_refiner
from editor.dailies import content_hash
from editor.errors import EditParameterError
from editor.results import EditResult, FrameRange, OutputMedia, region_of_mask
from editor.segmented import FrameEditor, Portable, render_frames
from media import MediaInfo, SegmentExecutor, Stages, iter_frames, probe, read_frame, sample_indices
from media.errors import MediaError

# The work before and after the render, in frame-equivalents of the render (the share of the progress each gets):
# measured on a 74-frame 720p take, the clean plate estimate and regrade fit took as long as about 11 rendered frames
# and the temporal metrics and hashes after it about 6 (both sample a fixed number of frames, whatever the length).
PREPARE_FRAMES, MEASURE_FRAMES = 11, 6

F32 = np.ndarray  # float32; loose alias: OpenCV stubs return untyped arrays
U8 = np.ndarray  # uint8
KIND = "background"
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".exr", ".dpx", ".webp"})
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM", b"RIFF")


def _looks_like_image(path: Path) -> bool:
    """By extension, or by magic bytes for suffix-less files (e.g. content-addressed uploads)."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return True
    with open(path, "rb") as fh:
        head = fh.read(8)
    return any(head.startswith(m) for m in _IMAGE_MAGIC)


_METRIC_PAIRS = 12
FOREGROUND_DESCRIPTION = {
    "multilevel": "multi-level foreground estimation against the clean plate (Germer et al. 2020)",
    "frame": "the take's own pixels (old set mixed into soft edges)",
}


@dataclass(frozen=True)
class Plate:
    """The new background: a still image, or one frame of another shot of the production."""

    path: Path
    kind: str  # "image" | "shot"
    frame: int
    content_hash: str
    image: F32

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "content_hash": self.content_hash, "frame": self.frame, "name": self.path.name}


def load_plate(path: Path, *, frame: int = 0) -> Plate:
    """Load a replacement plate: an image file (PNG, JPEG, TIFF, ...; 8 or 16 bit; recognised by extension or, for
    files without one, by content) or a frame of a video clip.

    Raises:
        PlateError: The file is missing, is neither an image nor a video clip, or the frame is outside the clip.
    """
    path = Path(path)
    if not path.is_file():
        raise PlateError(f"plate {path} does not exist; give an image file or a clip of this production")
    if _looks_like_image(path):
        raw = cv2.imread(str(path), cv2.IMREAD_UNCHANGED | cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR)
        if raw is None or raw.ndim not in (2, 3) or raw.size == 0:
            raise PlateError(f"plate {path.name} is not a readable image; use PNG, JPEG or TIFF")
        scale = 65535.0 if raw.dtype == np.uint16 else (1.0 if raw.dtype.kind == "f" else 255.0)
        img = raw.astype(np.float32) / np.float32(scale)
        if img.ndim == 2:
            img = np.repeat(img[..., None], 3, axis=2)
        rgb = cv2.cvtColor(img[..., :3], cv2.COLOR_BGR2RGB)  # an alpha channel in the plate is ignored
        return Plate(path, "image", 0, content_hash(path), np.clip(rgb, 0, 1).astype(np.float32))
    try:
        info = probe(path)
    except MediaError as exc:
        raise PlateError(f"plate {path.name} is neither an image nor a usable video clip: {exc}") from None
    if not 0 <= frame < info.frame_count:
        raise PlateError(f"plate frame {frame} is outside {path.name} (frames 0–{info.frame_count - 1})")
    img = read_frame(info, frame, "float")
    return Plate(path, "shot", frame, content_hash(path), np.asarray(img, np.float32))


def _frames_u8(info: MediaInfo, indices: list[int]) -> list[U8]:
    out = []
    for _i, arr in iter_frames(info, indices=indices, fmt="rgb24"):
        assert isinstance(arr, np.ndarray)
        out.append(arr)
    return out


def build_clean_plate(info: MediaInfo, frames: range, params: BackgroundParams, clean: MediaInfo | None) -> CleanPlate:
    """The shot's clean plate: from the supplied clean-plate clip, else estimated from the shot's own frames.

    Raises:
        PlateUnrecoverableError: the estimate recovered too little of the set, or found no performer.
        PlateMismatchError: the supplied plate is not the take's set (``editor.background._exposure``, step 6),
            shows it framed otherwise (``_register``), or lit otherwise beyond a pool of light (``_exposure``, step 5).
    """
    size = (info.height, info.width)

    def estimate_from(first: int, end: int) -> tuple[CleanPlate, list[int]]:
        """The plate estimated from frames ``first``–``end`` of the shot, and the frames it sampled."""
        indices = sample_indices(info.frame_count, params.plate_samples, start=first, end=end)
        return estimate_plate(_frames_u8(info, indices), max_samples=params.plate_samples), indices

    estimate, indices = estimate_from(frames.start, frames.stop)
    if clean is not None:
        # The supplied plate decides the key, in the take's framing and light; the take's own analysis says what
        # those are (where it saw the set) and where the people certainly are.
        clean_samples = _frames_u8(clean, sample_indices(clean.frame_count, params.plate_samples))
        shot_plate = plate_from_shot(clean_samples, size, max_samples=params.plate_samples)
        supplied = match_exposure(register_plate(shot_plate, estimate), estimate)
        difference = supplied.set_difference
        if difference is not None and difference > MISMATCH:
            raise PlateMismatchError(
                f"the clean plate {clean.path.name} differs from the set {info.path.name} shows by {difference:.0%} "
                "of full scale (the median where the take shows the set, after matching its exposure; a plate of "
                f"the same set-up differs by under {MISMATCH:.0%}): it is another set-up or framing, or the light "
                "changed across the set; supply a clean plate of this set-up, shot under the take's light"
            )
        still = estimate.camera is None or estimate.camera.still
        trusted = estimate.set_recovered >= MIN_SET_RECOVERED and (estimate.faces or estimate.presences) and still
        return supplied.with_interior(estimate.interior if trusted else None)
    require_recoverable(estimate, info.path.name, held_still(estimate, indices, estimate_from))
    return estimate


def replace_background(
    source: Path,
    plate: Plate,
    out_path: Path,
    *,
    params: BackgroundParams | None = None,
    clean_plate: Path | None = None,
    refiner: tuple[str, str, RefinerNet] | None = None,
    start: int | None = None,
    end: int | None = None,
    overwrite: bool = False,
    progress: Callable[[float], None] | None = None,
    workers: int = 1,
    executor: SegmentExecutor | None = None,
) -> EditResult:
    """Replace the background of ``source`` with ``plate`` and write ``out_path``.

    Args:
        source: The shot (any clip ``media`` accepts).
        plate: The new background (:func:`load_plate`).
        out_path: Output file; its extension must suit the source's codec family (``.mov``/``.mp4``).
        params: Settings (defaults: :class:`BackgroundParams`).
        clean_plate: A clip of the same set-up without performers; estimated from the shot when absent.
        refiner: ``(model id, model file hash, network)`` of a trained per-shot refiner, or None.
        start: First frame to edit (default 0); frames outside ``start``–``end`` pass through unchanged.
        end: One past the last frame to edit (default: the clip's length).
        overwrite: Replace an existing output file.
        progress: Called with the fraction of the edit done (0–1, increasing, 1.0 last), in this process only
            (``media.Progress``): the clean plate and regrade, then the frames written, then the metrics
            (``media.Stages``, shares ``PREPARE_FRAMES`` : frames : ``MEASURE_FRAMES``).
        workers: Render in segments on this many worker processes (``editor.segmented``: the same output; the
            matte's flow stabilisation is warmed up before each cut and checked to meet the previous segment's).
        executor: Render the segments on this executor instead (e.g. the Ray engine's).

    Returns:
        The edit's result: hashes, model, resolved parameters, frame range, changed region, metrics, output.

    Raises:
        MediaError: The source or clean-plate clip is unreadable, corrupt or absurd (e.g. has no frames).
        PlateError: The plate is unusable.
        PlateUnrecoverableError: No clean plate was supplied and none can be estimated from the shot (too little
            of the set ever seen, or no performer found); nothing is written.
        EmptyClipError: The frame range selects no frames.
        EditParameterError: The frame range is outside the clip.
        RenderError: The output cannot be written (nothing is left at ``out_path``).
    """
    params = params or BackgroundParams()
    if not isinstance(plate, Plate):
        raise PlateError(f"the plate must be loaded with load_plate (an image or a clip), got {type(plate).__name__}")
    info = probe(Path(source))
    if info.frame_count < 1:
        raise EmptyClipError(f"{info.path.name} has no video frames to edit")
    first, last = start or 0, info.frame_count if end is None else end
    if not 0 <= first < last <= info.frame_count:
        raise EditParameterError(f"frame range {first}–{last} is outside {info.path.name} (0–{info.frame_count})")
    clean = probe(Path(clean_plate)) if clean_plate is not None else None
    frames = range(first, last)
    stages = Stages(progress, prepare=PREPARE_FRAMES, render=info.frame_count, measure=MEASURE_FRAMES)
    cplate = build_clean_plate(info, frames, params, clean)
    stages.at("prepare", 0.8)
    params = params.resolved(cplate)
    new_bg = fit_plate(plate.image, (info.height, info.width))
    net = refiner[2] if refiner is not None else None
    # Per-shot regrade, fitted once on a few frames' single-frame mattes so it cannot flicker.
    probe_idx = sample_indices(info.frame_count, 6, start=first, end=last)
    probe_frames = [f.astype(np.float32) / 255.0 for f in _frames_u8(info, probe_idx)]
    probe_matter = ShotMatter(cplate, params, net, frame_rate=float(info.frame_rate))
    grader = CdlRegrade if params.regrade_method == "cdl" else Regrade
    regrade = grader.fit(probe_frames, [probe_matter.raw(f) for f in probe_frames], new_bg, params.regrade)
    stages.at("prepare", 1.0)

    editor = _BackgroundFrames(info, frames, cplate, params, refiner, new_bg, regrade)
    report, _check = render_frames(
        info, Path(out_path), editor, overwrite=overwrite, workers=workers, executor=executor,
        progress=stages.part("render"),
    )  # fmt: skip
    changed, pairs, measured = editor.changed, editor.pairs, editor.measured
    try:
        region = region_of_mask(changed)
        if region is None:
            raise BackgroundError("the edit changed no pixel: the plate equals the background; nothing was written")
        metrics = _temporal_metrics(pairs, measured)
        metrics.update(
            {
                "background_fraction": round(float(np.mean(editor.coverage_list)), 6),
                "clean_plate_known_fraction": round(cplate.known_fraction, 6),
                "clean_plate_extended_fraction": round(cplate.extended_fraction, 6),
                "clean_plate_uncoverable_fraction": round(cplate.uncoverable_fraction, 6),
                "clean_plate_set_in_shade_fraction": round(cplate.in_shade, 6),
                "clean_plate_stray_pieces_fraction": round(cplate.strays, 6),
                "clean_plate_moved_inside_fraction": round(cplate.moved_inside, 6),
                "clean_plate_faint_outline_fraction": round(cplate.faint_outline, 6),
                "clean_plate_set_coloured_silhouette_fraction": round(cplate.set_coloured, 6),
                "clean_plate_set_coloured_given_back_fraction": round(cplate.set_coloured_returned, 6),
                "clean_plate_segmentation_reasked": cplate.reasked,
                "clean_plate_set_coloured_released_fraction": round(cplate.released, 6),
                "clean_plate_samples_followed_off_their_place": cplate.leaned,
                "clean_plate_set_recovered": round(cplate.set_recovered, 6),
                "clean_plate_noise": round(cplate.noise, 6),
            }
        )
    except BaseException:
        Path(out_path).unlink(missing_ok=True)
        raise
    kept = stabiliser(params, float(info.frame_rate))
    parameters = {
        **params.as_dict(),
        "stabilise_per_frame": {  # the weights at the shot's rate (``stabilise``, ``stabilise_posed``: at 25 fps)
            "frame_rate": f"{info.frame_rate.numerator}/{info.frame_rate.denominator}",
            "stabilise": round(kept.strength, 6),
            "stabilise_posed": round(kept.carry, 6),
        },
        "plate": plate.describe(),
        "clean_plate": {**cplate.describe(), **({"content_hash": content_hash(clean.path)} if clean else {})},
        "matte_method": "difference key + guided filter" + (" + trained per-shot refiner" if refiner else ""),
        "foreground_method": FOREGROUND_DESCRIPTION[params.foreground]
        + (
            "; the old set's chroma taken out of the edge band (despill against the clean plate)"
            if params.despill
            else ""
        ),
        "regrade_fitted": regrade.as_json(),
    }
    stages.at("measure", 1.0)
    return EditResult(
        kind=KIND,
        source_hash=content_hash(info.path),
        output=OutputMedia.written(report, content_hash(report.path)),
        model_id=refiner[0] if refiner else None,
        model_file_hash=refiner[1] if refiner else None,
        parameters=parameters,
        frames=FrameRange(first, last, info.frame_rate),
        region=region,
        frame_size=(info.width, info.height),
        metrics=metrics,
    )


class _BackgroundFrames(FrameEditor):
    """The background edit's per-frame work: matte (with flow stabilisation: temporal state), re-graded composite
    over the new plate; records the changed pixels, the background coverage and the metric frame pairs."""

    @property
    def warm_up(self) -> int:  # type: ignore[override]
        """Frames that rebuild the stabiliser's state to within 1e-9 (0.85 kept per frame at 25 fps at most: 128;
        at 50 fps 256)."""
        return stabiliser(self.params, float(self.info.frame_rate)).warm_up_frames()

    def __init__(
        self,
        info: MediaInfo,
        span: range,
        plate: CleanPlate,
        params: BackgroundParams,
        refiner: tuple[str, str, RefinerNet] | None,
        new_bg: np.ndarray,
        regrade: Any,
    ) -> None:
        super().__init__(info, span)
        self.plate, self.params, self.new_bg, self.regrade = plate, params, new_bg, regrade
        self.refiner = None if refiner is None else Portable.of(dump_refiner(refiner[2]), load_refiner)
        self.measured = set(sample_indices(len(span) - 1, _METRIC_PAIRS)) if len(span) > 1 else set()
        self.changed = np.zeros((info.height, info.width), bool)
        self.coverage: dict[int, float] = {}
        self.pairs: dict[int, tuple[U8, U8]] = {}

    def _matter(self) -> ShotMatter:
        if getattr(self, "_rt_matter", None) is None:
            net = self.refiner.load() if self.refiner is not None else None
            self._rt_matter = ShotMatter(self.plate, self.params, net, frame_rate=float(self.info.frame_rate))
        return self._rt_matter

    def warm(self, n: int, rgb: np.ndarray) -> None:
        self._matter().advance(np.asarray(rgb, np.float32))

    def state(self) -> list[np.ndarray | None]:
        return self._matter().state()

    def frame(self, n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        frame = np.asarray(rgb, np.float32)
        matter = self._matter()
        alpha = matter.step(frame)
        out = regraded_composite(matter.foreground(frame, alpha), alpha, self.new_bg, self.regrade)
        src8 = np.clip(np.rint(frame * 255.0), 0, 255).astype(np.uint8)
        out8 = np.clip(np.rint(out * 255.0), 0, 255).astype(np.uint8)
        support = (out8 != src8).any(axis=-1)
        self.changed[support] = True
        self.coverage[n] = float(1.0 - alpha.mean())
        k = n - self.span.start
        if k in self.measured or k - 1 in self.measured:
            self.pairs[k] = (src8, out8)
        return np.where(support[..., None], out, frame), support  # full precision for 10-bit sources

    def record(self) -> tuple[np.ndarray, dict[int, float], dict[int, tuple[U8, U8]]]:
        return np.packbits(self.changed), self.coverage, self.pairs

    def merge(self, records: list[tuple[np.ndarray, dict[int, float], dict[int, tuple[U8, U8]]]]) -> None:
        shape = self.changed.shape
        changed = np.zeros(shape, bool)
        for bits, _coverage, _pairs in records:
            changed |= np.unpackbits(bits, count=changed.size).reshape(shape).astype(bool)
        self.changed = changed
        self.coverage = {n: v for r in records for n, v in r[1].items()}
        self.pairs = {k: v for r in records for k, v in r[2].items()}

    @property
    def coverage_list(self) -> list[float]:
        return [self.coverage[n] for n in sorted(self.coverage)]


def _temporal_metrics(pairs: dict[int, tuple[U8, U8]], measured: set[int]) -> dict[str, float]:
    """Warping error (Lai et al.) of source and result over the sampled consecutive frame pairs, and the ratio.

    Each video is warped with its own optical flow: the result's background is another scene, for which the
    source's flow (noise-driven drift in flat backdrops) would be wrong.
    """
    usable = sorted(k for k in measured if k in pairs and k + 1 in pairs)
    if not usable:
        return {}
    src_errs, out_errs = [], []
    for k in usable:
        src_pair, out_pair = [pairs[k][0], pairs[k + 1][0]], [pairs[k][1], pairs[k + 1][1]]
        src_errs.append(warping_error(src_pair, source_flows(src_pair)))
        out_errs.append(warping_error(out_pair, source_flows(out_pair)))
    src, out = float(np.mean(src_errs)), float(np.mean(out_errs))
    metrics = {
        "warping_error_source_x1e3": round(src, 6),
        "warping_error_result_x1e3": round(out, 6),
        "warping_error_pairs": float(len(usable)),
    }
    if src > 0:  # a perfectly still source has no error to compare against
        metrics["warping_error_ratio"] = round(out / src, 6)
    return metrics
