"""Whole-file embedding and detection: decode → mark luma → encode, through the media layer's one writer.

``embed_video`` hands ``media.render_parallel`` (``media.render`` itself with one worker) an in-place luma edit (and,
with ``mark_audio``, the audio watermark's ``StreamMarker`` as a filter on the first audio track), so a marked
deliverable is encoded under the same ``media.plan_encode`` policy as the editor's render of the same source: codec
family and profile, pixel format and bit depth, colour tags, timecode, exact frame rate and frame count, and per audio
track the codec, sample format and bit depth. ``detect_video`` reads luma with ``media.iter_luma``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from labeler._payload import check_key
from labeler.watermark._detect import Accumulator
from labeler.watermark._embed import DEFAULT_STRENGTH, FrameEmbedder
from labeler.watermark._pattern import ALGORITHM_ID
from labeler.watermark.errors import InvalidKeyError, UnreadableVideoError, VideoWriteError
from media import MediaError, Picture, Progress, RenderReport, SegmentExecutor, iter_luma, probe, render_parallel
from media.errors import CorruptMediaError, EncodeError

if TYPE_CHECKING:
    from labeler.audio_watermark import TrackReport

DEFAULT_MAX_SECONDS = Fraction(5)
_SUFFIXES = (".mkv", ".m4v", ".mov", ".mp4")


@dataclass(frozen=True, slots=True)
class EmbedReport:
    """What ``embed_video`` did: output, encoder, frames, quality (PSNR of luma, before encoding) and speed.

    ``ms_per_frame`` is wall-clock time of the marking step per frame (copy + pattern + add; decoding and encoding
    excluded); ``cpu_ms_per_frame`` is the process CPU time it used (all threads), which contention does not inflate.
    """

    output: Path
    key: int
    algorithm: str
    frames: int
    psnr_y: float
    psnr_y_min: float
    ms_per_frame: float
    cpu_ms_per_frame: float
    encoder: str
    width: int
    height: int
    frame_rate: Fraction
    audio: tuple[str, ...]
    timecode: str | None
    audio_marks: tuple[TrackReport, ...] = ()  # per marked audio track (mark_audio=True)

    @property
    def key_hex(self) -> str:
        """The key as 16 lower-case hex digits."""
        return f"{self.key:016x}"


@dataclass(frozen=True, slots=True)
class Detection:
    """Result of ``detect_video``: the key (or ``None``) and the evidence behind it."""

    key: int | None
    confidence: float
    frames_used: int
    bit_errors_corrected: int | None
    sync_score: float
    scale: float
    seconds_used: Fraction
    algorithm: str = ALGORITHM_ID

    @property
    def key_hex(self) -> str | None:
        """The key as 16 lower-case hex digits, or ``None``."""
        return None if self.key is None else f"{self.key:016x}"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary (``key`` as 16 hex digits or null)."""
        return {
            "key": self.key_hex,
            "confidence": round(self.confidence, 4),
            "frames_used": self.frames_used,
            "bit_errors_corrected": self.bit_errors_corrected,
            "sync_score": round(self.sync_score, 2),
            "scale": round(self.scale, 4),
            "seconds_used": float(self.seconds_used),
            "algorithm": self.algorithm,
        }


def parse_key(text: str) -> int:
    """Parse a key given as exactly 16 hex digits (an optional ``0x`` prefix is accepted).

    Raises:
        InvalidKeyError: not 16 hexadecimal digits.
    """
    t = text.strip().lower().removeprefix("0x")
    if len(t) != 16 or any(c not in "0123456789abcdef" for c in t):
        raise InvalidKeyError(f"watermark key must be 16 hex digits (64 bits), got {text!r}")
    return int(t, 16)


def embed_video(
    src: str | Path,
    dst: str | Path,
    key: int,
    *,
    strength: float = DEFAULT_STRENGTH,
    mark_audio: bool = False,
    workers: int = 1,
    executor: SegmentExecutor | None = None,
    progress: Progress | None = None,
) -> EmbedReport:
    """Mark every frame of ``src`` with ``key`` and write ``dst`` (MP4, MOV or MKV, chosen by extension).

    The video is re-encoded under ``media.plan_encode`` (the source's codec family, profile, pixel format and bit
    depth at a visually lossless setting; anything that is not ProRes, DNxHR or H.265 becomes H.264); audio
    packets are copied unchanged where the container holds their codec, else re-encoded by the same policy;
    timecode, colour tags, frame rate and frame count are kept. The output is written to a temporary file renamed
    only on success (an existing ``dst`` is replaced then, and left untouched on failure).

    ``strength``: the most RMS luma change of the mark on any frame, in 8-bit code values (the level is solved on
    each frame as written, ``labeler.watermark._embed``); the default gives a luma PSNR of 42.25 dB on every frame.

    With ``mark_audio`` the first audio track is instead decoded, marked with the same key by the audio watermark
    (``labeler.audio_watermark``, ``cutproof-awm/1``) and re-encoded in the same pass, in its codec family, sample
    rate, channel layout and bit depth; other audio tracks are handled as above. No audio track: nothing to mark,
    and ``audio_marks`` is empty.

    With ``workers`` > 1 (a process pool of that many workers) or an ``executor`` (e.g. the Ray engine's), the
    video is marked and encoded in segments in parallel and joined without re-encoding (``media.render_parallel``):
    the luma mark is per frame, so every frame is marked exactly as in one pass; the audio is marked in one pass in
    this process while the segments render (``AudioMux.spool``) and copied in when they are joined, so it is
    sample-identical to a sequential run.

    ``progress`` is called, in this process only, with the fraction of frames written (per frame in one pass, as
    each segment completes in segments; increasing, 1.0 last); if it raises, nothing is written (``media.Progress``).

    Raises:
        InvalidKeyError: ``key`` is not in [0, 2^64).
        UnreadableVideoError: ``src`` is missing, not a video, truncated or undecodable.
        VideoWriteError: ``dst`` has an unsupported extension, is ``src``, or encoding/writing failed (also when
            a segment worker died).
        ValueError: ``workers`` is below 1.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    # Imported here: the audio watermark loads SciPy, which segment workers (they unpickle ``_LumaMarker`` from this
    # module) do not need.
    from labeler.audio_watermark import ALGORITHM_ID as AUDIO_ALGORITHM_ID
    from labeler.audio_watermark import StreamMarker, TrackReport

    try:
        check_key(key)
    except ValueError as exc:
        raise InvalidKeyError(str(exc)) from exc
    src_p, dst_p = Path(src), Path(dst)
    if dst_p.suffix.lower() not in _SUFFIXES:
        raise VideoWriteError(f"{dst_p}: output must end in one of {', '.join(_SUFFIXES)}")
    if dst_p.exists() and src_p.exists() and dst_p.resolve() == src_p.resolve():
        raise VideoWriteError(f"{dst_p}: output must not overwrite the input")
    if not dst_p.parent.is_dir():
        raise VideoWriteError(f"{dst_p.parent}: output directory does not exist")
    marker = _LumaMarker(FrameEmbedder(key, strength))
    try:
        info = probe(src_p)
        track = info.audio[0] if mark_audio and info.audio else None
        audio = {track.index: StreamMarker(key, track.sample_rate, track.channels)} if track is not None else {}
        report = render_parallel(
            info,
            dst_p,
            plane_edit=marker,
            audio_filters=audio,
            overwrite=True,
            workers=workers,
            executor=executor,
            progress=progress,
        )
    except EncodeError as exc:
        raise VideoWriteError(f"could not write {dst_p}: {exc}") from exc
    except MediaError as exc:
        raise _unreadable(src_p, exc) from exc
    marks = tuple(
        TrackReport(AUDIO_ALGORITHM_ID, t.codec, report.plan.audio[i].codec, t.sample_rate, t.layout,
                    m.samples_in / t.sample_rate, m.snr_db)
        for i, t in enumerate(info.audio) if (m := audio.get(t.index)) is not None
    )  # fmt: skip
    if report.segments:  # each segment task marked its own copy of the marker: add up what they measured
        marker = _LumaMarker.total([s.plane_edit for s in report.segments])
    return EmbedReport(
        output=dst_p,
        key=key,
        algorithm=ALGORITHM_ID,
        frames=report.frame_count,
        psnr_y=marker.psnr_y,
        psnr_y_min=marker.psnr_y_min,
        ms_per_frame=marker.ms_per_frame,
        cpu_ms_per_frame=marker.cpu_ms_per_frame,
        encoder=report.codec,
        width=info.width,
        height=info.height,
        frame_rate=info.frame_rate,
        audio=_describe_audio(report, marks),
        timecode=info.timecode,
        audio_marks=marks,
    )


class _LumaMarker:
    """The ``media.PlaneEdit`` that marks luma in place, measuring the mark's PSNR (8-bit scale) and its speed."""

    def __init__(self, embedder: FrameEmbedder) -> None:
        self.embedder = embedder
        self.frames, self.sq_err, self.seconds, self.cpu_seconds = 0, 0.0, 0.0, 0.0
        self.worst = 0.0  # the largest per-frame MSE (8-bit scale)

    @classmethod
    def total(cls, markers: list[_LumaMarker]) -> _LumaMarker:
        """One marker whose counts are the sum of ``markers``' (the copies that marked the segments)."""
        out = cls(markers[0].embedder)
        for m in markers:
            out.frames += m.frames
            out.sq_err += m.sq_err
            out.seconds += m.seconds
            out.cpu_seconds += m.cpu_seconds
            out.worst = max(out.worst, m.worst)
        return out

    def __call__(self, picture: Picture) -> None:
        t0, c0 = time.perf_counter(), time.process_time()
        y = picture.luma
        original = y.copy()
        y[...] = self.embedder.embed(original, picture.max_value)
        self.seconds += time.perf_counter() - t0
        self.cpu_seconds += time.process_time() - c0
        scale = 255.0 / picture.max_value
        mse = float(np.mean(np.square((y.astype(np.float32) - original) * scale)))
        self.sq_err += mse
        self.worst = max(self.worst, mse)
        self.frames += 1

    @property
    def psnr_y(self) -> float:
        mse = self.sq_err / max(self.frames, 1)
        return float("inf") if mse == 0 else 10.0 * float(np.log10(255.0**2 / mse))

    @property
    def psnr_y_min(self) -> float:
        """The mark's luma PSNR on its most changed frame."""
        return float("inf") if self.worst == 0 else 10.0 * float(np.log10(255.0**2 / self.worst))

    @property
    def ms_per_frame(self) -> float:
        return 1000.0 * self.seconds / max(self.frames, 1)

    @property
    def cpu_ms_per_frame(self) -> float:
        return 1000.0 * self.cpu_seconds / max(self.frames, 1)


def _describe_audio(report: RenderReport, marks: tuple[TrackReport, ...]) -> tuple[str, ...]:
    """Per source audio track: ``aac (copied)``, ``mp2 → aac (re-encoded)`` or the mark's ``describe()``."""
    marked = iter(marks)
    out = []
    for plan, mode in zip(report.plan.audio, report.audio, strict=True):
        if mode == "remuxed":
            out.append(f"{plan.source_codec} (copied)")
        elif mode.startswith("filtered:"):
            out.append(next(marked).describe())
        else:
            out.append(f"{plan.source_codec} → {plan.codec} (re-encoded)")
    return tuple(out)


def _unreadable(src: Path, exc: MediaError) -> UnreadableVideoError:
    if isinstance(exc, CorruptMediaError):
        return UnreadableVideoError(f"{src}: the file is damaged or truncated ({exc})")
    return UnreadableVideoError(f"{src}: not a readable video file ({exc})")


def detect_video(path: str | Path, *, max_seconds: float | Fraction = DEFAULT_MAX_SECONDS) -> Detection:
    """Look for a ``cutproof-wm/2`` (or ``/1``) key in the first ``max_seconds`` of any video PyAV can open.

    Evidence is aggregated over all frames decoded (soft decisions), then scale and shift are searched and the
    codeword decoded (BCH + CRC); ``key`` is ``None`` when nothing decodes. A file that stops decoding part-way is
    read up to the damage.

    Raises:
        UnreadableVideoError: missing, not a video, or no frame could be decoded.
        ValueError: ``max_seconds`` is not positive.
    """
    limit = Fraction(max_seconds).limit_denominator(1000)
    if limit <= 0:
        raise ValueError(f"max_seconds must be positive, got {max_seconds}")
    p = Path(path)
    acc = Accumulator()
    used = Fraction(0)
    try:
        for luma in iter_luma(p, seconds=limit):
            acc.add(luma.plane, 255.0 / luma.max_value)
            used = luma.end
    except CorruptMediaError as exc:
        if acc.frames == 0:
            raise UnreadableVideoError(f"{p}: no decodable video frames ({exc})") from exc
    except MediaError as exc:
        raise UnreadableVideoError(f"{p}: not a readable video file ({exc})") from exc
    if acc.frames == 0:
        raise UnreadableVideoError(f"{p}: no decodable video frames (the file is empty or damaged)")
    r = acc.result()
    return Detection(r.key, r.confidence, r.frames_used, r.bit_errors_corrected, r.sync_score, r.scale, used)
