"""Reading audio as numpy samples and laying new audio into a rendered clip's soundtrack.

``read_audio`` decodes one audio stream (of a clip, or a WAV/other audio file) to float32 samples ``(n, channels)``
in [-1, 1] at the stream's rate. ``AudioOverride`` describes new samples that replace a clip's soundtrack over
``[start, end)`` seconds; ``render(..., audio_override=)`` decodes every source track, splices the new samples in
exactly that span (the rest untouched) and writes the track losslessly (``lossless_audio_plan``: PCM in MOV, ALAC in
MP4, at the track's bit depth), so a decoder reads back the samples that were laid in (to 16- or 24-bit
quantisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from pathlib import Path
from typing import Any

import av
import numpy as np

from media._open import _reason, open_input
from media.errors import CorruptMediaError, MediaRangeError, NoAudioError


@dataclass(frozen=True)
class AudioClip:
    """Decoded audio: ``samples`` float32 ``(n, channels)`` in [-1, 1] at ``rate`` Hz."""

    samples: np.ndarray
    rate: int
    codec: str

    @property
    def duration(self) -> Fraction:
        return Fraction(len(self.samples), self.rate)

    def mono(self) -> np.ndarray:
        """The channels averaged into one float32 vector."""
        return np.asarray(self.samples.mean(axis=1), np.float32)


def resample(samples: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Polyphase resampling (scipy) along axis 0; returns float32. The identity when the rates agree."""
    if rate == new_rate:
        return np.asarray(samples, np.float32)
    from scipy.signal import resample_poly  # SciPy only where audio is resampled (not in every render worker)

    g = gcd(rate, new_rate)
    return np.asarray(resample_poly(samples, new_rate // g, rate // g, axis=0), np.float32)


def read_audio(path: Path, *, stream: int | None = None, max_seconds: Fraction | float | None = None) -> AudioClip:
    """Decode an audio stream (the first one, or the one with container index ``stream``) to float samples: all of
    it, or its first ``max_seconds``.

    Raises:
        MediaError: the file does not exist.
        UnreadableMediaError: it is not media PyAV can open.
        NoAudioError: it has no audio stream (or none with index ``stream``).
        CorruptMediaError: its audio does not decode.
    """
    path = Path(path)
    with open_input(path, what="an audio file", advice="") as container:
        streams = [s for s in container.streams.audio if s.codec_context is not None]
        if stream is not None:
            streams = [s for s in streams if s.index == stream]
        if not streams:
            raise NoAudioError(f"{path.name}: has no audio stream; give a file with sound")
        s = streams[0]
        rate = int(s.codec_context.sample_rate or 0)
        if rate <= 0:
            raise CorruptMediaError(f"{path.name}: the audio stream declares no sample rate")
        limit = None if max_seconds is None else round(Fraction(max_seconds) * rate)
        chunks: list[np.ndarray] = []
        got = 0
        try:
            for frame in container.decode(s):
                chunks.append(_planar_float(frame))
                got += chunks[-1].shape[1]
                if limit is not None and got >= limit:
                    break
        except av.FFmpegError as exc:
            raise CorruptMediaError(f"{path.name}: its audio does not decode ({_reason(exc)})") from None
        channels = int(s.codec_context.channels or 1)
        codec = s.codec_context.codec.canonical_name
    samples = np.concatenate(chunks, axis=1).T if chunks else np.zeros((0, channels), np.float32)
    if limit is not None:
        samples = samples[:limit]
    return AudioClip(np.ascontiguousarray(samples, np.float32), rate, codec)


def _planar_float(frame: Any) -> np.ndarray:
    """A decoded audio frame as float32 ``(channels, n)`` in [-1, 1], whatever its sample format."""
    arr = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if not frame.format.is_planar:
        arr = arr.reshape(-1, channels).T
    if arr.dtype.kind == "i":
        arr = arr.astype(np.float32) / float(np.iinfo(arr.dtype).max + 1)
    elif arr.dtype.kind == "u":
        arr = (arr.astype(np.float32) - 128.0) / 128.0
    return np.asarray(arr, np.float32).reshape(channels, -1)


@dataclass(frozen=True)
class AudioOverride:
    """New audio for ``[start, end)`` seconds of a clip: ``samples`` float32 ``(n,)`` or ``(n, ch)`` at ``rate``.

    The samples are resampled to each track's rate and fitted to the span's exact sample count (the caller checks
    that the line fits; at most a few samples are padded or trimmed by rounding).
    """

    samples: np.ndarray
    rate: int
    start: Fraction
    end: Fraction

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise MediaRangeError(f"audio span {self.start}–{self.end} s is empty; give 0 ≤ start < end")
        if self.rate <= 0 or self.samples.ndim not in (1, 2) or len(self.samples) == 0:
            raise MediaRangeError("the new audio must be a non-empty sample array with a positive rate")

    def span(self, rate: int) -> tuple[int, int]:
        """First and one-past-last sample index of the span at ``rate`` (exact rounding of rational seconds)."""
        return round(self.start * rate), round(self.end * rate)

    def for_track(self, rate: int, channels: int) -> np.ndarray:
        """The new samples at ``rate`` with ``channels`` channels, exactly the span's length, float32 ``(n, ch)``."""
        x = self.samples if self.samples.ndim == 2 else self.samples[:, None]
        x = resample(x, self.rate, rate)
        if x.shape[1] != channels:
            x = np.repeat(x.mean(axis=1, keepdims=True), channels, axis=1)
        a, b = self.span(rate)
        n = b - a
        if len(x) < n:
            x = np.concatenate([x, np.zeros((n - len(x), channels), np.float32)])
        return np.clip(x[:n], -1.0, 1.0).astype(np.float32)


def splice(track: np.ndarray, rate: int, override: AudioOverride) -> np.ndarray:
    """``track`` (n, ch) with the override's span replaced (the track is extended with silence if it is short)."""
    a, b = override.span(rate)
    channels = track.shape[1] if track.ndim == 2 and track.shape[1] else 1
    out = track.reshape(len(track), channels).copy()
    if len(out) < b:
        out = np.concatenate([out, np.zeros((b - len(out), channels), np.float32)])
    out[a:b] = override.for_track(rate, channels)
    return out
