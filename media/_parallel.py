"""Segment-parallel rendering: ``render_parallel`` writes what ``media.render`` writes, with the video encoded in
segments on several workers and joined without re-encoding.

The encoder is what limits a render (a 1080p ProRes 422 HQ re-encode runs at about a quarter of real time on one
core), and one encoder stream runs on one core; so the video is cut into segments (``media._segments``: any frame for
intra-only sources, key frames for long-GOP ones), each segment is decoded, edited and encoded by its own task, and
the joining process writes the output:

1. **plan** — ``plan_encode`` for the output and ``plan_segments`` for the source (2 segments per worker unless
   ``segments`` says otherwise; a source that cannot be cut, or one segment, is rendered by ``media.render``);
2. **run** — the output is opened under the same plan with its video stream set up exactly as ``media.render``
   sets it up (codec parameters, colour tags, frame rate, time base, timecode) and the same ``AudioMux`` a
   sequential render uses; one ``SegmentTask`` per segment is submitted to the executor (``run_segment(task)``
   writes ``<work>/segment-NNNNN.cpseg``, see ``media._segment_task``, and returns a ``SegmentReport``), and
   meanwhile a thread of the calling process decodes, filters and encodes the audio tracks that are not copied
   (``AudioMux.spool``: filters such as the audio watermark see the same samples in the same order as in one pass,
   so the audio is sample-identical) into ``<work>/audio-N.cpaud``;
3. **join** — in the calling process, the segments' packets are copied into the output in order (their timestamps
   are already on the output's clock: frame ``n`` at ``first + n · step``, decode timestamps continuous because
   every segment's encoder has the same settings and so the same reordering delay), the audio's interleaved by
   time; then the file is renamed into place. The join only copies packets, so it is the same short serial step
   whatever is done to the audio.

**Executor contract.** ``executor`` is anything with ``submit(fn, *args)`` returning a future with ``result()``
(``concurrent.futures.Executor``; the Ray engine passes its own). Each task is ``run_segment(SegmentTask)``: a top-level
function and a picklable argument, so the edits must be picklable too (top-level functions or instances of top-level
classes — no lambdas or closures); an edit that defines ``segment_result()`` has its value returned in its task's
``SegmentReport.edit_result`` (what the task's copy measured). A task reads the source at ``info.path`` and writes one
file into the render's work folder, which must be reachable at the same path by every worker (beside the output by
default; ``work_dir`` chooses another). A task is idempotent: re-running it (a retry after a killed worker, or a
duplicate attempt) writes the same file atomically (temporary name, then ``os.replace``). Without an executor:
``workers=1`` renders sequentially in this process (``media.render``; with ``segments`` > 1 the segments run one after
the other here, each on a pickled copy of its task, as a pool would run them); ``workers=N`` starts a process pool of N
workers for this render.

**Progress.** ``progress`` (``media._progress``) is called in the calling process only — it never travels to a
worker — with the fraction of the source's frames encoded so far: the frames of completed segments plus those the
running tasks have encoded, which each task keeps in a small tally file in the work folder (``media._segment_task``;
the folder every worker reaches already, so a process pool and a Ray cluster report alike). While tasks run, this
process looks at their tallies every ``POLL_SECONDS``; the values only increase (a task re-run from its start is not
counted twice) and stay below 1.0 until the join is complete, just before the rename. Where the executor's futures
are not ``concurrent.futures.Future``s the segments are counted only as they complete, in segment order; with
``InlineExecutor`` each task runs inside ``submit``, so its frames are seen when it completes.

**Failure.** When a task fails (or ``progress`` raises), the others are cancelled or waited for (no task is still
writing when the work folder is removed), the work folder is removed, nothing is written at the output path and the
error is raised (a ``MediaError`` from media; a dead worker process is a ``SegmentError``). Nothing appears at the
output path unless the join succeeded.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import av

from media._audio import AudioOverride
from media._mux_audio import AudioFilter, AudioMux
from media._packets import as_packet
from media._policy import EncodePlan, container_of, plan_encode
from media._probe import MediaInfo, _reason
from media._progress import Meter, Progress
from media._segment_task import SegmentFile, SegmentTask, frames_done, read_footer, read_packets, run_segment
from media._segments import SegmentReport, plan_segments
from media._write import (
    FrameEdit,
    PlaneEdit,
    RenderReport,
    Writing,
    check_target,
    partial_path,
    render,
    writing,
)
from media.errors import EncodeError, SegmentError

POLL_SECONDS = 0.2  # how often the running tasks' tallies are read while a render with ``progress`` waits


class SegmentExecutor(Protocol):
    """What ``render_parallel`` needs of an executor: ``submit(fn, *args)`` → a future with ``result()``."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any: ...


def render_parallel(
    info: MediaInfo,
    out_path: Path,
    edit: FrameEdit | None = None,
    *,
    frames: range | None = None,
    overwrite: bool = False,
    plane_edit: PlaneEdit | None = None,
    audio_filters: Mapping[int, AudioFilter] | None = None,
    audio_override: AudioOverride | None = None,
    workers: int = 1,
    executor: SegmentExecutor | None = None,
    segments: int | None = None,
    work_dir: Path | None = None,
    progress: Progress | None = None,
) -> RenderReport:
    """Write ``info``'s clip to ``out_path`` as ``media.render`` does (same plan, frames, edits, audio), with the
    video encoded in segments on ``workers`` workers (or on ``executor``) and joined without re-encoding; see the
    module docstring. ``report.segments`` says what each segment task did (empty when rendered in one piece, and
    then ``edit``/``plane_edit`` ran on the caller's objects rather than on copies). ``progress`` is called here,
    from the running segment tasks' tallies of frames written (see the module docstring).

    Raises:
        ValueError: ``workers`` or ``segments`` is below 1.
        EncodeError: the output path is unusable or encoding failed (nothing is left at ``out_path``).
        SegmentError: a worker died, or the segments do not join (nothing is left; the segment files are removed).
        CorruptMediaError: a source frame or audio packet does not decode (nothing is left at ``out_path``).
        Exception: whatever an edit, a filter or ``progress`` raised (nothing is left at ``out_path``).
    """
    if workers < 1 or (segments is not None and segments < 1):
        raise ValueError(f"workers and segments must be at least 1 (got workers={workers}, segments={segments})")
    out_path = Path(out_path)
    whole = {
        "frames": frames, "overwrite": overwrite, "plane_edit": plane_edit, "audio_filters": audio_filters,
        "progress": progress,
    }  # fmt: skip
    if executor is None and workers == 1 and (segments or 1) == 1:
        return render(info, out_path, edit, audio_override=audio_override, **whole)  # type: ignore[arg-type]
    plan = plan_encode(info, container_of(out_path))
    check_target(info, out_path, overwrite)
    layout = plan_segments(info, segments or 2 * workers)
    if len(layout.segments) == 1:
        return render(info, out_path, edit, audio_override=audio_override, **whole)  # type: ignore[arg-type]
    base = Path(work_dir) if work_dir is not None else out_path.parent
    folder = base / f".{out_path.name}.segments-{secrets.token_hex(6)}"
    try:
        folder.mkdir()
    except OSError as exc:
        raise EncodeError(f"cannot create the segment folder in {base}: {exc}") from None
    span = frames if frames is not None else range(info.frame_count)
    tally = progress is not None
    tasks = [SegmentTask(info, plan, seg, folder, span, edit, plane_edit, tally) for seg in layout.segments]
    meter = Meter(progress, info.frame_count)
    try:
        return _render(info, plan, out_path, tasks, executor, workers, meter, audio_filters, audio_override)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class InlineExecutor:
    """Runs each task when it is submitted, in this process, on a pickled copy of its arguments (so an edit that
    cannot cross to a worker fails here too, and each task edits its own copy)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*pickle.loads(pickle.dumps(args))))
        except Exception as exc:  # handed to the caller through the future, as a pool would
            future.set_exception(exc)
        return future


def _run(
    tasks: Sequence[SegmentTask], executor: SegmentExecutor | None, workers: int, meter: Meter
) -> list[SegmentReport]:
    own: ProcessPoolExecutor | None = None
    if executor is None:
        if workers == 1:
            executor = InlineExecutor()
        else:
            # spawn: workers start clean (no copy of this process's threads or open files); they import media anew
            executor = own = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures: list[Any] = []
        try:
            for task in tasks:
                futures.append(executor.submit(run_segment, task))
                _completed(futures, tasks, meter, block=False)
            _completed(futures, tasks, meter, block=True)
            return [f.result() for f in futures]
        except BaseException as exc:
            for f in futures:
                f.cancel()
            for f in futures:  # wait for the running ones: none may write into the folder once it is removed
                with contextlib.suppress(BaseException):
                    f.result()
            if isinstance(exc, BrokenProcessPool) or _unpicklable(exc):
                raise SegmentError(_explain(exc)) from None
            raise
    finally:
        if own is not None:
            own.shutdown(wait=True, cancel_futures=True)


def _completed(futures: Sequence[Any], tasks: Sequence[SegmentTask], meter: Meter, *, block: bool) -> None:
    """Report the frames encoded so far — all of the completed segments', the running tasks' by their tallies —
    and, with ``block``, go on until every task has completed (a failed task raises its error here, as soon as it
    is seen)."""
    if meter.progress is None:
        return
    if not all(isinstance(f, Future) for f in futures):  # futures that cannot be waited on together: in order
        if block:
            for i, f in enumerate(futures):
                f.result()
                meter.update(sum(t.segment.frames for t in tasks[: i + 1]))
        return
    pending = set(futures)
    while True:
        done = {f for f in futures if f.done()}
        for f in done & pending:
            f.result()  # a failure is raised at once
        pending -= done
        meter.update(
            sum(t.segment.frames if f in done else frames_done(t) for f, t in zip(futures, tasks, strict=False))
        )
        if not block or not pending:
            return
        wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)


def _unpicklable(exc: BaseException) -> bool:
    return isinstance(exc, pickle.PicklingError) or (
        isinstance(exc, AttributeError | TypeError) and "pickle" in str(exc).lower()
    )


def _explain(exc: BaseException) -> str:
    if isinstance(exc, BrokenProcessPool):
        return "a worker process died while rendering a segment (out of memory or killed); render again"
    return (
        f"the render's edits cannot be sent to a worker ({exc}); give top-level functions or instances of top-level "
        "classes, or render with workers=1"
    )


def _render(
    info: MediaInfo,
    plan: EncodePlan,
    out_path: Path,
    tasks: Sequence[SegmentTask],
    executor: SegmentExecutor | None,
    workers: int,
    meter: Meter,
    audio_filters: Mapping[int, AudioFilter] | None,
    audio_override: AudioOverride | None,
) -> RenderReport:
    """Open the output, run the segment tasks while the decoded audio is spooled beside them, then join."""
    tmp = partial_path(out_path)
    try:
        with contextlib.ExitStack() as stack:
            try:
                w = stack.enter_context(writing(info, plan, tmp, audio_filters, audio_override))
            except av.FFmpegError as exc:
                raise EncodeError(f"cannot write {out_path.name}: {_reason(exc)}") from None
            with _spooling(w.audio, tasks[0].folder):
                reports = _run(tasks, executor, workers, meter)
            count = _join(w, plan, [_checked(task, plan) for task in tasks])
        if count != info.frame_count:
            raise SegmentError(f"the segments hold {count} frames, the source {info.frame_count}; render again")
        meter.finish()
        os.replace(tmp, out_path)
    except av.FFmpegError as exc:  # the join, closing the output (its index), or the audio's encoder
        tmp.unlink(missing_ok=True)
        raise EncodeError(f"joining the segments into {out_path.name} failed: {_reason(exc)}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return RenderReport(
        out_path, count, sum(r.edited for r in reports), plan.codec, plan.pix_fmt, plan.container, plan.timecode,
        w.audio.modes, plan, tuple(reports),
    )  # fmt: skip


@contextlib.contextmanager
def _spooling(audio: AudioMux, folder: Path) -> Iterator[None]:
    """Spool ``audio``'s decoded tracks (``AudioMux.spool``: the audio watermark, a re-encode) into ``folder`` in a
    thread while the body runs — the segment tasks — so the join only copies packets; on the way out, wait for it
    and raise what it raised. When the body fails, the spool is told to stop and waited for, and the body's error
    is raised."""
    if not audio.decoded:
        yield
        return
    stop = threading.Event()
    failed: list[BaseException] = []

    def work() -> None:
        try:
            audio.spool(folder, stop.is_set)
        except BaseException as exc:  # handed to the joining thread
            failed.append(exc)

    thread = threading.Thread(target=work, name="cutproof-audio-spool", daemon=True)
    thread.start()
    try:
        yield
    except BaseException:
        stop.set()
        thread.join()
        raise
    thread.join()
    if failed:
        raise failed[0]


def _join(w: Writing, plan: EncodePlan, files: Sequence[SegmentFile]) -> int:
    """Copy the segments' packets into the open output in order, the audio interleaved by time; returns the
    number of frames written."""
    out, vout, audio, start = w.out, w.vout, w.audio, w.start
    count = 0
    cc = vout.codec_context
    cc.open(strict=False)  # as encode() would open it; start_encoding then keeps it
    _same_encoder(cc, files)
    last_dts: int | None = None
    for f in files:
        for record in read_packets(f):
            dts = record[1]
            if dts is not None and last_dts is not None and dts <= last_dts:
                raise SegmentError(
                    f"segment {f.path.name} starts at decode time {dts}, not after {last_dts}: the "
                    "segments' encoders did not run with the same settings; render again"
                )
            last_dts = dts if dts is not None else last_dts
            out.mux(as_packet(record, vout, cc.time_base))
            count += 1
            audio.mux_until(start + Fraction(count) / plan.frame_rate)
    audio.finish()
    return count


def _checked(task: SegmentTask, plan: EncodePlan) -> SegmentFile:
    """The footer of a task's segment file, checked against the task."""
    f = read_footer(task.path)
    seg = task.segment
    if (f.start, f.end, f.codec) != (seg.start, seg.end, plan.codec) or f.packets != seg.frames:
        raise SegmentError(
            f"{f.path.name} holds frames {f.start}–{f.end} in {f.packets} {f.codec} packets, not frames "
            f"{seg.start}–{seg.end} in {plan.codec}; render again"
        )
    return f


def _same_encoder(cc: Any, files: Sequence[SegmentFile]) -> None:
    """Every segment was encoded with this stream's global header and time base, or the join would be unplayable."""
    header = bytes(cc.extradata or b"")
    tick = Fraction(cc.time_base.numerator, cc.time_base.denominator)
    for f in files:
        if f.extradata != header or f.time_base != tick:
            raise SegmentError(
                f"{f.path.name} was encoded with another encoder set-up (global header or time base differs); the "
                "workers must run the same media and codec versions"
            )
