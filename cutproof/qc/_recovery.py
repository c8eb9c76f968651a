"""Finding a stripped manifest again (delivery QC's step 4, ``cutproof.qc.verify``): through the watermark key of
the pictures, else of the dialogue track (``app_watermark_keys``, else a scan of the project logs for the
``label.applied`` entry), else through the perceptual fingerprint of the pictures; the stored manifest from the
blob store is then validated against the file. ``cutproof.qc.verify`` re-exports the notes it leaves in the report
(``RECOVERED_NOTE``, ``AUDIO_RECOVERED_NOTE``, ``FINGERPRINT_NOTE``): import them from there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cutproof.core.projects import list_projects, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.label import lookup_fingerprint, lookup_watermark_key
from cutproof.qc import ledger_checks as lq
from cutproof.qc._report import QcReport
from labeler.c2pa_adapter import ManifestReport, read_manifest, read_manifest_store
from labeler.errors import LabelerError
from labeler.fingerprint import MAX_DISTANCE, fingerprint_video
from labeler.verify import Check, Status, check_watermark, key_hex
from ledger import Ledger
from records import RecordError

RECOVERED_NOTE = "manifest stripped, recovered from watermark"
AUDIO_RECOVERED_NOTE = "no watermark in the pictures: the key was recovered from the audio watermark alone"


def _recover(
    ws: Workspace,
    ledger: Ledger,
    path: Path,
    named: Path | None,
    anchors: str,
    detection: Any,
    report: QcReport,
    audio: Any = None,
) -> ManifestReport | None:
    """No embedded manifest: find it again through the watermark key (pictures first, else the audio mark), else
    through the perceptual fingerprint of ``path``'s pictures. ``named``: as in ``cutproof.qc.verify._verify``."""
    key = key_hex(getattr(detection, "key", None)) if detection is not None else None
    audio_key = key_hex(getattr(audio, "key", None)) if audio is not None else None
    from_audio = key is None and audio_key is not None
    key = key or audio_key
    if key is None and detection is not None:
        found = _by_fingerprint(ws, path, report)
        if found is not None:
            return _stored(ws, found, named, anchors, report, {"found_by": "perceptual fingerprint"})
    if key is None:
        reason = (
            "no C2PA manifest and no watermark key in the pictures or the audio: not a Cutproof deliverable, "
            "or unmarked"
        )
        if detection is None:
            reason = "no C2PA manifest, and the watermark detector is not available to recover one"
        report.checks.append(Check("c2pa_manifest", Status.FAIL, {}, reason))
        if detection is not None:
            report.checks.append(check_watermark(detection, None))
        return None
    row = lookup_watermark_key(ws.engine, key)
    digest = row["manifest_sha256"] if row else None
    if row is None:  # not indexed here: scan the project logs for a label.applied entry with this key
        for project in list_projects(ws):
            try:
                found = lq.find_label_by_key(project_log(ws, project), key)
            except RecordError as exc:
                report.checks.append(Check("c2pa_manifest", Status.FAIL, {"watermark_key": key}, str(exc)))
                return None
            if found is not None:
                digest = found.record.manifest_sha256
                break
    if digest is None or digest not in ws.blobs:
        report.checks.append(
            Check(
                "c2pa_manifest",
                Status.FAIL,
                {"watermark_key": key},
                f"manifest stripped and watermark key {key} is not in the ledger: not issued by this project",
            )
        )
        return None
    report.recovered_via_watermark = True
    report.notes.append(RECOVERED_NOTE)
    if from_audio:
        report.notes.append(AUDIO_RECOVERED_NOTE)
    return _stored(ws, digest, named, anchors, report, {"watermark_key": key})


FINGERPRINT_NOTE = "no manifest and no watermark: the deliverable was found by its perceptual fingerprint"


def _by_fingerprint(ws: Workspace, path: Path, report: QcReport) -> str | None:
    """The manifest digest of the indexed deliverable whose PDQ fingerprint the file matches (QC's third path)."""
    try:
        query = fingerprint_video(path)
    except LabelerError:
        return None
    found = lookup_fingerprint(ws.engine, query)
    if found is None:
        return None
    row, m = found
    if row["manifest_sha256"] not in ws.blobs:
        return None
    report.recovered_via_watermark = True  # the manifest is a stored copy, as with the watermark path
    report.recovered_via_fingerprint = True
    report.notes.append(
        f"{FINGERPRINT_NOTE} ({m.share:.0%} of sampled frames within {MAX_DISTANCE} bits, median distance "
        f"{m.median_distance:.0f}; edit entry {row['edit_index']} of {row['origin']})"
    )
    return str(row["manifest_sha256"])


def _stored(
    ws: Workspace, digest: str, named: Path | None, anchors: str, report: QcReport, evidence: dict[str, Any]
) -> ManifestReport | None:
    """Validate the stored manifest ``digest`` against the file (``named``; or on its own, for a container without
    C2PA: ``named`` None)."""
    store = ws.blobs.read_bytes(digest)
    try:
        if named is not None:
            return read_manifest(named, anchors, manifest_store=store)
        report.notes.append(
            "the file is not MP4/MOV and cannot carry C2PA: the stored manifest was validated on its own"
        )
        return read_manifest_store(store, anchors)
    except LabelerError as exc:
        report.checks.append(Check("c2pa_manifest", Status.FAIL, evidence, f"stored manifest: {exc}"))
        return None
