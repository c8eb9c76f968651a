"""The dialogue edit ``retime``: slip the picture to the new line's timing.

Align the new line's features to the original take's sync sound by DTW, fit offset + stretch, and
show for each output frame the face area of the source frame at the mapped time (feathered, so only the face
area changes); the line is laid into the output range. Lighter: no model needed, no synthesis.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from editor.cast import CastModel
from editor.dialogue._common import (
    SYNC_SHARE,
    ModelRef,
    SourceFrames,
    edit_result,
    range_start,
    sync_metrics,
    sync_of,
)
from editor.dialogue.blend import BANK_H, BANK_W
from editor.dialogue.errors import DialogueModelError, LineLengthError
from editor.dialogue.features import FEATURE_RATE, utterance_features
from editor.dialogue.line import load_line
from editor.dialogue.model import DialogueModel
from editor.dialogue.track import FaceTrack, crop, read_range, track_face
from editor.errors import EditParameterError
from editor.results import EditResult
from editor.segmented import render_frames
from media import AudioOverride, MediaInfo, Progress, SegmentExecutor, Stages, probe, read_audio


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
    first = range_start(info, start)
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
    stages = Stages(
        progress, prepare=hi - lo, render=info.frame_count, measure=SYNC_SHARE * n_out if model is not None else 1
    )
    frames = read_range(info, lo, hi)
    stages.at("prepare", 0.3)
    track = track_face(frames, lo, performer=performer, cast=cast)
    stages.at("prepare", 1.0)
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
        progress=stages.part("render"),
    )
    changed, out_crops = editor.changed, editor.crops
    try:
        metrics: dict[str, float] = {
            "retime_offset_frames": round(offset / FEATURE_RATE * float(fps), 3),
            "retime_stretch": round(stretch, 4),
            "retime_dtw_cost": round(dtw_cost, 4),
        }
        if model is not None:
            before = sync_of(
                model,
                np.stack(
                    [crop(frames[first + k - lo], track.mouth_box(first + k), (BANK_W, BANK_H)) for k in range(n_out)]
                ),
                line,
                fps,
            )
            after = sync_of(model, np.stack([out_crops[k] for k in range(n_out)]), line, fps)
            metrics.update(sync_metrics(model, before, after, n_out))
        if track.distance is not None:
            metrics["performer_distance"] = round(track.distance, 4)
        params = {
            "performer": performer,
            "audio": line.describe(),
            "retime_only": True,
            "source_range": [first, orig_end],
            "face_detections": track.detections,
        }
        result = edit_result("dialogue", info, report, model_ref, params, first, last, changed, metrics, Path(out_path))
        stages.at("measure", 1.0)
        return result
    except BaseException:
        Path(out_path).unlink(missing_ok=True)
        raise


class _RetimeFrames(SourceFrames):
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
