"""Build the C2PA manifest definition for an AI-edited output from a typed ``EditLabel``.

The manifest says, publicly and verifiably (C2PA 2.2, claim v2):

1. ``c2pa.opened`` the source clip (``parentOf`` ingredient, titled with the production's shot/take label or a
   neutral id — never the camera file name, which is production-internal and often carries people's names);
2. the edit (``c2pa.edited`` / ``c2pa.dubbed`` / ``c2pa.placed``) with an honest ``digitalSourceType``: an edit made
   by a trained per-project model is ``compositeWithTrainedAlgorithmicMedia`` and names the model and its training
   manifest (``inputTo`` ingredient); an edit that used no trained model says so (``trainedModel: false``, a
   source type without "trained") and names no model;
3. one ``c2pa.watermarked`` action per invisible mark (pictures, dialogue track), each with the
   ``c2pa.soft-binding`` assertion the specification requires beside it (our algorithm is not yet on the C2PA
   soft-binding algorithm list, whose use is a "should": it is named in reverse-domain form ``com.cutproof.*``);
4. the ledger entry recording the edit (``com.cutproof.ledger``), the model (``com.cutproof.model``) and the marks
   (``com.cutproof.watermark``).

Every assertion is a *created* assertion (``"created": true``): the signer attributes the actions, the
ingredients and Cutproof's own assertions to itself (C2PA 2.2 §10.3.2; the ingredient assertions, added by the
SDK, are moved there by ``CREATED_ASSERTION_LABELS`` in the adapter's settings).

It never carries performer names, consent terms or contract data: ``build_definition`` rejects such fields and any
string containing a caller-supplied redaction term (the registry's performer names, the camera file names).
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

_IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
COMPOSITE_TRAINED = _IPTC + "compositeWithTrainedAlgorithmicMedia"
COMPOSITE = _IPTC + "composite"  # a plate composited in without a trained model
ALGORITHMICALLY_ENHANCED = _IPTC + "algorithmicallyEnhanced"  # a grade/relight computed without a trained model
HUMAN_EDITS = _IPTC + "humanEdits"  # a re-time chosen by the editor, no generative model
SOFT_BINDING_ASSERTION = "c2pa.soft-binding"
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
        if (self.action is EditAction.PLACED) != (self.plate is not None):
            raise ManifestContentError("c2pa.placed needs the placed plate as ingredient, and only it has one")


def soft_binding_alg(algorithm: str) -> str:
    """Our watermark algorithm id (``cutproof-wm/2``) in the reverse-domain form a soft-binding ``alg`` takes."""
    return "com." + re.sub(r"[^a-z0-9]+", ".", algorithm.lower()).strip(".")


def build_definition(label: EditLabel, redact_terms: Iterable[str] = ()) -> dict[str, Any]:
    """The manifest definition (c2pa-python ``Builder`` JSON) for an edited output.

    Args:
        label: the public facts about the edit.
        redact_terms: strings that must not appear anywhere in the manifest (performer names, camera file names).

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
        }
    ]
    if label.trained:
        ingredients.append(
            {
                "title": f"training manifest {label.training_manifest_sha256}",
                "format": "application/json",
                "relationship": "inputTo",
                "instance_id": f"cutproof:sha256:{label.training_manifest_sha256}",
            }
        )
    regions: list[dict[str, Any]] = [
        {
            "type": "temporal",
            "time": {
                "type": "npt",
                "start": TimeRange.npt(label.time_range.start),
                "end": TimeRange.npt(label.time_range.end),
            },
        }
    ]
    if (r := label.spatial_region) is not None:
        regions.append(
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
    agent = {"name": SOFTWARE_NAME, "version": SOFTWARE_VERSION}
    parameters: dict[str, Any] = {"com.cutproof.operation": label.operation, "com.cutproof.trainedModel": label.trained}
    if label.trained:
        parameters["com.cutproof.modelId"] = label.model_id
        description = f"{label.operation} with per-project model {label.model_id}"
    else:
        description = f"{label.operation} without a trained model"
    edit: dict[str, Any] = {
        "action": str(label.action),
        "digitalSourceType": label.source_type,
        "softwareAgent": agent,
        "description": description,
        "changes": [{"region": regions, "description": label.operation}],
        "parameters": parameters,
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
    actions: list[dict[str, Any]] = [
        {
            "action": "c2pa.opened",
            "softwareAgent": agent,
            "parameters": {"ingredientIds": [src_id], "com.cutproof.sourceSha256": label.source.sha256},
        },
        edit,
    ]
    ledger: dict[str, Any] = {
        "origin": label.ledger.origin,
        "index": label.ledger.index,
        "leafHash": label.ledger.leaf_hash_hex,
        "checkpoint": label.ledger.checkpoint,
    }
    if label.ledger.receipt is not None:
        ledger["receipt"] = label.ledger.receipt
    assertions: list[dict[str, Any]] = []
    if label.trained:
        assertions.append(
            {
                "label": MODEL_ASSERTION,
                "data": {"modelId": label.model_id, "trainingManifestSha256": label.training_manifest_sha256},
            }
        )
    assertions.append({"label": LEDGER_ASSERTION, "data": ledger})
    if label.watermark is not None:
        wm = label.watermark
        marks = [("video", wm.algorithm)] + ([("audio", wm.audio_algorithm)] if wm.audio_algorithm else [])
        for medium, algorithm in marks:
            actions.append(
                {
                    "action": "c2pa.watermarked",
                    "softwareAgent": agent,
                    "description": f"invisible {medium} watermark {algorithm} carrying the ledger key",
                    "parameters": {"com.cutproof.algorithm": algorithm, "com.cutproof.medium": medium},
                }
            )
            assertions.append(
                {
                    "label": SOFT_BINDING_ASSERTION,
                    "data": {
                        "alg": soft_binding_alg(algorithm),
                        "blocks": [{"scope": {}, "value": wm.key_hex}],
                        "pad": [],
                    },
                }
            )
        assertions.append(
            {
                "label": WATERMARK_ASSERTION,
                "data": {
                    "algorithm": wm.algorithm,
                    "key": wm.key_hex,
                    "note": "proprietary; not on the C2PA soft-binding algorithm list",
                    **({"audio": {"algorithm": wm.audio_algorithm, "key": wm.key_hex}} if wm.audio_algorithm else {}),
                },
            }
        )
    assertions.insert(0, {"label": "c2pa.actions.v2", "data": {"actions": actions}})
    definition: dict[str, Any] = {
        "claim_generator_info": [{"name": SOFTWARE_NAME, "version": SOFTWARE_VERSION}],
        "title": label.title,
        "ingredients": ingredients,
        "assertions": [{**a, "created": True} for a in assertions],
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


_PLACEHOLDERS = frozenset({"none", "null", "unknown", "n/a", "tbd", "placeholder"})


def _placeholder(value: str) -> bool:
    return value.strip().casefold() in _PLACEHOLDERS
