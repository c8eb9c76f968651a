"""Edits rendered in segments on several workers (``media.render_parallel``), with the output of one pass.

An edit's per-frame work is a ``FrameEditor``: an instance of a top-level class holding only data — arrays, the
grade, the face track, parameters, and a model as its file's bytes with their SHA-256 (``Portable``) — so it can be
sent to a worker process or a Ray task, where the model is rebuilt from its bytes (after the hash is checked) on
first use. The same object renders sequentially in this process: one frame loop serves both.

1. ``render_frames(info, out, editor, frames=…, workers=…, executor=…)``: with one worker and no executor,
   ``media.render`` runs the editor in this process; otherwise ``media.render_parallel`` hands each segment task a
   copy of it (the video is cut where its codec allows, encoded per segment and joined without re-encoding; the
   audio, and an audio override such as a new dialogue line, is written in one pass by the join).
2. Each copy records what it measured (changed pixels, metric samples, keyed by frame) and hands it back through
   ``segment_result()`` (``SegmentReport.edit_result``); ``merge`` puts the segments' records together in frame
   order, so the metrics are the ones a sequential run computes from the same samples in the same order.
3. **Temporal state.** An editor whose state runs from frame to frame (the background matte's flow stabilisation,
   the eyeline fields' smoothing) sets ``warm_up``: a copy whose first frame ``s`` is after the edit's first frame
   first runs its state over frames ``max(first, s − warm_up)`` … ``s − 1`` (decoded by ``media.iter_frames``, the
   render's own conversion to float RGB) without writing or recording anything. Both states are contractions
   (each keeps at most 0.85 of its previous state per step), so after the warm-up the state almost always equals, bit
   for bit, the one a sequential run has at ``s`` — and the run checks that it does: each copy reports the SHA-256
   of its state on entry (after its warm-up) and on exit (after its last frame), and segment ``k+1``'s entry must
   equal segment ``k``'s exit. The first segment starts with no state, as a sequential run does; by induction every
   segment then computed exactly what a sequential run computes, so the output is the same. Should a digest
   differ, the parallel output is discarded before it reaches ``out`` (it is written beside it under a temporary
   name and renamed only after the check) and the edit is rendered again in one piece (``RenderReport.segments``
   then is empty, and ``StateCheck.fell_back`` says so).
4. **Progress.** ``progress`` (``media.Progress``) is called in this process only — by ``media.render`` as frames
   are written, by ``media.render_parallel`` as the segment tasks encode theirs (read from their tally files in the
   work folder, the workers' and Ray tasks' alike) — with the fraction of the clip's frames written
   (frames outside the span are written too): increasing, 1.0 last. After a fall-back the one-piece render's
   fractions are mapped onto what is left above the last one reported, so the values still only increase.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from editor.errors import ModelError
from media import (
    AudioOverride,
    MediaInfo,
    Progress,
    RenderReport,
    SegmentExecutor,
    iter_frames,
    render,
    render_parallel,
)
from media.errors import EncodeError


@dataclass(frozen=True)
class Portable:
    """A model as its file's bytes, their SHA-256 and the top-level function that loads them; ``load()`` rebuilds
    it once per process (a worker rebuilds its own; the bytes are checked against the hash first)."""

    payload: bytes
    sha256: str
    loader: Callable[[bytes], Any]

    @classmethod
    def of(cls, payload: bytes, loader: Callable[[bytes], Any]) -> Portable:
        return cls(payload, hashlib.sha256(payload).hexdigest(), loader)

    def load(self) -> Any:
        """The model.

        Raises:
            ModelError: the bytes do not match their hash (damaged in transit).
        """
        key = (self.sha256, self.loader)
        if key not in _LOADED:
            if hashlib.sha256(self.payload).hexdigest() != self.sha256:
                raise ModelError(f"the model bytes sent to this worker do not match their hash {self.sha256[:12]}")
            _LOADED.clear()  # one model per worker process at a time
            _LOADED[key] = self.loader(self.payload)
        return _LOADED[key]


_LOADED: dict[tuple[str, Any], Any] = {}


class StateMismatchError(EncodeError):
    """Two segments' temporal states did not meet at their cut (the parallel output was discarded)."""


class FrameEditor:
    """The per-frame work of one edit over frames ``span`` of ``info`` (see the module docstring).

    Subclasses implement ``frame`` (and, with temporal state, ``warm``, ``state`` and set ``warm_up``), ``record``
    (what this copy measured, keyed by frame) and ``merge`` (put the records of every copy, in segment order, into
    this object). Attributes whose names start with ``_rt_`` are rebuilt where the editor runs and never pickled.
    """

    warm_up = 0  # frames before a segment's first that rebuild the temporal state (0: none is carried)

    def __init__(self, info: MediaInfo, span: range) -> None:
        self.info, self.span = info, span
        self._next: int | None = None
        self._entry: tuple[int, str] | None = None

    # -- what subclasses implement ----------------------------------------------------------------------------------
    def frame(self, n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        raise NotImplementedError

    def warm(self, n: int, rgb: np.ndarray) -> None:
        """Advance the temporal state over frame ``n`` without output (only with ``warm_up`` > 0)."""
        raise NotImplementedError

    def state(self) -> Sequence[np.ndarray | None]:
        """The temporal state (only with ``warm_up`` > 0)."""
        return ()

    def record(self) -> Any:
        raise NotImplementedError

    def merge(self, records: Sequence[Any]) -> None:
        raise NotImplementedError

    # -- the protocol ------------------------------------------------------------------------------------------------
    def __call__(self, n: int, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        if self._next != n:
            if self._next is not None:
                raise EncodeError(f"frame {n} was edited after frame {self._next - 1}; frames must come in order")
            if self.warm_up and n > self.span.start:
                lead = max(self.span.start, n - self.warm_up)
                for i, arr in iter_frames(self.info, start=lead, end=n):
                    self.warm(i, np.asarray(arr))
            self._entry = (n, self._digest())
        out = self.frame(n, rgb)
        self._next = n + 1
        return out

    def segment_result(self) -> dict[str, Any]:
        """What this copy did: the frames it edited, its state digests on entry and exit, and its records."""
        exit_ = None if self._next is None else (self._next, self._digest())
        return {"entry": self._entry, "exit": exit_, "record": self.record()}

    def _digest(self) -> str:
        h = hashlib.sha256()
        for a in self.state():
            h.update(b"-" if a is None else np.ascontiguousarray(a).tobytes() + str(a.dtype).encode())
        return h.hexdigest()

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_rt_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def check_states(results: Sequence[dict[str, Any]], first: int) -> None:
    """Segment ``k+1`` entered with the state segment ``k`` left (see the module docstring).

    Raises:
        StateMismatchError: a cut where the states differ, or a segment whose predecessor is missing.
    """
    exits = {r["exit"][0]: r["exit"][1] for r in results if r["exit"] is not None}
    for r in results:
        if r["entry"] is None or r["entry"][0] == first:
            continue
        n, digest = r["entry"]
        if exits.get(n) != digest:
            raise StateMismatchError(f"the temporal state warmed up for frame {n} is not the one frame {n - 1} left")


class _Reported:
    """The progress of a segmented render: passes on increasing fractions below 1.0 and remembers the last; 1.0
    only through ``finish()`` (the segments' states are checked first: the edit may yet be rendered again)."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress, self.last = progress, 0.0

    def __call__(self, fraction: float) -> None:
        if self.progress is not None and self.last < fraction < 1.0:
            self.last = fraction
            self.progress(fraction)

    def finish(self) -> None:
        if self.progress is not None:
            self.last = 1.0
            self.progress(1.0)

    def rest(self) -> Progress | None:
        """A callback for the one-piece render after a fall-back: its fractions mapped onto ``[last, 1]``."""
        if self.progress is None:
            return None
        floor = self.last
        return lambda f: self.finish() if f >= 1.0 else self(floor + (1.0 - floor) * f)


@dataclass(frozen=True)
class StateCheck:
    """How the segments' temporal states were checked: cuts compared, and whether the edit fell back to one piece."""

    cuts: int
    fell_back: bool


def render_frames(
    info: MediaInfo,
    out_path: Path,
    editor: FrameEditor,
    *,
    overwrite: bool = False,
    audio_override: AudioOverride | None = None,
    workers: int = 1,
    executor: SegmentExecutor | None = None,
    segments: int | None = None,
    progress: Progress | None = None,
) -> tuple[RenderReport, StateCheck]:
    """Render ``info`` through ``editor`` (frames ``editor.span``) into ``out_path``, in one piece or in segments;
    afterwards ``editor`` holds the records of every frame, merged; ``progress`` gets the fraction of frames written
    (see the module docstring).

    Raises:
        EncodeError: the output path is unusable or encoding failed (nothing is left at ``out_path``).
        SegmentError: a worker died, or the segments do not join (nothing is left at ``out_path``).
        CorruptMediaError: a source frame does not decode (nothing is left at ``out_path``).
        ValueError: ``workers`` or ``segments`` is below 1.
        Exception: whatever the editor or ``progress`` raised (nothing is left at ``out_path``).
    """
    out_path = Path(out_path)
    kw: dict[str, Any] = {"frames": editor.span, "audio_override": audio_override}
    if executor is None and workers == 1 and (segments or 1) == 1:
        report = render(info, out_path, editor, overwrite=overwrite, progress=progress, **kw)
        editor.merge([editor.record()])
        return report, StateCheck(0, False)
    if out_path.exists() and not overwrite:
        raise EncodeError(f"{out_path} already exists; choose another output path or remove it first")
    if not out_path.parent.is_dir():
        raise EncodeError(f"{out_path.parent} is not a directory; create it first")
    if out_path.exists() and out_path.resolve() == Path(info.path).resolve():
        raise EncodeError(f"{out_path.name}: the output must not overwrite its own source")
    tmp = out_path.with_name(f".{out_path.stem}.segmented-{secrets.token_hex(4)}{out_path.suffix}")
    par = {"workers": workers, "executor": executor, "segments": segments}
    reported = _Reported(progress)
    if progress is not None:
        par["progress"] = reported
    try:
        report = render_parallel(info, tmp, editor, **kw, **par)  # type: ignore[arg-type]
        results = [s.edit_result for s in report.segments if s.edit_result is not None]
        if not report.segments:  # one piece after all (too short to cut): the caller's editor ran
            results = [editor.segment_result()]
        if editor.warm_up:
            check_states(results, editor.span.start)
        reported.finish()
        os.replace(tmp, out_path)
    except StateMismatchError:
        tmp.unlink(missing_ok=True)
        # Only the copies ran: this editor is as it was before the render, so it renders the whole edit here.
        report = render(info, out_path, editor, overwrite=overwrite, progress=reported.rest(), **kw)
        editor.merge([editor.record()])
        return report, StateCheck(0, True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    editor.merge([r["record"] for r in results])
    cuts = sum(1 for r in results if r["entry"] is not None and r["entry"][0] != editor.span.start)
    return replace(report, path=out_path), StateCheck(cuts if editor.warm_up else 0, False)
