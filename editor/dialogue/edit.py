"""The dialogue edits: ``dub`` (re-sync the mouth to a new line) and ``retime`` (slip the picture to its timing).

``dub``: validate the line and the range → track the performer's face over the range (its mouth boxes) with the
engine's one face path: the project's cast model says which face is the performer's, and a range where it finds
none of theirs is refused (``editor.cast.performer_track``) → choose bank mouths for the line by unit selection →
measure the dub's mouth plan over the range (``editor.dialogue.plan``: the mouth's area, the take's lip detail and
lips colour against the bank's) → place each in its frame (``editor.dialogue.blend``: aligned on the skin around
the lips, colour, detail and grain matched, blended in two bands) → render in the source's codec family with the
line laid into exactly the range's audio span (the rest of the soundtrack untouched). The region is the bounding
box of every changed pixel (inside the union of the mouth boxes). Metrics: the sync scorer's AV offset, LSE-D and
LSE-C of the new line against the original picture (before) and the edited picture (after);
``av_offset_target_met`` says whether |offset| ≤ 1 frame; the plan (``mouth_area_width``/``_height``,
``mouth_soften_px``, ``mouth_lips_offset_l/a/b``).

``retime``: align the new line's features to the original take's sync sound by DTW, fit offset + stretch, and
show for each output frame the face area of the source frame at the mapped time (feathered, so only the face
area changes); the line is laid into the output range. Lighter: no model needed, no synthesis.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from editor.cast import CastModel
from editor.dailies import content_hash
from editor.dialogue.blend import BANK_H, BANK_W, MouthPlan, place_mouth
from editor.dialogue.errors import DialogueModelError, LineLengthError, NoFaceError
from editor.dialogue.features import FEATURE_RATE, selection_descriptors, utterance_features
from editor.dialogue.line import Line, fit_range, load_line
from editor.dialogue.model import DialogueModel, bank_crops
from editor.dialogue.plan import plan_metrics, plan_mouths
from editor.dialogue.select import select_units
from editor.dialogue.sync import SyncScore, SyncTake, grey_mouths, score
from editor.dialogue.track import FaceTrack, crop, read_range, track_face
from editor.errors import EditParameterError
from editor.results import EditResult, FrameRange, OutputMedia, region_of_mask
from editor.segmented import FrameEditor, render_frames
from media import AudioOverride, MediaInfo, Progress, SegmentExecutor, iter_frames, probe, read_audio

ModelRef = tuple[str, str]  # (model id, model file hash)


def _range_start(info: MediaInfo, start: int | None) -> int:
    first = start or 0
    if not 0 <= first < info.frame_count:
        raise EditParameterError(f"start frame {first} is outside {info.path.name} (frames 0–{info.frame_count - 1})")
    return first


def _sync(model: DialogueModel | None, crops: np.ndarray, line: Line, fps: Fraction) -> SyncScore | None:
    if model is None or len(crops) < 3:
        return None
    return score(model.sync, SyncTake(grey_mouths(crops), line.feats, fps))


def _sync_metrics(before: SyncScore | None, after: SyncScore | None) -> dict[str, float]:
    if after is None:
        return {}
    metrics = {**(before.as_metrics("before_") if before else {}), **after.as_metrics("after_")}
    metrics["av_offset_target_frames"] = 1.0
    metrics["av_offset_target_met"] = float(abs(after.offset_frames) <= 1)
    return metrics


def _result(
    kind: str,
    info: MediaInfo,
    report: object,
    model_ref: ModelRef | None,
    params: dict,
    first: int,
    last: int,
    changed: np.ndarray,
    metrics: dict[str, float],
    out_path: Path,
) -> EditResult:
    region = region_of_mask(changed)
    if region is None:
        Path(out_path).unlink(missing_ok=True)
        raise NoFaceError("the edit changed no pixel (no mouth could be placed); nothing was written")
    r = report
    return EditResult(
        kind=kind,
        source_hash=content_hash(info.path),
        output=OutputMedia(r.path, content_hash(r.path), r.codec, r.container, r.timecode, r.audio),  # type: ignore[attr-defined]
        model_id=model_ref[0] if model_ref else None,
        model_file_hash=model_ref[1] if model_ref else None,
        parameters=params,
        frames=FrameRange(first, last, info.frame_rate),
        region=region,
        frame_size=(info.width, info.height),
        metrics=metrics,
    )


def dub(
    source: Path,
    model: DialogueModel,
    audio: Path,
    out_path: Path,
    *,
    performer: str,
    cast: CastModel | None = None,
    model_ref: ModelRef | None = None,
    start: int | None = None,
    end: int | None = None,
    exclude_take: str | None = None,
    overwrite: bool = False,
    workers: int = 1,
    executor: SegmentExecutor | None = None,
    progress: Progress | None = None,
) -> EditResult:
    """Replace the line in ``start``–``end`` with ``audio`` and re-sync the performer's mouth to it.

    Args:
        source: The shot.
        model: The performer's dialogue model (``load_dialogue``).
        audio: The new line (WAV, 16–192 kHz).
        out_path: Output clip (``.mov``/``.mp4`` as the source's codec family allows).
        performer: Whose line it is; must be the model's performer and the face in the shot.
        cast: The project's cast model: which face is the performer's (without it, the only face on screen).
        model_ref: ``(model id, model file hash)`` recorded in the result.
        start: First frame (default 0). end: One past the last (default: start + the line's length).
        exclude_take: Content hash of a bank take not to draw mouths from (rebuild-a-take experiments).
        overwrite: Replace an existing output.
        workers: Render in segments on this many worker processes (``editor.segmented``: the same output, the
            line laid in by the join in one pass). executor: Render the segments on this executor instead.
        progress: Called with the fraction of the clip's frames written, in this process (``media.Progress``).

    Raises:
        UnreadableLineError, LineRateError, LineLengthError, SilentLineError: the line is unusable.
        DialogueModelError: the model is for another performer.
        NoFaceError: no face in the range. PerformerNotInShotError: the face is someone else's.
        EditParameterError: the range is outside the clip. RenderError: the output cannot be written.
    """
    if performer != model.performer:
        raise DialogueModelError(
            f"this dialogue model is for performer {model.performer!r}, not {performer!r}; train one for them"
        )
    info = probe(Path(source))
    line = load_line(Path(audio))
    first, last = fit_range(line, info.frame_rate, info.frame_count, _range_start(info, start), end)
    frames = read_range(info, first, last)
    track = track_face(frames, first, performer=performer, cast=cast)
    query = selection_descriptors(line.feats, info.frame_rate, last - first)
    exclude = model.take_hashes.index(exclude_take) if exclude_take in model.take_hashes else None
    sel = select_units(query, model.descriptors, model.take_ids, model.frame_ids, model.thumbs(), exclude_take=exclude)
    mouths = model.crops[np.asarray(sel.indices[: last - first])]
    own = bank_crops(frames, track)
    plan = plan_mouths(own, model.bank_takes(exclude), mouths)
    editor = _DubFrames(info, range(first, last), frames, track, mouths, plan)
    override = AudioOverride(
        line.samples, line.rate, Fraction(first) / info.frame_rate, Fraction(last) / info.frame_rate
    )
    report, _check = render_frames(
        info,
        Path(out_path),
        editor,
        overwrite=overwrite,
        audio_override=override,
        workers=workers,
        executor=executor,
        progress=progress,
    )
    changed, edited_crops = editor.changed, editor.crops
    try:
        after_crops = np.stack([edited_crops[k] for k in range(last - first)])
        before = _sync(model, own, line, info.frame_rate)
        after = _sync(model, after_crops, line, info.frame_rate)
        metrics = {**sel.as_metrics(), **_sync_metrics(before, after), **plan_metrics(plan)}
        if track.distance is not None:
            metrics["performer_distance"] = round(track.distance, 4)
        params = {
            "performer": performer,
            "audio": line.describe(),
            "retime_only": False,
            "exclude_take": exclude_take,
            "face_detections": track.detections,
        }
        return _result("dialogue", info, report, model_ref, params, first, last, changed, metrics, Path(out_path))
    except BaseException:
        Path(out_path).unlink(missing_ok=True)
        raise


def dtw_path(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, float]:
    """Subsequence dynamic time warping: all of ``a`` (n, D) against the best-matching stretch of ``b`` (m, D)
    (free start and end in ``b``, so a line need not cover the whole original range). Returns the path
    ``(k, 2)`` of (i in a, j in b) and its mean step cost."""
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).mean(-1))
    n, m = cost.shape
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, :] = 0.0  # free start anywhere in b
    for i in range(1, n + 1):
        row = cost[i - 1]
        diag = np.minimum(acc[i - 1, :-1], acc[i - 1, 1:])  # from (i-1, j-1) or (i-1, j)
        cur = acc[i]
        for j in range(1, m + 1):
            cur[j] = row[j - 1] + min(diag[j - 1], cur[j - 1])
    i, j = n, int(np.argmin(acc[n, 1:])) + 1  # free end
    path = [(i - 1, j - 1)]
    while i > 1:
        steps = [(acc[i - 1, j - 1], i - 1, j - 1), (acc[i - 1, j], i - 1, j), (acc[i, j - 1], i, j - 1)]
        _, i, j = min((s for s in steps if s[2] >= 1), key=lambda s: s[0])
        path.append((i - 1, j - 1))
    p = np.array(path[::-1])
    return p, float(cost[p[:, 0], p[:, 1]].mean())


def _pool(feats: np.ndarray, k: int = 2) -> np.ndarray:
    n = len(feats) // k * k
    return feats[:n].reshape(-1, k, feats.shape[1]).mean(1) if n else feats


def retime(
    source: Path,
    audio: Path,
    out_path: Path,
    *,
    performer: str,
    model: DialogueModel | None = None,
    cast: CastModel | None = None,
    model_ref: ModelRef | None = None,
    start: int | None = None,
    end: int | None = None,
    overwrite: bool = False,
    workers: int = 1,
    executor: SegmentExecutor | None = None,
    progress: Progress | None = None,
) -> EditResult:
    """Slip the picture of ``start``–``end`` to the timing of the new line and lay the line in.

    The original take's sync sound over ``start``–``end`` is aligned to the line by DTW; offset and stretch are
    fitted by least squares over the path; output frame ``start + k`` shows the face area of the source frame at
    the mapped time. The line's own length sets the output range (``start`` + its frames).

    ``workers`` / ``executor`` / ``progress``: as for ``dub``.

    Raises:
        UnreadableLineError, LineRateError, SilentLineError: the line is unusable.
        LineLengthError: the line runs past the end of the clip.
        NoFaceError: no face in the range. PerformerNotInShotError: the cast model finds no face of the performer
            (or, without one, several faces). DialogueModelError: the model is for another performer.
        EditParameterError: the range is outside the clip. RenderError: the output cannot be written.
    """
    if model is not None and performer != model.performer:
        raise DialogueModelError(f"this dialogue model is for performer {model.performer!r}, not {performer!r}")
    info = probe(Path(source))
    line = load_line(Path(audio))
    fps = info.frame_rate
    first = _range_start(info, start)
    orig_end = info.frame_count if end is None else end
    if not first < orig_end <= info.frame_count:
        raise EditParameterError(f"frame range {first}–{orig_end} is outside {info.path.name} (0–{info.frame_count})")
    n_out = line.frames(fps)
    if first + n_out > info.frame_count:
        raise LineLengthError(
            f"the new line lasts {float(line.duration):.3f} s ({n_out} frames) but only {info.frame_count - first} "
            f"frames follow frame {first}; start earlier or trim the line"
        )
    if not info.audio:
        raise LineLengthError(f"{info.path.name} has no sync sound to re-time against; use a dub with a model")
    sync = read_audio(info.path)
    a0, a1 = round(Fraction(first) / fps * sync.rate), round(Fraction(orig_end) / fps * sync.rate)
    orig = utterance_features(sync.samples[a0:a1], sync.rate)
    path, dtw_cost = dtw_path(_pool(line.feats), _pool(orig))
    t_new, t_orig = path[:, 0] * 2.0, path[:, 1] * 2.0  # 100 Hz frames
    # Fit on speech only: in silences DTW's path runs along plateaus that say nothing about timing.
    energy = _pool(line.feats)[:, -1]
    speech = energy[path[:, 0]] > 0.0
    if speech.sum() < 10:
        speech = np.ones(len(path), bool)
    stretch, offset = np.polyfit(t_new[speech], t_orig[speech], 1)
    stretch = float(np.clip(stretch, 0.5, 2.0))
    offset = float(np.median(t_orig[speech] - stretch * t_new[speech]))
    last = first + n_out
    centres = (np.arange(n_out) + 0.5) / float(fps) * FEATURE_RATE
    mapped = first + np.floor((offset + stretch * centres) / FEATURE_RATE * float(fps)).astype(int)
    mapped = np.clip(mapped, 0, info.frame_count - 1)
    lo, hi = int(min(first, mapped.min())), int(max(last, mapped.max() + 1))
    frames = read_range(info, lo, hi)
    track = track_face(frames, lo, performer=performer, cast=cast)
    editor = _RetimeFrames(info, range(first, last), lo, frames, track, mapped)
    override = AudioOverride(line.samples, line.rate, Fraction(first) / fps, Fraction(last) / fps)
    report, _check = render_frames(
        info,
        Path(out_path),
        editor,
        overwrite=overwrite,
        audio_override=override,
        workers=workers,
        executor=executor,
        progress=progress,
    )
    changed, out_crops = editor.changed, editor.crops
    try:
        metrics: dict[str, float] = {
            "retime_offset_frames": round(offset / FEATURE_RATE * float(fps), 3),
            "retime_stretch": round(stretch, 4),
            "retime_dtw_cost": round(dtw_cost, 4),
        }
        if model is not None:
            before = _sync(
                model,
                np.stack(
                    [crop(frames[first + k - lo], track.mouth_box(first + k), (BANK_W, BANK_H)) for k in range(n_out)]
                ),
                line,
                fps,
            )
            after = _sync(model, np.stack([out_crops[k] for k in range(n_out)]), line, fps)
            metrics.update(_sync_metrics(before, after))
        if track.distance is not None:
            metrics["performer_distance"] = round(track.distance, 4)
        params = {
            "performer": performer,
            "audio": line.describe(),
            "retime_only": True,
            "source_range": [first, orig_end],
            "face_detections": track.detections,
        }
        return _result("dialogue", info, report, model_ref, params, first, last, changed, metrics, Path(out_path))
    except BaseException:
        Path(out_path).unlink(missing_ok=True)
        raise


_CHUNK = 24  # frames a worker decodes at a time for a dialogue edit's source pictures


class _SourceFrames(FrameEditor):
    """A dialogue edit's per-frame work needs the source frames as uint8 RGB (``read_range``'s conversion). The
    calling process hands over the ones it read; a worker decodes its own, ``_CHUNK`` at a time. No temporal state;
    records the changed pixels and the edited mouth crops (for the sync metrics)."""

    def __init__(self, info: MediaInfo, span: range, lo: int, hi: int, frames: list[np.ndarray]) -> None:
        super().__init__(info, span)
        self.lo, self.hi = lo, hi
        self._rt_frames = dict(enumerate(frames, start=lo))
        self.changed = np.zeros((info.height, info.width), bool)
        self.crops: dict[int, np.ndarray] = {}

    def source(self, i: int) -> np.ndarray:
        frames: dict[int, np.ndarray] = self.__dict__.setdefault("_rt_frames", {})
        if i not in frames:
            for j, arr in iter_frames(self.info, start=i, end=min(self.hi, i + _CHUNK), fmt="rgb24"):
                frames[j] = np.asarray(arr)
        return frames[i]

    def forget(self, below: int) -> None:
        """Drop the source frames before ``below`` (no later frame needs them: the mapping never goes back)."""
        frames: dict[int, np.ndarray] = self.__dict__.setdefault("_rt_frames", {})
        for j in [j for j in frames if j < below]:
            del frames[j]

    def record(self) -> tuple[np.ndarray, dict[int, np.ndarray]]:
        return np.packbits(self.changed), self.crops

    def merge(self, records: list[tuple[np.ndarray, dict[int, np.ndarray]]]) -> None:
        changed = np.zeros(self.changed.shape, bool)
        for bits, _ in records:
            changed |= np.unpackbits(bits, count=changed.size).reshape(changed.shape).astype(bool)
        self.changed = changed
        self.crops = {k: v for r in records for k, v in r[1].items()}


class _DubFrames(_SourceFrames):
    """``dub``: the chosen bank mouth of each frame placed in it."""

    def __init__(
        self,
        info: MediaInfo,
        span: range,
        frames: list[np.ndarray],
        track: FaceTrack,
        mouths: np.ndarray,
        plan: MouthPlan,
    ) -> None:
        super().__init__(info, span, span.start, span.stop, frames)
        self.track, self.mouths, self.plan = track, mouths, plan

    def frame(self, index: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = index - self.span.start
        box = self.track.mouth_box(index)
        out, support = place_mouth(self.source(index), self.mouths[k], box, seed=index, plan=self.plan)
        self.changed[support] = True
        self.crops[k] = crop(out, box, (BANK_W, BANK_H))
        self.forget(index)
        base = np.asarray(rgb, np.float32)
        return np.where(support[..., None], out.astype(np.float32) / 255.0, base), support


class _RetimeFrames(_SourceFrames):
    """``retime``: each frame shows the face area of the source frame at its mapped time."""

    def __init__(
        self, info: MediaInfo, span: range, lo: int, frames: list[np.ndarray], track: FaceTrack, mapped: np.ndarray
    ) -> None:
        super().__init__(info, span, lo, lo + len(frames), frames)
        self.track, self.mapped = track, mapped

    def frame(self, index: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = index - self.span.start
        j = int(self.mapped[k])
        src = self.source(j)
        out, support = _paste_face(self.source(index), src, self.track, index, j)
        self.changed[support] = True
        self.crops[k] = crop(out, self.track.mouth_box(j), (BANK_W, BANK_H))  # the pasted mouth is where it was in j
        self.forget(min(index, j))
        base = np.asarray(rgb, np.float32)
        return np.where(support[..., None], out.astype(np.float32) / 255.0, base), support


def _face_area(track: FaceTrack, frame: int, shape: tuple[int, int]) -> tuple[int, int, int, int]:
    x, y, w, h = track.boxes[frame - track.start]
    H, W = shape
    return max(0, int(x - 0.1 * w)), max(0, int(y)), min(W, int(x + 1.1 * w)), min(H, int(y + 1.25 * h))


def _paste_face(target: np.ndarray, src: np.ndarray, track: FaceTrack, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    """``target`` with the face area of ``src`` (union of both frames' face areas) feathered in."""
    if i == j:
        return target, np.zeros(target.shape[:2], bool)
    a, b = _face_area(track, i, target.shape[:2]), _face_area(track, j, target.shape[:2])
    x0, y0, x1, y1 = min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])
    box = np.zeros(target.shape[:2], np.float32)
    box[y0:y1, x0:x1] = 1.0
    feather = max(3, (x1 - x0) // 12) | 1
    alpha = np.asarray(cv2.GaussianBlur(box, (2 * feather + 1, 2 * feather + 1), 0), np.float32)
    alpha[: max(0, y0 - 2 * feather)] = 0
    out = np.clip(np.rint(target + alpha[..., None] * (src.astype(np.float32) - target)), 0, 255).astype(np.uint8)
    return out, (out != target).any(-1)
