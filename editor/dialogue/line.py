"""The new line: a WAV (or any audio file PyAV reads) validated for the dialogue edit."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from editor.dailies import content_hash
from editor.dialogue.errors import LineLengthError, LineRateError, SilentLineError, UnreadableLineError
from editor.dialogue.features import utterance_features
from media import read_audio
from media.errors import MediaError

MIN_RATE, MAX_RATE = 16000, 192000
SILENCE_DBFS = -50.0


@dataclass(frozen=True)
class Line:
    """A validated line: samples ``(n, ch)`` float32 at ``rate``, its content hash and its 100 Hz features."""

    path: Path
    samples: np.ndarray
    rate: int
    content_hash: str
    feats: np.ndarray

    @property
    def duration(self) -> Fraction:
        return Fraction(len(self.samples), self.rate)

    def frames(self, fps: Fraction) -> int:
        """How many video frames the line spans (rounded up)."""
        return -(-(self.duration * fps).numerator // (self.duration * fps).denominator)

    def describe(self) -> dict[str, object]:
        return {
            "content_hash": self.content_hash,
            "name": self.path.name,
            "sample_rate": self.rate,
            "channels": int(self.samples.shape[1]),
            "samples": len(self.samples),
        }


def load_line(path: Path) -> Line:
    """Read and validate a new line.

    Raises:
        UnreadableLineError: missing, not audio, or no audio stream.
        LineRateError: sample rate outside 16–192 kHz (other rates in that band are resampled as needed).
        SilentLineError: the line's peak is below -50 dBFS (nothing to sync to).
    """
    path = Path(path)
    try:
        clip = read_audio(path)
    except MediaError as exc:
        raise UnreadableLineError(f"the new line {path.name} is not a readable audio file: {exc}") from None
    if not MIN_RATE <= clip.rate <= MAX_RATE:
        raise LineRateError(
            f"the new line {path.name} is sampled at {clip.rate} Hz; dialogue for a deliverable must be "
            f"{MIN_RATE // 1000}–{MAX_RATE // 1000} kHz — re-export it at 48 kHz"
        )
    if len(clip.samples) < clip.rate // 10:
        raise LineLengthError(f"the new line {path.name} lasts under 0.1 s; give the whole line")
    peak = float(np.abs(clip.samples).max())
    if peak <= 10 ** (SILENCE_DBFS / 20):
        level = "digital silence" if peak == 0 else f"peak {20 * np.log10(peak):.1f} dBFS"
        raise SilentLineError(f"the new line {path.name} is silent ({level}); check the export from the ADR session")
    feats = utterance_features(clip.samples, clip.rate)
    return Line(path, clip.samples, clip.rate, content_hash(path), feats)


def fit_range(line: Line, fps: Fraction, frame_count: int, start: int, end: int | None) -> tuple[int, int]:
    """The frame range the line is laid into: ``start``..``end``, or ``start`` + the line's length.

    Raises:
        LineLengthError: the line is longer than the clip after ``start``, or its length differs from the given
            range by more than one frame.
    """
    n = line.frames(fps)
    if end is None:
        end = start + n
        if end > frame_count:
            raise LineLengthError(
                f"the new line lasts {float(line.duration):.3f} s ({n} frames) but only {frame_count - start} frames "
                f"follow frame {start}; start earlier or trim the line"
            )
        return start, end
    span = Fraction(end - start) / fps
    if abs(line.duration - span) > 1 / fps:
        raise LineLengthError(
            f"the new line lasts {float(line.duration):.3f} s but frames {start}–{end} last {float(span):.3f} s; "
            "give a range of the line's length, or use re-time only (--retime-only) to slip the picture to it"
        )
    return start, end
