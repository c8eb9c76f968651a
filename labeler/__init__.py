"""Labeler: invisible watermark, C2PA manifests, disclosure overlays and verification of a deliverable.

Public API (C2PA side): ``ensure_identity``/``load_identity``/``import_identity`` (signing identity),
``EditLabel`` + ``build_definition`` (manifest content), ``sign_video``/``read_manifest`` (the c2pa adapter).
"""

from labeler.c2pa_adapter import ManifestReport, SignedAsset, StatusCode, ValidationState, read_manifest, sign_video
from labeler.identity import SigningIdentity, ensure_identity, import_identity, load_identity
from labeler.manifest import (
    EditAction,
    EditLabel,
    IngredientRef,
    LedgerRef,
    Region,
    TimeRange,
    WatermarkRef,
    build_definition,
    check_public,
)

__all__ = [
    "EditAction",
    "EditLabel",
    "IngredientRef",
    "LedgerRef",
    "ManifestReport",
    "Region",
    "SignedAsset",
    "SigningIdentity",
    "StatusCode",
    "TimeRange",
    "ValidationState",
    "WatermarkRef",
    "build_definition",
    "check_public",
    "ensure_identity",
    "import_identity",
    "load_identity",
    "read_manifest",
    "sign_video",
]
