"""File-level detection of ``cutproof-awm/1`` (any file the media layer reads), "not applicable" for silent files."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from labeler.audio_watermark._detect import detect_samples
from labeler.audio_watermark._scheme import ALGORITHM_ID
from labeler.audio_watermark.errors import UnreadableAudioError
from media import MediaError, read_audio
from media.errors import NoAudioError

DEFAULT_MAX_SECONDS = 5.0


class AudioStatus(StrEnum):
    FOUND = "found"
    NONE = "none"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True, slots=True)
class AudioDetection:
    """Result of ``detect_audio``: the key (or ``None``), the evidence, or "not applicable" without audio.

    ``seconds_used`` is the audio examined; ``evidence_seconds`` how much of it was audible in the band.
    """

    status: AudioStatus
    key: int | None
    confidence: float
    seconds_used: float
    evidence_seconds: float
    bit_errors_corrected: int | None
    sync_score: float
    algorithm: str = ALGORITHM_ID

    @property
    def key_hex(self) -> str | None:
        """The key as 16 lower-case hex digits, or ``None``."""
        return None if self.key is None else f"{self.key:016x}"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready summary (``key`` as 16 hex digits or null)."""
        return {
            "status": str(self.status),
            "key": self.key_hex,
            "confidence": round(self.confidence, 4),
            "seconds_used": round(self.seconds_used, 3),
            "evidence_seconds": round(self.evidence_seconds, 3),
            "bit_errors_corrected": self.bit_errors_corrected,
            "sync_score": round(self.sync_score, 2),
            "algorithm": self.algorithm,
        }


def detect_audio(path: str | Path, *, max_seconds: float | None = DEFAULT_MAX_SECONDS) -> AudioDetection:
    """Look for a ``cutproof-awm/1`` key in the first ``max_seconds`` of the first audio track of ``path``.

    A file without an audio track gives status ``not_applicable`` (not an error).

    Raises:
        UnreadableAudioError: missing, not a media file, or its audio cannot be decoded.
        ValueError: ``max_seconds`` is not positive.
    """
    if max_seconds is not None and not max_seconds > 0:
        raise ValueError(f"max_seconds must be positive, got {max_seconds}")
    p = Path(path)
    try:
        clip = read_audio(p, max_seconds=max_seconds)
    except NoAudioError:
        return AudioDetection(AudioStatus.NOT_APPLICABLE, None, 0.0, 0.0, 0.0, None, 0.0)
    except MediaError as exc:
        raise UnreadableAudioError(f"{p}: the audio cannot be read ({exc})") from exc
    if len(clip.samples) == 0:
        raise UnreadableAudioError(f"{p}: the audio track holds no decodable samples")
    r = detect_samples(clip.samples.T, clip.rate)
    status = AudioStatus.FOUND if r.key is not None else AudioStatus.NONE
    return AudioDetection(
        status, r.key, r.confidence, r.seconds, r.evidence_seconds, r.bit_errors_corrected, r.sync_score
    )
