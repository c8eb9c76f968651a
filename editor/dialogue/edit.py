"""The dialogue edit ``dub``: re-sync the performer's mouth to a new line.

Validate the line and the range → track the performer's face over the range (its mouth boxes) with the
engine's one face path: the project's cast model says which face is the performer's, and a range where it finds
none of theirs is refused (``editor.cast.performer_track``) → mirror the bank where the shot is flopped
(``editor.dialogue.flop``) and show its takes at the shot's frame rate (``editor.dialogue.rate``) → leave out a bank
take of another recording session
and keep the mouths that fit the shot best (``editor.dialogue.fit``: only where such a take is found) → choose bank
mouths for the line by unit selection (audio distance plus the openness the project's own takes predict from the
line's sound, ``editor.dialogue.shape``)
→ find the pauses of both lines, where the mouth is left as shot (``editor.dialogue.pauses``; a short ramp into
and out of each) → measure the dub's mouth plan over the range (``editor.dialogue.plan``: the mouth's area, the
take's lip detail and lips colour against the bank's) → place each in its frame (``editor.dialogue.blend``:
aligned on the skin around the lips, colour, detail and grain matched, blended in two bands) → render in the
source's codec family with the line laid into exactly the range's audio span (the rest of the soundtrack
untouched). The region is the bounding box of every changed pixel (inside the union of the mouth boxes).
Metrics: the sync scorer's AV offset, LSE-D and LSE-C of the new line against the original picture (before) and
the edited picture (after); ``av_offset_target_met`` says whether |offset| ≤ 1 frame, and ``sync_check_*`` how
often the model's scorer read a line that long right on its held-out take (``editor.dialogue.line_check``); the plan
(``mouth_area_width``/``_height``, ``mouth_soften_px``, ``mouth_sharpen``, ``mouth_lips_offset_l/a/b``); the frames
left as shot (``mouth_kept_frames``) and ramped (``mouth_ramp_frames``); the bank's fit to the shot
(``selection_fit_*``: takes offered and kept, mouths kept, the lowest take's share against the best); the flop test
(``selection_flop_*``).

``retime`` (slip the picture to the line's timing) is in ``editor.dialogue.retime``."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

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
from editor.dialogue.blend import BANK_H, BANK_W, MouthPlan, place_mouth, work_size
from editor.dialogue.errors import DialogueModelError
from editor.dialogue.features import selection_descriptors
from editor.dialogue.fit import mouth_fit
from editor.dialogue.flop import flop_test
from editor.dialogue.line import fit_range, load_line
from editor.dialogue.model import DialogueModel, bank_crops
from editor.dialogue.pauses import PauseEvidence, dub_pauses
from editor.dialogue.plan import plan_metrics, plan_mouths
from editor.dialogue.select import select_units
from editor.dialogue.track import FaceTrack, crop, read_range, track_face
from editor.errors import EditParameterError
from editor.results import EditResult
from editor.segmented import render_frames
from media import AudioOverride, MediaInfo, Progress, SegmentExecutor, Stages, probe


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
    fit_frames: tuple[int, int] | None = None,
    keep_pauses: bool = True,
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
        fit_frames: The shot's frames ``(first, end)`` the bank mouths' fit to the shot is measured on
            (``editor.dialogue.fit``); default the range itself. A rebuild experiment passes frames outside the
            range, since there the range's mouths are the answer.
        keep_pauses: Leave the mouth as shot where neither the shot's own sound nor the new line is spoken
            (``editor.dialogue.pauses``); False replaces it on every frame of the range.
        overwrite: Replace an existing output.
        workers: Render in segments on this many worker processes (``editor.segmented``: the same output, the
            line laid in by the join in one pass). executor: Render the segments on this executor instead.
        progress: Called with the fraction of the edit done, in this process (``media.Progress``): reading and
            tracking the range, the frames written, the sync metrics (``media.Stages``).

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
    first, last = fit_range(line, info.frame_rate, info.frame_count, range_start(info, start), end)
    if fit_frames is not None and not 0 <= fit_frames[0] < fit_frames[1] <= info.frame_count:
        raise EditParameterError(
            f"fit frames {fit_frames[0]}–{fit_frames[1]} are outside {info.path.name} (0–{info.frame_count}); "
            "pick frames in the clip"
        )
    # reading and tracking the range cost about one rendered frame per frame of it (11 s for 36 frames, measured)
    stages = Stages(progress, prepare=last - first, render=info.frame_count, measure=SYNC_SHARE * (last - first))
    frames = read_range(info, first, last)
    stages.at("prepare", 0.3)
    track = track_face(frames, first, performer=performer, cast=cast)
    query = selection_descriptors(line.feats, info.frame_rate, last - first)
    exclude = model.take_hashes.index(exclude_take) if exclude_take in model.take_hashes else None
    size = work_size(model.crops[0])
    own = bank_crops(frames, track, size)  # the take's crops at the size the mouths are fitted at
    pool = np.ones(len(model.crops), bool) if exclude is None else model.take_ids != exclude
    shot = own if fit_frames is None else _fit_crops(info, fit_frames, performer, cast, size)
    flop = flop_test(model.crops, pool, shot)
    bank = model.flopped() if flop.flopped else model  # a flopped shot gets the mirrored mouths (editor.dialogue.flop)
    fit = mouth_fit(bank.crops, pool, bank.take_ids, shot)
    view = bank.view(info.frame_rate)  # the bank timed in the shot's frames (editor.dialogue.rate)
    src = view.source
    sel = select_units(
        query,
        bank.descriptors[src],
        view.take_ids,
        view.frame_ids,
        bank.thumbs()[src],
        exclude_take=exclude,
        openness=bank.openness()[src],
        allowed=fit.allowed[src],
    )
    mouths = bank.crops[src[np.asarray(sel.indices[: last - first])]]
    plan = plan_mouths(own, bank.bank_takes(exclude), mouths)
    kept = dub_pauses(info, line, first, last) if keep_pauses else PauseEvidence(np.ones(last - first, np.float32))
    stages.at("prepare", 1.0)
    editor = _DubFrames(info, range(first, last), frames, track, mouths, plan, kept.weights)
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
        progress=stages.part("render"),
    )
    changed, edited_crops = editor.changed, editor.crops
    try:
        after_crops = np.stack([edited_crops[k] for k in range(last - first)])
        as_shot = (lambda c: c[:, :, ::-1]) if flop.flopped else (lambda c: c)  # the scorer knows the takes as shot
        before = sync_of(model, as_shot(own), line, info.frame_rate)
        after = sync_of(model, as_shot(after_crops), line, info.frame_rate)
        metrics = {
            **sel.as_metrics(),
            **fit.as_metrics(),
            **flop.as_metrics(),
            **sync_metrics(model, before, after, last - first),
            **plan_metrics(plan),
            **kept.as_metrics(),
        }
        if track.distance is not None:
            metrics["performer_distance"] = round(track.distance, 4)
        params = {
            "performer": performer,
            "audio": line.describe(),
            "retime_only": False,
            "exclude_take": exclude_take,
            **({"fit_frames": list(fit_frames)} if fit_frames is not None else {}),
            "face_detections": track.detections,
            "keep_pauses": keep_pauses,
        }
        if flop.flopped:
            params["bank_flopped"] = True
        if view.retimed_takes and model.take_rates is not None:
            params["bank_retimed"] = {
                "takes": [model.take_hashes[t] for t in view.retimed_takes],
                "from_fps": sorted({str(model.take_rates[t]) for t in view.retimed_takes}),
                "to_fps": str(info.frame_rate),
            }
        if keep_pauses and kept.reason:
            params["pauses_not_kept"] = kept.reason
        if keep_pauses and kept.found_by is not None:
            params["pauses_found_by"] = {"line": kept.found_by[0], "shot": kept.found_by[1]}
        result = edit_result("dialogue", info, report, model_ref, params, first, last, changed, metrics, Path(out_path))
        stages.at("measure", 1.0)
        return result
    except BaseException:
        Path(out_path).unlink(missing_ok=True)
        raise


def _fit_crops(
    info: MediaInfo, span: tuple[int, int], performer: str, cast: CastModel | None, size: tuple[int, int]
) -> np.ndarray:
    """The performer's mouth crops on frames ``span`` of the shot, at ``size``."""
    frames = read_range(info, *span)
    return bank_crops(frames, track_face(frames, span[0], performer=performer, cast=cast), size)


class _DubFrames(SourceFrames):
    """``dub``: the chosen bank mouth of each frame placed in it with its weight (0: the frame as shot; between:
    a ramp from the shot's mouth to the placed one)."""

    def __init__(
        self,
        info: MediaInfo,
        span: range,
        frames: list[np.ndarray],
        track: FaceTrack,
        mouths: np.ndarray,
        plan: MouthPlan,
        weights: np.ndarray,
    ) -> None:
        super().__init__(info, span, span.start, span.stop, frames)
        self.track, self.mouths, self.plan, self.weights = track, mouths, plan, weights

    def frame(self, index: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = index - self.span.start
        box = self.track.mouth_box(index)
        shot = self.source(index)
        w = float(self.weights[k])
        if w == 0:
            self.crops[k] = crop(shot, box, (BANK_W, BANK_H))
            self.forget(index)
            return np.asarray(rgb, np.float32), np.zeros(shot.shape[:2], bool)
        out, support = place_mouth(shot, self.mouths[k], box, seed=index, plan=self.plan)
        if w < 1:
            mixed = w * out.astype(np.float32) + (1 - w) * shot.astype(np.float32)
            out = np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
            support &= (out != shot).any(-1)
        self.changed[support] = True
        self.crops[k] = crop(out, box, (BANK_W, BANK_H))
        self.forget(index)
        base = np.asarray(rgb, np.float32)
        return np.where(support[..., None], out.astype(np.float32) / 255.0, base), support
