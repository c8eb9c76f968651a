"""PyAV side of the audio mark: reading a file's dialogue track, and re-encoding a marked track while muxing.

``TrackMarker`` is used inside the video watermark's single transcode pass (``labeler.watermark.embed_video``
with ``mark_audio=True``): it decodes the source's audio packets, marks the samples (streamed, bounded memory)
and encodes them again in the source's codec family, sample rate and channel layout.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from labeler.audio_watermark._embed import DEFAULT_STRENGTH, StreamMarker
from labeler.audio_watermark._scheme import ALGORITHM_ID, Array
from labeler.audio_watermark.errors import AudioWriteError, UnreadableAudioError

# Decoder name → (encoder, default bit rate): the same codec family as the source where FFmpeg can write it.
_FAMILY: dict[str, tuple[str, int | None]] = {
    "aac": ("aac", 192_000), "mp3": ("libmp3lame", 192_000), "mp3float": ("libmp3lame", 192_000),
    "mp2": ("mp2", 224_000), "mp2float": ("mp2", 224_000), "ac3": ("ac3", 192_000), "opus": ("libopus", 128_000),
    "libopus": ("libopus", 128_000), "flac": ("flac", None), "alac": ("alac", None),
    "pcm_s16le": ("pcm_s16le", None), "pcm_s24le": ("pcm_s24le", None), "pcm_s16be": ("pcm_s16be", None),
    "pcm_s24be": ("pcm_s24be", None), "pcm_f32le": ("pcm_f32le", None),
}  # fmt: skip
_FALLBACK = ("aac", 192_000)


@dataclass(frozen=True, slots=True)
class TrackReport:
    """What was done to one audio track: codecs, format, samples marked and the signal-to-mark ratio."""

    algorithm: str
    source_codec: str
    encoder: str
    sample_rate: int
    layout: str
    seconds: float
    snr_db: float

    def describe(self) -> str:
        """One line for ``EmbedReport.audio``, e.g. ``aac → aac (marked cutproof-awm/1, SNR 24.1 dB)``."""
        return f"{self.source_codec} → {self.encoder} (marked {self.algorithm}, SNR {self.snr_db:.1f} dB)"


def choose_encoder(src_codec: str, output: Any, sample_rate: int) -> tuple[str, int | None]:
    """The encoder of the source's family where it exists, takes the sample rate and the container takes it;
    else AAC (which takes every common rate up to 96 kHz)."""
    name, bit_rate = _FAMILY.get(src_codec, _FALLBACK)
    try:
        codec = av.codec.Codec(name, "w")
    except (av.error.FFmpegError, ValueError):
        return _FALLBACK
    rates = codec.audio_rates
    if codec.name not in output.supported_codecs or (rates and sample_rate not in rates):
        return _FALLBACK
    return name, bit_rate


class TrackMarker:
    """Decode → mark → encode one audio stream into ``output`` (created in ``__init__``)."""

    def __init__(self, ain: Any, output: Any, key: int, *, strength: float = DEFAULT_STRENGTH) -> None:
        cc = ain.codec_context
        self.sr = int(cc.sample_rate or 0)
        self.layout = cc.layout.name if cc.layout else "stereo"
        self.channels = cc.layout.nb_channels if cc.layout else 2
        if self.sr <= 0:
            raise UnreadableAudioError(f"audio stream {ain.index} declares no sample rate")
        self.source_codec = cc.name
        self.encoder, default_rate = choose_encoder(cc.name, output, self.sr)
        self.stream = output.add_stream(self.encoder, rate=self.sr)
        self.stream.layout = self.layout
        if default_rate is not None:
            self.stream.bit_rate = max(int(cc.bit_rate or 0), default_rate) if self.encoder != "mp2" else default_rate
        self.stream.time_base = Fraction(1, self.sr)
        self._marker = StreamMarker(key, self.sr, self.channels, strength=strength)
        self._planar = av.AudioResampler(format="fltp", layout=self.layout, rate=self.sr)
        self._written = 0
        self._start: int | None = None

    def feed(self, frames: Iterable[Any]) -> list[Any]:
        """Decoded source frames in → encoded packets out (possibly none yet)."""
        packets: list[Any] = []
        for frame in frames:
            if self._start is None and frame.pts is not None and frame.time_base is not None:
                self._start = max(0, round(frame.pts * frame.time_base * self.sr))
            for planar in self._planar.resample(frame):
                packets += self._encode(self._marker.push(planar.to_ndarray()))
        return packets

    def flush(self) -> list[Any]:
        """Mark what is buffered, drain the encoder; returns the last packets."""
        packets: list[Any] = []
        for planar in self._planar.resample(None):
            packets += self._encode(self._marker.push(planar.to_ndarray()))
        packets += self._encode(self._marker.flush())
        try:
            packets += list(self.stream.encode(None))
        except (av.error.FFmpegError, ValueError) as exc:
            raise AudioWriteError(f"could not encode the marked audio ({self.encoder}): {exc}") from exc
        return packets

    def _encode(self, blocks: list[Array]) -> list[Any]:
        packets: list[Any] = []
        for block in blocks:
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(block, dtype=np.float32), format="fltp", layout=self.layout
            )
            frame.sample_rate = self.sr
            frame.pts = (self._start or 0) + self._written
            frame.time_base = Fraction(1, self.sr)
            self._written += block.shape[1]
            try:
                packets += list(self.stream.encode(frame))
            except (av.error.FFmpegError, ValueError) as exc:
                raise AudioWriteError(f"could not encode the marked audio ({self.encoder}): {exc}") from exc
        return packets

    def report(self) -> TrackReport:
        """Summary once flushed."""
        return TrackReport(
            ALGORITHM_ID, self.source_codec, self.encoder, self.sr, self.layout,
            self._marker.samples_in / self.sr, self._marker.snr_db,
        )  # fmt: skip


def read_audio(path: str | Path, *, max_seconds: float | None = None) -> tuple[Array, int] | None:
    """The first audio stream of ``path`` as float planar samples (channels × n) and its rate; ``None``
    when the file has no audio stream.

    Raises:
        UnreadableAudioError: missing, not a media file, or the audio cannot be decoded at all.
    """
    p = Path(path)
    if not p.is_file():
        raise UnreadableAudioError(f"{p}: no such file")
    try:
        container = av.open(str(p), mode="r")
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise UnreadableAudioError(f"{p}: not a readable media file ({exc})") from exc
    with container:
        if not container.streams.audio:
            return None
        ain = container.streams.audio[0]
        cc = ain.codec_context
        sr = int(cc.sample_rate or 0)
        if sr <= 0:
            raise UnreadableAudioError(f"{p}: the audio stream declares no sample rate")
        layout = cc.layout.name if cc.layout else "mono"
        planar = av.AudioResampler(format="fltp", layout=layout, rate=sr)
        limit = None if max_seconds is None else int(max_seconds * sr)
        parts: list[Array] = []
        got = 0

        def take(frame: Any) -> None:
            nonlocal got
            for f in planar.resample(frame):
                arr = f.to_ndarray()
                parts.append(arr)
                got += arr.shape[1]

        try:
            for frame in container.decode(ain):
                take(frame)
                if limit is not None and got >= limit:
                    break
            take(None)
        except av.error.FFmpegError as exc:
            if not parts:
                raise UnreadableAudioError(f"{p}: the audio track cannot be decoded ({exc})") from exc
    if not parts:
        raise UnreadableAudioError(f"{p}: the audio track holds no decodable samples")
    samples = np.concatenate(parts, axis=1)
    return (samples if limit is None else samples[:, :limit]), sr
