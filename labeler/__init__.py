"""Labeler: invisible watermark, C2PA manifests, disclosure overlays and verification of a deliverable.

Public API: ``ensure_identity``/``load_identity``/``import_identity`` (signing identity), ``EditLabel`` +
``build_definition`` (manifest content), ``sign_video``/``read_manifest``/``read_manifest_store`` (the c2pa
adapter), ``DisclosureRequest`` + ``apply_disclosure`` (badge, end-credit card, sidecars), ``Check`` and the
``check_*`` functions of ``labeler.verify``. Watermark side (``cutproof-wm/2``): ``embed_video``/``detect_video``
(files), ``embed_frame``/``detect_frames`` (luma planes), ``EmbedReport``, ``Detection``, ``WatermarkError``; more in
``labeler.watermark``.
"""

from labeler._badge import BadgeSpec, Corner, IconVariant
from labeler.c2pa_adapter import (
    ManifestReport,
    SignedAsset,
    StatusCode,
    ValidationState,
    read_manifest,
    read_manifest_store,
    sign_video,
)
from labeler.disclosure import DisclosureForm, DisclosureRecord, DisclosureRequest, apply_disclosure
from labeler.identity import SigningIdentity, ensure_identity, import_identity, load_identity
from labeler.manifest import (
    EditAction,
    EditLabel,
    IngredientRef,
    LedgerRef,
    TimeRange,
    WatermarkRef,
    build_definition,
    check_public,
)
from labeler.sidecar import AlteredShot
from labeler.verify import (
    Check,
    Status,
    check_audio_watermark,
    check_hard_binding,
    check_ledger_receipt,
    check_manifest,
    check_watermark,
    watermark_key_for_leaf,
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
    "AlteredShot",
    "BadgeSpec",
    "Check",
    "Corner",
    "Detection",
    "DisclosureForm",
    "DisclosureRecord",
    "DisclosureRequest",
    "EditAction",
    "EditLabel",
    "EmbedReport",
    "IconVariant",
    "IngredientRef",
    "LedgerRef",
    "ManifestReport",
    "SignedAsset",
    "SigningIdentity",
    "Status",
    "StatusCode",
    "TimeRange",
    "ValidationState",
    "WatermarkError",
    "WatermarkRef",
    "apply_disclosure",
    "build_definition",
    "check_audio_watermark",
    "check_hard_binding",
    "check_ledger_receipt",
    "check_manifest",
    "check_public",
    "check_watermark",
    "detect_frames",
    "detect_video",
    "embed_frame",
    "embed_video",
    "ensure_identity",
    "import_identity",
    "load_identity",
    "read_manifest",
    "read_manifest_store",
    "sign_video",
    "watermark_key_for_leaf",
]
