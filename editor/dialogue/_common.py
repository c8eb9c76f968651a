"""What the dialogue edits (``dub``, ``retime``) share: the range check, the sync metrics, the signed result, and
the per-frame editor base that hands each worker the source pictures it needs."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from editor.dailies import content_hash
from editor.dialogue.errors import NoFaceError
from editor.dialogue.line import Line
from editor.dialogue.line_check import for_line
from editor.dialogue.model import DialogueModel
from editor.dialogue.sync import SyncScore, SyncTake, grey_mouths, score
from editor.errors import EditParameterError
from editor.results import EditResult, FrameRange, OutputMedia, region_of_mask
from editor.segmented import FrameEditor
from media import MediaInfo, RenderReport, iter_frames

ModelRef = tuple[str, str]  # (model id, model file hash)
# The sync metrics after a render, per frame of the line, in frame-equivalents of the render (their share of the
# progress; measured 1.2 to 2.3 on a 36-frame CREMA-D line, scored before and after).
SYNC_SHARE = 1.5


def range_start(info: MediaInfo, start: int | None) -> int:
    first = start or 0
    if not 0 <= first < info.frame_count:
        raise EditParameterError(f"start frame {first} is outside {info.path.name} (frames 0–{info.frame_count - 1})")
    return first


def sync_of(model: DialogueModel | None, crops: np.ndarray, line: Line, fps: Fraction) -> SyncScore | None:
    if model is None or len(crops) < 3:
        return None
    return score(model.sync, SyncTake(grey_mouths(crops), line.feats, fps))


def sync_metrics(
    model: DialogueModel, before: SyncScore | None, after: SyncScore | None, frames: int
) -> dict[str, float]:
    """The signed sync reading of a ``frames``-long line, its verdict, and how often the model's scorer read a line
    that long right on its held-out take (``editor.dialogue.line_check``)."""
    if after is None:
        return {}
    metrics = {**(before.as_metrics("before_") if before else {}), **after.as_metrics("after_")}
    metrics["av_offset_target_frames"] = 1.0
    metrics["av_offset_target_met"] = float(abs(after.offset_frames) <= 1)
    return {**metrics, **for_line(model.metrics, frames)}


def edit_result(
    kind: str,
    info: MediaInfo,
    report: RenderReport,
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
    return EditResult(
        kind=kind,
        source_hash=content_hash(info.path),
        output=OutputMedia.written(report, content_hash(report.path)),
        model_id=model_ref[0] if model_ref else None,
        model_file_hash=model_ref[1] if model_ref else None,
        parameters=params,
        frames=FrameRange(first, last, info.frame_rate),
        region=region,
        frame_size=(info.width, info.height),
        metrics=metrics,
    )


CHUNK = 24  # frames a worker decodes at a time for a dialogue edit's source pictures


class SourceFrames(FrameEditor):
    """A dialogue edit's per-frame work needs the source frames as uint8 RGB (``read_range``'s conversion). The
    calling process hands over the ones it read; a worker decodes its own, ``CHUNK`` at a time. No temporal state;
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
            for j, arr in iter_frames(self.info, start=i, end=min(self.hi, i + CHUNK), fmt="rgb24"):
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
