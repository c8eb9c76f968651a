"""The ingredient side of C2PA signing and reading, on the SDK's JSON (no ``c2pa`` import here).

A source that already carries a C2PA manifest (a camera-signed daily) is added to the deliverable's manifest as the
``parentOf`` ingredient *from its file* (``ParentAsset``): the SDK then carries the source's manifest, unaltered, in the
new manifest store and references it as the ingredient's ``active_manifest`` (EU Code of Practice, Measure 1.2: keep
existing markings). Reading a deliverable, ``parent_manifest`` reports that carried manifest and how it validates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from labeler.errors import C2paSigningError


class ValidationState(StrEnum):
    """The C2PA validation state of the active manifest (C2PA 2.x §15: well-formed ⊂ valid ⊂ trusted)."""

    TRUSTED = "Trusted"
    VALID = "Valid"
    INVALID = "Invalid"


@dataclass(frozen=True)
class IngredientManifest:
    """The manifest an ingredient carries (its ``active_manifest`` in the store) and how it validates.

    ``state`` combines what the claim generator recorded when it added the ingredient (the ingredient's
    ``validation_results``) with what this reader found now (``ingredientDeltas``: the trust of the ingredient's signer
    under this reader's anchors, and whether the ingredient's manifest still hashes to what the claim references).
    ``failures`` are the failing codes after the deltas (``signingCredential.untrusted`` included when the signer is
    not on this reader's trust list).
    """

    relationship: str
    title: str
    label: str
    state: ValidationState
    failures: tuple[str, ...]
    signer_issuer: str | None
    signer_common_name: str | None
    claim_generator: str | None


@dataclass(frozen=True)
class ParentAsset:
    """The source asset of a signing: its file is handed to the SDK as the ``parentOf`` ingredient, so the ingredient
    carries the asset's own manifest (a camera-signed daily keeps its provenance, EU Code of Practice Measure 1.2).

    ``trust_anchors_pem``: roots the ingredient's signer is validated against when it is added (what the ingredient's
    recorded ``validation_results`` say); None records no trust decision beyond the signature itself.
    """

    path: Path
    trust_anchors_pem: str | None = None


def split_parent(
    definition: Mapping[str, Any], parent: ParentAsset | None
) -> tuple[Mapping[str, Any], dict[str, Any] | None]:
    """The definition without its ``parentOf`` ingredient, and that ingredient (None without ``parent``)."""
    if parent is None:
        return definition, None
    ingredients: Sequence[Mapping[str, Any]] = definition.get("ingredients") or []
    parents = [i for i in ingredients if i.get("relationship") == "parentOf"]
    if len(parents) != 1:
        raise C2paSigningError("a parent asset needs exactly one parentOf ingredient in the manifest definition")
    rest = [i for i in ingredients if i.get("relationship") != "parentOf"]
    return {**definition, "ingredients": rest}, dict(parents[0])


def parent_manifest(
    manifest: Mapping[str, Any], results: Any, lookup: Callable[[str], Mapping[str, Any] | None]
) -> IngredientManifest | None:
    """The ``parentOf`` ingredient's own manifest, validated as recorded and as this reader found it now."""
    found = [
        i
        for i in manifest.get("ingredients", []) or []
        if i.get("relationship") == "parentOf" and i.get("active_manifest")
    ]
    if not found:
        return None
    ing = found[0]
    recorded = (ing.get("validation_results") or {}).get("activeManifest") or {}
    failed = {str(c.get("code")) for c in recorded.get("failure") or [] if isinstance(c, dict)}
    passed = {str(c.get("code")) for c in recorded.get("success") or [] if isinstance(c, dict)}
    suffix = "/" + str(ing.get("label", ""))
    for delta in (results.get("ingredientDeltas") or []) if isinstance(results, dict) else []:
        if not str(delta.get("ingredientAssertionURI", "")).endswith(suffix):
            continue
        now = delta.get("validationDeltas") or {}
        now_failed = {str(c.get("code")) for c in now.get("failure") or [] if isinstance(c, dict)}
        now_passed = {str(c.get("code")) for c in now.get("success") or [] if isinstance(c, dict)}
        if "signingCredential.trusted" in now_passed:
            failed.discard("signingCredential.untrusted")
        if "signingCredential.untrusted" in now_failed:
            passed.discard("signingCredential.trusted")
        failed |= now_failed
        passed |= now_passed
    if failed - {"signingCredential.untrusted"}:
        state = ValidationState.INVALID
    elif "signingCredential.trusted" in passed and "signingCredential.untrusted" not in failed:
        state = ValidationState.TRUSTED
    else:
        state = ValidationState.VALID
    try:
        own = lookup(str(ing["active_manifest"])) or {}
    except KeyError:  # the ingredient names a manifest the store does not hold
        own = {}
        failed.add("ingredient.manifest.missing")
        state = ValidationState.INVALID
    sig = own.get("signature_info", {}) or {}
    return IngredientManifest(
        relationship="parentOf",
        title=str(ing.get("title", "")),
        label=str(ing["active_manifest"]),
        state=state,
        failures=tuple(sorted(failed)),
        signer_issuer=str(sig["issuer"]) if sig.get("issuer") else None,
        signer_common_name=str(sig["common_name"]) if sig.get("common_name") else None,
        claim_generator=claim_generator(own),
    )


def claim_generator(manifest: Mapping[str, Any]) -> str | None:
    """``name/version`` of the claim generator (claim v2 ``claim_generator_info``, else v1 ``claim_generator``)."""
    info = manifest.get("claim_generator_info") or []
    if info and isinstance(info[0], Mapping) and info[0].get("name"):
        first = info[0]
        return f"{first['name']}/{first['version']}" if first.get("version") else str(first["name"])
    return str(manifest["claim_generator"]) if manifest.get("claim_generator") else None
