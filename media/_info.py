"""What a clip is: the value types a probe returns (``MediaInfo`` with its ``ColourTags`` and ``AudioTrack``s) and
the limits it checks against (``MediaLimits``).

Plain data, no PyAV: the catalogue reads them back for commands that never open a file (``cutproof audit``,
``dailies list``). Probing itself is in :mod:`media._probe`, which re-exports these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

CodecFamily = Literal["prores", "dnxhd", "h264", "hevc", "other"]
_FAMILIES: dict[str, CodecFamily] = {"prores": "prores", "dnxhd": "dnxhd", "h264": "h264", "hevc": "hevc"}


@dataclass(frozen=True)
class MediaLimits:
    """What counts as a sane clip. Anything outside is rejected as absurd before a frame is decoded."""

    min_dimension: int = 16
    max_dimension: int = 8192  # 8K DCI is 8192×4320; 16k×16k is not a camera file
    max_pixels: int = 8192 * 4320
    min_rate: Fraction = Fraction(1)
    max_rate: Fraction = Fraction(300)
    max_duration_s: int = 24 * 3600


DEFAULT_LIMITS = MediaLimits()


@dataclass(frozen=True)
class ColourTags:
    """Colour description tags (FFmpeg/ITU-T H.273 code points; 2 = unspecified)."""

    primaries: int = 2
    transfer: int = 2
    matrix: int = 2
    range: int = 0  # 0 unspecified, 1 limited (MPEG), 2 full (JPEG)

    def as_dict(self) -> dict[str, int]:
        return {"primaries": self.primaries, "transfer": self.transfer, "matrix": self.matrix, "range": self.range}


_PCM_BITS = {"pcm_s16le": 16, "pcm_s16be": 16, "pcm_s24le": 24, "pcm_s24be": 24, "pcm_s32le": 32, "pcm_s32be": 32}
_PCM_BITS |= {"pcm_f32le": 32, "pcm_f32be": 32, "pcm_f64le": 64, "pcm_f64be": 64, "pcm_s8": 8, "pcm_u8": 8}
LOSSLESS_AUDIO = frozenset({"alac", "flac", *_PCM_BITS})


@dataclass(frozen=True)
class AudioTrack:
    """One audio stream of a clip.

    ``sample_format`` is the decoder's sample format (``s16``, ``s32``, ``fltp``, …; empty when unknown, e.g. a
    catalogue row written before it was recorded) and ``bit_rate`` the declared bit rate (0 when unknown).
    """

    index: int
    codec: str
    sample_rate: int
    channels: int
    layout: str
    sample_format: str = ""
    bit_rate: int = 0

    @property
    def lossless(self) -> bool:
        """PCM, ALAC or FLAC: every decoded sample is the recorded one."""
        return self.codec in LOSSLESS_AUDIO

    @property
    def bit_depth(self) -> int:
        """Bits per sample of a lossless track (PCM from its codec; ALAC/FLAC 16, or 24 when decoded to 32-bit
        integers, also when unknown, so that a re-encode never loses depth); 0 for lossy codecs."""
        if self.codec in _PCM_BITS:
            return _PCM_BITS[self.codec]
        if self.codec in LOSSLESS_AUDIO:
            return 16 if self.sample_format.startswith("s16") else 24
        return 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "codec": self.codec,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "layout": self.layout,
            "sample_format": self.sample_format,
            "bit_rate": self.bit_rate,
        }


@dataclass(frozen=True)
class MediaInfo:
    """What a probed clip is. ``frame_rate`` is the exact rational rate; ``frame_count`` is counted, not guessed."""

    path: Path
    container: str
    codec: str
    profile: str | None
    width: int
    height: int
    pix_fmt: str
    bit_depth: int
    frame_rate: Fraction
    frame_count: int
    timecode: str | None
    colour: ColourTags = field(default_factory=ColourTags)
    audio: tuple[AudioTrack, ...] = ()
    tags: dict[str, str] = field(default_factory=dict, compare=False)  # container metadata (reel, scene, ...)

    @property
    def codec_family(self) -> CodecFamily:
        return _FAMILIES.get(self.codec, "other")

    @property
    def duration(self) -> Fraction:
        """Duration in seconds, exactly ``frame_count / frame_rate``."""
        return Fraction(self.frame_count) / self.frame_rate

    def as_dict(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "codec": self.codec,
            "codec_family": self.codec_family,
            "profile": self.profile,
            "width": self.width,
            "height": self.height,
            "pix_fmt": self.pix_fmt,
            "bit_depth": self.bit_depth,
            "frame_rate": f"{self.frame_rate.numerator}/{self.frame_rate.denominator}",
            "frame_count": self.frame_count,
            "timecode": self.timecode,
            "colour": self.colour.as_dict(),
            "audio": [a.as_dict() for a in self.audio],
        }
