"""Delivery QC: verify a deliverable before it leaves the building.

``verify_deliverable`` runs, and reports with evidence:

1. the file is a whole, decodable video (else ``QcInputError``: could not check);
2. C2PA manifest present, valid and Trusted under the project's trust anchors; hard binding intact;
3. watermark detected and equal to the key the manifest names; the audio watermark of the dialogue track
   (same key) as additional evidence — "not applicable" for a file without audio;
4. with the manifest stripped (re-wrap, transcode): watermark key → ``app_watermark_keys`` / ledger scan → the
   stored manifest from the blob store ("manifest stripped, recovered from watermark"); when the picture mark
   is destroyed too, the key of the audio mark alone leads to the ledger entry (``AUDIO_RECOVERED_NOTE``);
5. the ledger entry exists and the manifest's receipt verifies offline against the log's keys; its checkpoint is
   consistent with the latest; a ``label.applied`` entry records this manifest;
6. the recorded decision was allow (or review approved) and the consent it relied on was valid at edit time and
   not withdrawn since;
7. the disclosure the gate required is present;
8. a camera-signed source's manifest is carried as the ``parentOf`` ingredient (``cutproof.qc.camera``).

The report (``QcReport``, ``QcInputError``) lives in ``cutproof.qc._report``, and the recovery of step 4 (with the
notes it leaves: ``RECOVERED_NOTE``, ``AUDIO_RECOVERED_NOTE``, ``FINGERPRINT_NOTE``) in ``cutproof.qc._recovery``;
both are re-exported here: import every name from this module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cutproof.core.projects import open_ledger
from cutproof.core.workspace import Workspace
from cutproof.qc import ledger_checks as lq
from cutproof.qc._recovery import (  # noqa: F401 - re-exported: the recovery notes are part of the report's vocabulary
    AUDIO_RECOVERED_NOTE,
    FINGERPRINT_NOTE,
    RECOVERED_NOTE,
    _by_fingerprint,
    _recover,
    _stored,
)
from cutproof.qc._report import QcInputError, QcReport
from cutproof.qc.camera import check_source_camera
from cutproof.qc.disclosure import check_disclosure
from labeler.c2pa_adapter import FORMATS, ManifestReport, read_manifest
from labeler.errors import C2paError, LabelerError, ManifestNotFoundError
from labeler.identity import load_identity
from labeler.timestamps import verification_anchors
from labeler.verify import (
    Check,
    Status,
    check_audio_watermark,
    check_hard_binding,
    check_ledger_receipt,
    check_manifest,
    check_watermark,
    ledger_reference,
)
from ledger import Ledger, Log
from ledger.errors import LedgerError
from media import BmffFlavour, MediaError, probe, sniff_container
from records import Obligations
from store.blobs import sha256_file

Detector = Callable[[Path], Any]


def verify_deliverable(
    ws: Workspace,
    path: Path,
    *,
    origin: str | None = None,
    detector: Detector | None = None,
    audio_detector: Detector | None = None,
) -> QcReport:
    """Run delivery QC on ``path`` in workspace ``ws``.

    Args:
        ws: the initialised workspace (trust anchors, ledger, blob store).
        path: the deliverable.
        origin: the project log the file must belong to (``--project``); None accepts any log of the workspace.
        detector: watermark detector (default ``labeler.watermark.detect_video`` when installed).
        audio_detector: audio watermark detector (default ``labeler.audio_watermark.detect_audio``).

    Raises:
        QcInputError: the file is missing, truncated or not a video — nothing could be checked.
    """
    path = Path(path)
    flavour = _require_video(path)
    with _named_by_content(ws, path, flavour) as named:
        return _verify(ws, path, named, origin, detector, audio_detector)


def _verify(
    ws: Workspace,
    path: Path,
    named: Path | None,
    origin: str | None,
    detector: Detector | None,
    audio_detector: Detector | None,
) -> QcReport:
    """``verify_deliverable`` on ``path``; ``named``: the same bytes under a name that states the container the
    bytes are (None: not MP4/MOV, so no embedded manifest is possible)."""
    report = QcReport(str(path), sha256_file(path), dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    anchors = verification_anchors(load_identity(ws.keys_dir), ws.keys_dir)  # the signer's roots and the TSAs'
    ledger = open_ledger(ws)
    manifest: ManifestReport | None = None
    try:
        manifest = read_manifest(named, anchors) if named is not None else None
    except ManifestNotFoundError:
        manifest = None
    except C2paError as exc:
        report.checks.append(Check("c2pa_manifest", Status.FAIL, {}, str(exc)))
        return report
    detection, wm_check_error = _detect(path, detector)
    audio, audio_error = _detect_audio(path, audio_detector)
    if manifest is None:
        manifest = _recover(ws, ledger, path, named, anchors, detection, report, audio)
        if manifest is None:
            if wm_check_error:
                report.checks.append(wm_check_error)
            return report
    report.checks.append(check_manifest(manifest, recovered=report.recovered_via_watermark))
    report.checks.append(check_hard_binding(manifest, recovered=report.recovered_via_watermark))
    wm_at = len(report.checks)
    report.checks.append(wm_check_error or check_watermark(detection, manifest))
    report.checks.append(audio_error or check_audio_watermark(audio, manifest))
    if (camera := check_source_camera(ws, manifest, report.notes)) is not None:
        report.checks.append(camera)
    owed = _ledger_checks(ledger, manifest, origin, report)
    report.checks[wm_at] = _not_owed(report.checks[wm_at], owed)
    return report


def _not_owed(check: Check, owed: Obligations | None) -> Check:
    """The watermark check, judged against what the deliverable owes: a file that carries no mark and whose manifest
    names none is not failed when the obligations recorded for its edit ask for no watermark (the gate decided the
    edit needs C2PA only, e.g. outside the EU) — it is reported as not required, never as passed. A key found in
    the pictures, or a manifest that names one, is still checked as before."""
    if owed is None or "watermark" in owed.marking or check.status is not Status.FAIL:
        return check
    if check.evidence.get("key") is not None or check.evidence.get("manifest_key") is not None:
        return check
    asked = f"only {', '.join(owed.marking)}" if owed.marking else "no marking at all"
    return Check(
        "watermark",
        Status.SKIP,
        {**check.evidence, "owed_marking": list(owed.marking)},
        f"not required: the obligations recorded for this edit ask for no watermark ({asked})",
    )


def _require_video(path: Path) -> BmffFlavour | None:
    """Probe ``path`` as ingest does (``media.probe``: the container sniffed from the bytes, truncation, a missing
    index, declared vs decoded size, lost video or audio packets); returns the sniffed MP4/MOV flavour or None.

    Raises:
        QcInputError: it is not a whole, readable video.
    """
    if not path.is_file():
        raise QcInputError(f"{path} does not exist or is not a file")
    try:
        probe(path)
    except MediaError as exc:
        raise QcInputError(f"{path.name} is not a whole, readable video ({exc}); nothing checked") from None
    return sniff_container(path)


@contextlib.contextmanager
def _named_by_content(ws: Workspace, path: Path, flavour: BmffFlavour | None) -> Iterator[Path | None]:
    """``path`` under a name whose suffix is the container its bytes are (the C2PA reader picks the format by
    name): the file itself when its name already says so, else a link to it in a private scratch folder of the
    workspace (removed on the way out). None when the bytes are not MP4/MOV."""
    if flavour is None:
        yield None
        return
    if FORMATS.get(path.suffix.lower()) == FORMATS[f".{flavour}"]:
        yield path
        return
    scratch = Path(tempfile.mkdtemp(dir=ws.home, prefix=".qc-"))
    try:
        named = scratch / f"deliverable.{flavour}"
        named.symlink_to(path.resolve())
        yield named
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _detect(path: Path, detector: Detector | None) -> tuple[Any, Check | None]:
    if detector is None:
        try:
            from labeler.watermark import detect_video
        except ImportError:
            return None, None
        detector = detect_video
    try:
        return detector(path), None
    except LabelerError as exc:
        return None, Check("watermark", Status.FAIL, {}, f"watermark detection failed: {exc}")


def _detect_audio(path: Path, detector: Detector | None) -> tuple[Any, Check | None]:
    if detector is None:
        try:
            from labeler.audio_watermark import detect_audio
        except ImportError:
            return None, None
        detector = detect_audio
    try:
        return detector(path), None
    except LabelerError as exc:
        return None, Check("audio_watermark", Status.SKIP, {}, f"audio watermark detection failed: {exc}")


def _ledger_checks(
    ledger: Ledger, manifest: ManifestReport, origin: str | None, report: QcReport
) -> Obligations | None:
    """The ledger's checks of the manifest's entry; returns the obligations recorded for the edit (None: unknown)."""
    ref = ledger_reference(manifest)
    if ref is None or not isinstance(ref.get("index"), int) or not isinstance(ref.get("origin"), str):
        report.checks.append(Check("ledger_entry", Status.FAIL, {}, "the manifest names no ledger entry"))
        return None
    report.origin, report.edit_index = ref["origin"], ref["index"]
    if origin is not None and ref["origin"] != origin:
        report.checks.append(
            Check(
                "ledger_entry",
                Status.FAIL,
                {"origin": ref["origin"]},
                f"the file belongs to {ref['origin']}, not {origin}",
            )
        )
        return None
    try:
        log: Log = ledger.open_log(ref["origin"])
    except LedgerError:
        report.checks.append(
            Check(
                "ledger_entry",
                Status.FAIL,
                {"origin": ref["origin"]},
                "the manifest names a log this workspace does not hold",
            )
        )
        return None
    index = ref["index"]
    entry_check, edit = lq.check_edit_entry(log, index)
    report.checks.append(entry_check)
    try:
        entry_bytes = log.entry(index) if edit is not None else None
    except LedgerError:
        entry_bytes = None
    receipt_check = check_ledger_receipt(manifest, entry_bytes, log.verifier_keys())
    report.checks.append(receipt_check)
    if receipt_check.status is Status.PASS:
        ev = receipt_check.evidence
        report.checks.append(lq.check_consistency(log, int(ev["checkpoint_size"]), str(ev["root_hash"])))
    if edit is None:
        return None
    label_check, label = lq.check_label_recorded(log, index, manifest.manifest_sha256)
    report.checks.append(label_check)
    decision_check, decision = lq.check_decision(log, index, edit)
    report.checks.append(decision_check)
    report.checks.extend(lq.check_consent(log, index, decision, edit))
    owed = lq.recorded_obligations(log, edit, decision) if decision is not None else None
    report.checks.append(check_disclosure(Path(report.file), decision, label, owed))
    return owed
