"""QC of the source's camera provenance: a camera-signed daily's manifest survives into the deliverable (EU Code of
Practice, Measure 1.2: retain, do not alter or remove, existing markings of the input).

``check_source_camera`` reads the deliverable's ``parentOf`` ingredient (``ManifestReport.parent``) and the source
daily's camera provenance recorded at ingest (``app_camera_provenance``), and reports:

- no check at all when the source carried no camera manifest (nothing to retain: QC's report is as before);
- pass: the camera's manifest is carried as the ingredient's active manifest — the same one ingest recorded. The
  evidence says how it validates now ("source camera-signed by <issuer>, trusted" / "valid, signer not on the camera
  trust list" / "INVALID (codes)"); an invalid one is also a note of the report, since the footage may have been
  altered after capture;
- fail: ingest recorded a camera manifest but the deliverable does not carry it, or carries a different one.
"""

from __future__ import annotations

from cutproof.core.workspace import Workspace
from cutproof.dailies.provenance import provenance_of
from labeler.c2pa_adapter import ManifestReport, ValidationState
from labeler.camera import CameraState, describe
from labeler.verify import Check, Status

CHECK = "camera_provenance"
_STATES = {
    ValidationState.TRUSTED: CameraState.TRUSTED,
    ValidationState.VALID: CameraState.VALID_UNTRUSTED,
    ValidationState.INVALID: CameraState.INVALID,
}


def source_sha256(manifest: ManifestReport) -> str | None:
    """The source daily's content hash, from the ``parentOf`` ingredient's ``cutproof:sha256:`` instance id."""
    for ing in manifest.ingredients:
        iid = str(ing.get("instance_id", ""))
        if ing.get("relationship") == "parentOf" and iid.startswith("cutproof:sha256:"):
            return iid.removeprefix("cutproof:sha256:")
    return None


def check_source_camera(ws: Workspace, manifest: ManifestReport, notes: list[str]) -> Check | None:
    """See the module docstring (None: no camera manifest, recorded or carried); a note is appended to ``notes``
    when the carried camera manifest is invalid."""
    sha = source_sha256(manifest)
    recorded = provenance_of(ws.engine, sha) if sha else None
    parent = manifest.parent
    if parent is None:
        if recorded is None:
            return None
        return Check(
            CHECK,
            Status.FAIL,
            {"recorded_at_ingest": recorded.describe(), "manifest_label": recorded.manifest_label},
            "the source daily was camera-signed, but this deliverable does not carry the camera's manifest: an "
            "existing marking was dropped (EU Code of Practice, Measure 1.2); label it again from the daily",
        )
    state = _STATES[parent.state]
    seen = "source " + describe(state, parent.signer_issuer, parent.failures)
    evidence = {
        "seen": seen,
        "state": str(state),
        "signer_issuer": parent.signer_issuer,
        "claim_generator": parent.claim_generator,
        "manifest_label": parent.label,
        "codes": list(parent.failures),
        "recorded_at_ingest": recorded.describe() if recorded is not None else None,
    }
    if recorded is not None and recorded.manifest_label is not None and recorded.manifest_label != parent.label:
        return Check(
            CHECK,
            Status.FAIL,
            evidence,
            f"the deliverable carries camera manifest {parent.label}, not {recorded.manifest_label} recorded at ingest",
        )
    if state is CameraState.INVALID:
        notes.append(
            f"{seen}: the source footage may have been altered after capture or its camera signature is bad; the "
            "deliverable carries the camera's manifest with that failure recorded"
        )
    return Check(CHECK, Status.PASS, evidence)
