"""The free verification answer (EU Code of Practice, detection): does a file carry Cutproof's marks, and what do
they say — for anyone, so built from public facts only.

``public_verification`` runs delivery QC on the file and keeps, by an explicit allow-list, what the public manifest
already says or what proves it: which marks were found (C2PA manifest as seen, watermark, fingerprint), the
production log's origin and the ``edit.applied`` entry's index, the edit actions with their kinds and time ranges,
the claim's time-stamp, the ledger receipt, and a camera-signed source's issuer and validation state (read from the
camera manifest the deliverable carries). Never performer, consent or contract data: the consent checks'
evidence and the ledger entries' content are not read into the answer at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cutproof.core.workspace import Workspace
from cutproof.qc.verify import QcReport, verify_deliverable
from labeler.c2pa_adapter import ManifestReport, read_manifest_store
from labeler.errors import LabelerError
from labeler.identity import load_identity
from labeler.manifest import LEDGER_ASSERTION
from labeler.timestamps import verification_anchors

SCHEMA = "cutproof.verify/1"
_MARK_CHECKS = ("c2pa_manifest", "hard_binding", "watermark", "audio_watermark", "ledger_receipt")


def public_verification(ws: Workspace, path: Path) -> dict[str, Any]:
    """What anyone may learn about ``path`` from this workspace (see the module docstring).

    Raises:
        QcInputError: the file is missing, truncated or not a video.
    """
    report = verify_deliverable(ws, path)
    manifest = _manifest(ws, report)
    marks = {
        c.name: {"status": str(c.status), **({"seen": c.evidence["seen"]} if "seen" in c.evidence else {})}
        for c in report.checks
        if c.name in _MARK_CHECKS
    }
    answer: dict[str, Any] = {
        "schema": SCHEMA,
        "file": Path(path).name,
        "file_sha256": report.file_sha256,
        "carries_cutproof_marks": manifest is not None,
        "found_by": _found_by(report, manifest),
        "marks": marks,
    }
    if manifest is None:
        return answer
    ledger = manifest.assertions.get(LEDGER_ASSERTION) or {}
    answer.update(
        {
            "origin": ledger.get("origin"),
            "edit_index": ledger.get("index"),
            "receipt": ledger.get("receipt"),
            "signed_at": manifest.signed_at,
            "signer": manifest.signer_common_name,
            "edits": [_edit(a) for a in manifest.actions if a.get("action") not in ("c2pa.opened",)],
        }
    )
    camera = next((c for c in report.checks if c.name == "camera_provenance" and "seen" in c.evidence), None)
    if camera is not None:  # what the carried camera manifest itself says: issuer and validation state
        answer["source_camera"] = {k: camera.evidence[k] for k in ("seen", "state", "signer_issuer")}
    return answer


def _manifest(ws: Workspace, report: QcReport) -> ManifestReport | None:
    check = next((c for c in report.checks if c.name == "c2pa_manifest"), None)
    digest = check.evidence.get("manifest_sha256") if check is not None else None
    if not digest or digest not in ws.blobs:
        return None
    try:
        anchors = verification_anchors(load_identity(ws.keys_dir), ws.keys_dir)
        return read_manifest_store(ws.blobs.read_bytes(digest), anchors)
    except LabelerError:
        return None


def _found_by(report: QcReport, manifest: ManifestReport | None) -> str | None:
    if manifest is None:
        return None
    if report.recovered_via_fingerprint:
        return "perceptual fingerprint"
    if report.recovered_via_watermark:
        return "watermark"
    return "embedded C2PA manifest"


def _edit(action: dict[str, Any]) -> dict[str, Any]:
    params = action.get("parameters") or {}
    ranges = [
        [r["time"]["start"], r["time"]["end"]]
        for change in action.get("changes") or []
        for r in change.get("region") or []
        if r.get("type") == "temporal" and isinstance(r.get("time"), dict)
    ]
    out: dict[str, Any] = {"action": action.get("action")}
    for key, name in (
        ("digitalSourceType", "digital_source_type"),
        ("com.cutproof.operation", "kind"),
        ("com.cutproof.medium", "medium"),
    ):
        value = action.get(key, params.get(key))
        if value is not None:
            out[name] = value
    if ranges:
        out["time_ranges_s"] = ranges
    return out
