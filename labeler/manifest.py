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

The typed label — ``EditLabel`` and its parts (``EditAction``, ``TimeRange``, ``IngredientRef``, ``LedgerRef``,
``WatermarkRef``) with the IPTC digital source types (``COMPOSITE_TRAINED``, ``COMPOSITE``,
``ALGORITHMICALLY_ENHANCED``, ``HUMAN_EDITS``) — lives in ``labeler._label`` and is re-exported here: import every
name from this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from labeler._label import (  # noqa: F401 - re-exported: the typed label is this module's input
    _HEX16,
    _HEX64,
    _IPTC,
    _PLACEHOLDERS,
    ALGORITHMICALLY_ENHANCED,
    COMPOSITE,
    COMPOSITE_TRAINED,
    HUMAN_EDITS,
    EditAction,
    EditLabel,
    IngredientRef,
    LedgerRef,
    TimeRange,
    WatermarkRef,
    _placeholder,
)
from labeler.errors import ManifestContentError

SOFT_BINDING_ASSERTION = "c2pa.soft-binding"
LEDGER_ASSERTION = "com.cutproof.ledger"
WATERMARK_ASSERTION = "com.cutproof.watermark"
MODEL_ASSERTION = "com.cutproof.model"
SOFTWARE_NAME = "Cutproof"
SOFTWARE_VERSION = "0.1.0"
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
