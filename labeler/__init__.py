"""Labeler: invisible watermark, C2PA manifests, disclosure overlays and verification of a deliverable.

Public API: ``ensure_identity``/``load_identity``/``import_identity`` (signing identity), ``EditLabel`` +
``build_definition`` (manifest content), ``sign_video``/``read_manifest``/``read_manifest_store`` (the c2pa
adapter), ``DisclosureRequest`` + ``apply_disclosure`` (badge, end-credit card, sidecars), ``Check`` and the
``check_*`` functions of ``labeler.verify``. Watermark side (``cutproof-wm/2``): ``embed_video``/``detect_video``
(files), ``embed_frame``/``detect_frames`` (luma planes), ``EmbedReport``, ``Detection``, ``WatermarkError``; more in
``labeler.watermark``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labeler._badge import BadgeSpec, Corner
    from labeler._icon import IconColour, IconVariant
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

# The public names load on first use, so that importing one module of the package (``labeler.errors``,
# ``labeler.identity``) does not load c2pa, OpenCV and PyAV.
_LAZY = {
    "labeler._badge": ("BadgeSpec", "Corner"),
    "labeler._icon": ("IconColour", "IconVariant"),
    "labeler.c2pa_adapter": (
        "ManifestReport",
        "SignedAsset",
        "StatusCode",
        "ValidationState",
        "read_manifest",
        "read_manifest_store",
        "sign_video",
    ),
    "labeler.disclosure": ("DisclosureForm", "DisclosureRecord", "DisclosureRequest", "apply_disclosure"),
    "labeler.identity": ("SigningIdentity", "ensure_identity", "import_identity", "load_identity"),
    "labeler.manifest": (
        "EditAction",
        "EditLabel",
        "IngredientRef",
        "LedgerRef",
        "TimeRange",
        "WatermarkRef",
        "build_definition",
        "check_public",
    ),
    "labeler.sidecar": ("AlteredShot",),
    "labeler.verify": (
        "Check",
        "Status",
        "check_audio_watermark",
        "check_hard_binding",
        "check_ledger_receipt",
        "check_manifest",
        "check_watermark",
        "watermark_key_for_leaf",
    ),
    "labeler.watermark": (
        "Detection",
        "EmbedReport",
        "WatermarkError",
        "detect_frames",
        "detect_video",
        "embed_frame",
        "embed_video",
    ),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

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
    "IconColour",
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


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
