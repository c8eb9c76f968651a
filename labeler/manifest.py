"""Build the C2PA manifest definition for an AI-edited output from a typed ``EditLabel``.

The manifest says, publicly and verifiably: this file was opened from a source clip (``parentOf``), then edited by
Cutproof with a per-project model (``c2pa.edited`` / ``c2pa.dubbed`` / ``c2pa.placed``, digital source type
``compositeWithTrainedAlgorithmicMedia``) in this time range and region; the model's training manifest (by hash,
``inputTo``); the ledger entry recording the edit (``com.cutproof.ledger``) and our watermark
(``com.cutproof.watermark``). It never carries performer names, consent terms or contract data: ``build_definition``
rejects such fields and any string containing a caller-supplied redaction term (e.g. the performers' names).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from labeler.errors import ManifestContentError
from media import Region

COMPOSITE_TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
LEDGER_ASSERTION = "com.cutproof.ledger"
WATERMARK_ASSERTION = "com.cutproof.watermark"
MODEL_ASSERTION = "com.cutproof.model"
SOFTWARE_NAME = "Cutproof"
SOFTWARE_VERSION = "0.1.0"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HEX16 = re.compile(r"^[0-9a-f]{16}$")
# Keys that would put people or contracts into a public manifest (EU Code of Practice; SAG-AFTRA confidentiality).
_FORBIDDEN_KEY_PARTS = frozenset(
    {
        "performer",
        "consent",
        "contract",
        "compensation",
        "payment",
        "talent",
        "actor",
        "email",
        "phone",
        "likeness",
        "agreement",
        "fee",
        "grant",
        "revocation",
    }
)


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
    """A referenced asset (source clip, placed plate): its title, MIME type and SHA-256."""

    title: str
    format: str
    sha256: str

    def __post_init__(self) -> None:
        if not _HEX64.match(self.sha256):
            raise ManifestContentError(f"ingredient {self.title!r}: sha256 must be 64 lowercase hex digits")


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
    model_id: str
    training_manifest_sha256: str
    ledger: LedgerRef
    watermark: WatermarkRef | None = None
    plate: IngredientRef | None = None

    def __post_init__(self) -> None:
        if not self.title or not self.operation or not self.model_id:
            raise ManifestContentError("an edit label needs a title, an operation and a model id")
        if not _HEX64.match(self.training_manifest_sha256):
            raise ManifestContentError("training_manifest_sha256 must be 64 lowercase hex digits")
        if (self.action is EditAction.PLACED) != (self.plate is not None):
            raise ManifestContentError("c2pa.placed needs the placed plate as ingredient, and only it has one")


def build_definition(label: EditLabel, redact_terms: Iterable[str] = ()) -> dict[str, Any]:
    """The manifest definition (c2pa-python ``Builder`` JSON) for an edited output.

    Args:
        label: the public facts about the edit.
        redact_terms: strings that must not appear anywhere in the manifest (performer names, deal ids, ...).

    Raises:
        ManifestContentError: the definition would carry personal or contract data.
    """
    src_id = f"cutproof:sha256:{label.source.sha256}"
    ingredients: list[dict[str, Any]] = [
        {
            "title": label.source.title,
            "format": label.source.format,
            "relationship": "parentOf",
            "instance_id": src_id,
        },
        {
            "title": f"training manifest of model {label.model_id}",
            "format": "application/json",
            "relationship": "inputTo",
            "instance_id": f"cutproof:sha256:{label.training_manifest_sha256}",
        },
    ]
    change: dict[str, Any] = {
        "region": [
            {
                "type": "temporal",
                "time": {
                    "type": "npt",
                    "start": TimeRange.npt(label.time_range.start),
                    "end": TimeRange.npt(label.time_range.end),
                },
            }
        ],
        "description": label.operation,
    }
    if label.region is not None:
        r = label.region
        change["region"].append(
            {
                "type": "spatial",
                "shape": {
                    "type": "rectangle",
                    "unit": "pixel",
                    "origin": {"x": r.x, "y": r.y},
                    "width": r.width,
                    "height": r.height,
                },
            }
        )
    edit: dict[str, Any] = {
        "action": str(label.action),
        "digitalSourceType": COMPOSITE_TRAINED,
        "softwareAgent": {"name": SOFTWARE_NAME, "version": SOFTWARE_VERSION},
        "description": f"{label.operation} with per-project model {label.model_id}",
        "changes": [change],
        "parameters": {"com.cutproof.modelId": label.model_id, "com.cutproof.operation": label.operation},
    }
    if label.plate is not None:
        plate_id = f"cutproof:sha256:{label.plate.sha256}"
        ingredients.append(
            {
                "title": label.plate.title,
                "format": label.plate.format,
                "relationship": "componentOf",
                "instance_id": plate_id,
            }
        )
        edit["parameters"]["ingredientIds"] = [plate_id]
    ledger: dict[str, Any] = {
        "origin": label.ledger.origin,
        "index": label.ledger.index,
        "leafHash": label.ledger.leaf_hash_hex,
        "checkpoint": label.ledger.checkpoint,
    }
    if label.ledger.receipt is not None:
        ledger["receipt"] = label.ledger.receipt
    assertions: list[dict[str, Any]] = [
        {
            "label": "c2pa.actions.v2",
            "data": {
                "actions": [
                    {
                        "action": "c2pa.opened",
                        "parameters": {"ingredientIds": [src_id], "com.cutproof.sourceSha256": label.source.sha256},
                    },
                    edit,
                ]
            },
        },
        {
            "label": MODEL_ASSERTION,
            "data": {"modelId": label.model_id, "trainingManifestSha256": label.training_manifest_sha256},
        },
        {"label": LEDGER_ASSERTION, "data": ledger},
    ]
    if label.watermark is not None:
        assertions.append(
            {
                "label": WATERMARK_ASSERTION,
                "data": {
                    "algorithm": label.watermark.algorithm,
                    "key": label.watermark.key_hex,
                    "note": "proprietary; not on the C2PA soft-binding algorithm list",
                    **(
                        {"audio": {"algorithm": label.watermark.audio_algorithm, "key": label.watermark.key_hex}}
                        if label.watermark.audio_algorithm
                        else {}
                    ),
                },
            }
        )
    definition: dict[str, Any] = {
        "claim_generator_info": [{"name": SOFTWARE_NAME, "version": SOFTWARE_VERSION}],
        "title": label.title,
        "ingredients": ingredients,
        "assertions": assertions,
    }
    check_public(definition, redact_terms)
    return definition


def check_public(definition: Mapping[str, Any], redact_terms: Iterable[str] = ()) -> None:
    """Reject a definition carrying performer, consent or contract fields, or any of ``redact_terms``.

    Raises:
        ManifestContentError: names the offending path (never the offending value).
    """
    terms = [t.casefold() for t in redact_terms if t and t.strip()]

    def walk(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if _FORBIDDEN_KEY_PARTS & _tokens(str(key)):
                    raise ManifestContentError(
                        f"manifest field {path}/{key} would publish performer, consent or contract data; "
                        "reference the ledger entry instead"
                    )
                walk(value, f"{path}/{key}")
        elif isinstance(node, list | tuple):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]")
        elif isinstance(node, str):
            folded = node.casefold()
            if any(t in folded for t in terms):
                raise ManifestContentError(
                    f"manifest field {path} contains a redacted term (a performer name or contract reference); "
                    "remove it from the edit description"
                )

    walk(definition, "")


def _tokens(key: str) -> set[str]:
    """Words of a key (camelCase, snake_case, dotted, reverse-domain), lower-cased, plural ``s`` dropped."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", key)
    return {w.lower().removesuffix("s") for w in words}
