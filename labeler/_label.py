"""The typed ``EditLabel``: every public fact a C2PA manifest states about one AI-edited output (the source and
placed-plate ingredients, the edit action and its time range and region, the trained model if any, the ledger
entry, the watermarks), each part checked on construction, and the IPTC digital source type that follows from what
made the edit. Re-exported by ``labeler.manifest`` (the public module, which builds the manifest definition from a
label): import every name from there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from labeler.errors import ManifestContentError
from media import Region

_IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
COMPOSITE_TRAINED = _IPTC + "compositeWithTrainedAlgorithmicMedia"
COMPOSITE = _IPTC + "composite"  # a plate composited in without a trained model
ALGORITHMICALLY_ENHANCED = _IPTC + "algorithmicallyEnhanced"  # a grade/relight computed without a trained model
HUMAN_EDITS = _IPTC + "humanEdits"  # a re-time chosen by the editor, no generative model
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX16 = re.compile(r"^[0-9a-f]{16}$")


class EditAction(StrEnum):
    """The C2PA action describing the AI edit."""

    EDITED = "c2pa.edited"  # relight, eyeline, background replacement on camera footage
    DUBBED = "c2pa.dubbed"  # dialogue re-sync / replaced speech
    PLACED = "c2pa.placed"  # a generated plate placed into the shot (needs a componentOf ingredient)


@dataclass(frozen=True)
class TimeRange:
    """Edited span in seconds from the start of the output (rational, never float)."""

    start: Fraction
    end: Fraction

    def __post_init__(self) -> None:
        if not isinstance(self.start, Fraction) or not isinstance(self.end, Fraction):
            raise ManifestContentError("time range bounds must be fractions.Fraction seconds")
        if self.start < 0 or self.end <= self.start:
            raise ManifestContentError(f"invalid time range {self.start}–{self.end}: need 0 <= start < end")

    @staticmethod
    def npt(value: Fraction) -> str:
        """Normal Play Time seconds (RFC 2326) with millisecond precision."""
        ms = round(value * 1000)
        return f"{ms // 1000}.{ms % 1000:03d}"


@dataclass(frozen=True)
class IngredientRef:
    """A referenced asset (source clip, placed plate): its public title (a shot/take label or a neutral id, never
    a camera file name), MIME type (from probing) and SHA-256."""

    title: str
    format: str
    sha256: str

    def __post_init__(self) -> None:
        if not self.title.strip() or _placeholder(self.title):
            raise ManifestContentError("an ingredient needs a title: the shot/take label or a neutral id")
        if not self.format or "/" not in self.format:
            raise ManifestContentError(f"ingredient {self.title!r}: format must be a MIME type")
        if not _HEX64.match(self.sha256) or not self.sha256.strip("0"):
            raise ManifestContentError(f"ingredient {self.title!r}: sha256 must be 64 lowercase hex digits, not zero")


@dataclass(frozen=True)
class LedgerRef:
    """Where the edit is recorded: the ``edit.applied`` entry and the signed checkpoint that includes it."""

    origin: str
    index: int
    leaf_hash_hex: str
    checkpoint: str
    receipt: str | None = None

    def __post_init__(self) -> None:
        if not self.origin or self.index < 0 or not _HEX64.match(self.leaf_hash_hex) or not self.checkpoint:
            raise ManifestContentError("ledger reference needs origin, index >= 0, 64-hex leaf hash and a checkpoint")


@dataclass(frozen=True)
class WatermarkRef:
    """Our invisible watermark: algorithm id and the 64-bit key (16 hex digits) it carries.

    ``audio_algorithm`` names the audio watermark carrying the same key in the dialogue track, when the
    deliverable has audio and it was marked (``None`` otherwise).
    """

    algorithm: str
    key_hex: str
    audio_algorithm: str | None = None

    def __post_init__(self) -> None:
        if not self.algorithm or not _HEX16.match(self.key_hex):
            raise ManifestContentError("watermark reference needs an algorithm id and a 16-hex-digit key")
        if self.audio_algorithm is not None and not self.audio_algorithm:
            raise ManifestContentError("the audio watermark reference needs an algorithm id")


@dataclass(frozen=True)
class EditLabel:
    """Everything the manifest says about one AI-edited output (public facts only)."""

    title: str
    source: IngredientRef
    action: EditAction
    operation: str
    time_range: TimeRange
    region: Region | None
    model_id: str | None
    training_manifest_sha256: str | None
    ledger: LedgerRef
    watermark: WatermarkRef | None = None
    plate: IngredientRef | None = None
    frame_size: tuple[int, int] | None = None
    """The output's (width, height): a region covering the whole frame is not a spatial region and is left out."""

    def __post_init__(self) -> None:
        if not self.title or not self.operation:
            raise ManifestContentError("an edit label needs a title and an operation")
        if (self.model_id is None) != (self.training_manifest_sha256 is None):
            raise ManifestContentError("name a trained model by id and training-manifest hash together, or neither")
        if self.model_id is not None and (not self.model_id.strip() or _placeholder(self.model_id)):
            raise ManifestContentError(
                f"model id {self.model_id!r} is a placeholder; an edit without a model names none"
            )
        if self.training_manifest_sha256 is not None and (
            not _HEX64.match(self.training_manifest_sha256) or not self.training_manifest_sha256.strip("0")
        ):
            raise ManifestContentError("training_manifest_sha256 must be 64 lowercase hex digits, not all zero")
        if (self.action is EditAction.PLACED) != (self.plate is not None):
            raise ManifestContentError("c2pa.placed needs the placed plate as ingredient, and only it has one")

    @property
    def trained(self) -> bool:
        """Whether a trained (per-project) model made the edit."""
        return self.model_id is not None

    @property
    def source_type(self) -> str:
        """The IPTC digital source type of the edited content, from what actually made the edit."""
        if self.trained:
            return COMPOSITE_TRAINED
        if self.action is EditAction.PLACED or self.operation == "background":
            return COMPOSITE
        if self.action is EditAction.DUBBED:
            return HUMAN_EDITS
        return ALGORITHMICALLY_ENHANCED

    @property
    def spatial_region(self) -> Region | None:
        """The edited rectangle when it is smaller than the frame (None: the whole frame, or unknown)."""
        r = self.region
        if r is None:
            return None
        if self.frame_size is not None:
            w, h = self.frame_size
            if r.x <= 0 and r.y <= 0 and r.x + r.width >= w and r.y + r.height >= h:
                return None
        return r


_PLACEHOLDERS = frozenset({"none", "null", "unknown", "n/a", "tbd", "placeholder"})


def _placeholder(value: str) -> bool:
    return value.strip().casefold() in _PLACEHOLDERS
