"""Labeler: invisible watermark, C2PA manifests, disclosure overlays and verification of a deliverable.

Public API (C2PA side): ``ensure_identity``/``load_identity``/``import_identity`` (signing identity),
``EditLabel`` + ``build_definition`` (manifest content), ``sign_video``/``read_manifest`` (the c2pa adapter).
Watermark side (``cutproof-wm/1``): ``embed_video``/``detect_video`` (files), ``embed_frame``/``detect_frames``
(luma planes), ``EmbedReport``, ``Detection``, ``WatermarkError``; more in ``labeler.watermark``.
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
from labeler.watermark import (
    Detection,
    EmbedReport,
    WatermarkError,
    detect_frames,
    detect_video,
    embed_frame,
    embed_video,
)

__all__ = [
    "Detection",
    "EditAction",
    "EditLabel",
    "EmbedReport",
    "IngredientRef",
    "LedgerRef",
    "ManifestReport",
    "Region",
    "SignedAsset",
    "SigningIdentity",
    "StatusCode",
    "TimeRange",
    "ValidationState",
    "WatermarkError",
    "WatermarkRef",
    "build_definition",
    "check_public",
    "detect_frames",
    "detect_video",
    "embed_frame",
    "embed_video",
    "ensure_identity",
    "import_identity",
    "load_identity",
    "read_manifest",
    "sign_video",
]
