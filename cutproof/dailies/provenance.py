"""Camera provenance of dailies: read, validate and record the C2PA manifest a camera signed into a daily.

At ingest, every newly catalogued MP4/MOV is read for an embedded C2PA manifest (``labeler.camera``), validated
against the camera trust list the operator registered (``cutproof trust camera add``). What was found goes to
``app_camera_provenance`` (state, failing codes, signer, claim generator, manifest label, store digest), the store
itself to the blob store, and the facts into the clip's ``dailies.ingested/1`` entry (``camera_manifest``).

A daily whose manifest does not validate (tampered after capture, bad signature, unreadable) is still catalogued —
the footage may be all the production has — but **flagged**: ``CameraRecord.flagged``, a warning in the CLI and the
API answer, and ``state: "invalid"`` with the failing codes in the ledger entry. Labelling carries the camera's
manifest into the deliverable either way (``cutproof.edits.label``), with its validation status as the SDK records
it, so nobody downstream reads a broken camera manifest as a valid one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert, select

from cutproof.core.models import CameraProvenanceRow, table_of
from cutproof.core.workspace import Workspace
from labeler.camera import CameraProvenance, camera_anchors, describe, read_camera_provenance
from records import CameraManifestFacts

camera_provenance = table_of(CameraProvenanceRow)


@dataclass(frozen=True)
class CameraRecord:
    """A daily's camera provenance as recorded at ingest (a row of ``app_camera_provenance``)."""

    content_hash: str
    state: str
    failures: tuple[str, ...]
    signer_issuer: str | None
    signer: str | None
    claim_generator: str | None
    manifest_label: str | None
    manifest_sha256: str

    @property
    def flagged(self) -> bool:
        return self.state == "invalid"

    def describe(self) -> str:
        return describe(self.state, self.signer_issuer, self.failures)

    def facts(self) -> CameraManifestFacts:
        """The ``camera_manifest`` of the clip's ``dailies.ingested/1`` entry."""
        return CameraManifestFacts(
            state=self.state,  # type: ignore[arg-type]
            failures=self.failures,
            signer_issuer=self.signer_issuer,
            signer=self.signer,
            claim_generator=self.claim_generator,
            label=self.manifest_label,
            manifest_sha256=self.manifest_sha256,
        )

    def as_json(self) -> dict[str, object]:
        """For the CLI's ``--json`` and the API: the facts, the flag and the one-line description."""
        return {
            "state": self.state,
            "failures": list(self.failures),
            "signer_issuer": self.signer_issuer,
            "signer": self.signer,
            "claim_generator": self.claim_generator,
            "manifest_label": self.manifest_label,
            "manifest_sha256": self.manifest_sha256,
            "flagged": self.flagged,
            "summary": self.describe(),
        }


def read_provenance(ws: Workspace, path: Path) -> CameraProvenance | None:
    """The camera manifest of the file at ``path`` validated against the workspace's camera trust list."""
    return read_camera_provenance(path, camera_anchors(ws.keys_dir))


def record_provenance(ws: Workspace, content_hash: str, found: CameraProvenance) -> CameraRecord:
    """Keep the manifest store in the blob store and record the facts for the clip (once: a clip already recorded
    keeps its ingest-time row)."""
    digest = ws.blobs.put_bytes(found.manifest_store)
    assert digest == found.manifest_sha256
    existing = provenance_of(ws.engine, content_hash)
    if existing is not None:
        return existing
    with ws.engine.begin() as conn:
        conn.execute(
            insert(camera_provenance).values(
                content_hash=content_hash,
                state=str(found.state),
                failures=list(found.failures),
                signer_issuer=found.signer_issuer,
                signer=found.signer,
                claim_generator=found.claim_generator,
                manifest_label=found.label,
                manifest_sha256=digest,
                checked_at=datetime.now(UTC),
            )
        )
    recorded = provenance_of(ws.engine, content_hash)
    assert recorded is not None
    return recorded


def provenance_of(engine: Engine, content_hash: str) -> CameraRecord | None:
    """The recorded camera provenance of a catalogued clip (None: its file carried no C2PA manifest)."""
    with engine.connect() as conn:
        row = conn.execute(select(camera_provenance).where(camera_provenance.c.content_hash == content_hash)).first()
    if row is None:
        return None
    return CameraRecord(
        content_hash=row.content_hash,
        state=row.state,
        failures=tuple(row.failures or ()),
        signer_issuer=row.signer_issuer,
        signer=row.signer,
        claim_generator=row.claim_generator,
        manifest_label=row.manifest_label,
        manifest_sha256=row.manifest_sha256,
    )
