"""Camera provenance: the C2PA manifest a camera signed into a daily, validated against the camera trust list.

Cameras that sign what they record (C2PA "capture" manifests: a ``c2pa.created`` action with the digital source type
``digitalCapture``) are signed under the camera maker's CA, not the production's. The operator registers the roots of
the cameras the production trusts (``cutproof trust camera add``); they are kept beside the signing identity::

    <keys_dir>/c2pa/camera-anchors.pem   root certificate(s) of the camera CAs this workspace trusts (PEM)

``read_camera_provenance`` reads a daily's manifest and says, in one of three states, what it found:

- ``trusted``: the manifest validates and its signer chains to a registered camera root;
- ``valid-untrusted``: the manifest validates (signature, hard binding to the file's bytes), but its signer is not
  on the camera trust list (or none is registered);
- ``invalid``: the manifest is present but fails validation (a tampered clip: ``assertion.bmffHash.mismatch``; a bad
  signature: ``claimSignature.mismatch``; or unreadable), with the failing codes.

The manifest store itself is kept (``CameraProvenance.manifest_store``) so the facts can be proven later.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from labeler._bmff import embedded_manifest_store
from labeler._roots import add_roots, parse_roots, read_roots, require_cas, write_roots
from labeler.c2pa_adapter import FORMATS, ValidationState, read_manifest
from labeler.errors import C2paError, IdentityImportError, ManifestNotFoundError

CAMERA_ANCHORS = "camera-anchors.pem"
UNREADABLE = "manifest.unreadable"
"""The failure code recorded when a daily's manifest store cannot be parsed at all (the SDK gives no code then)."""


class CameraState(StrEnum):
    TRUSTED = "trusted"
    VALID_UNTRUSTED = "valid-untrusted"
    INVALID = "invalid"


@dataclass(frozen=True)
class CameraAnchor:
    """A registered camera root: subject, SHA-256 fingerprint (hex) and end of validity."""

    subject: str
    sha256: str
    not_after: str


@dataclass(frozen=True)
class CameraProvenance:
    """What a daily's own C2PA manifest says and how it validated at ingest.

    ``signer_issuer`` is the organisation that issued the signing certificate as the SDK reports it (the camera
    maker's CA), ``signer`` the certificate's common name; both None when the manifest could not be read.
    """

    state: CameraState
    failures: tuple[str, ...]
    signer_issuer: str | None
    signer: str | None
    claim_generator: str | None
    label: str | None
    manifest_store: bytes = field(repr=False)

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_store).hexdigest()

    @property
    def flagged(self) -> bool:
        """The daily carries a camera manifest that does not validate."""
        return self.state is CameraState.INVALID

    def describe(self) -> str:
        """One line for the operator: ``camera-signed by <issuer>, trusted`` and so on."""
        return describe(self.state, self.signer_issuer, self.failures)


def describe(state: str, issuer: str | None, failures: tuple[str, ...] | list[str] = ()) -> str:
    """``camera-signed by <issuer>, <state>`` in words (shared by ingest, QC and ``cutproof verify``)."""
    by = f"camera-signed by {issuer}" if issuer else "camera-signed (signer unreadable)"
    if state == CameraState.TRUSTED:
        return f"{by}, trusted"
    if state == CameraState.VALID_UNTRUSTED:
        return f"{by}, valid, signer not on the camera trust list"
    broken = ", ".join(c for c in failures if c != "signingCredential.untrusted") or "validation failed"
    return f"{by}, INVALID ({broken})"


def camera_anchors(keys_dir: Path) -> str:
    """The registered camera roots (PEM), empty when none was added."""
    return read_roots(keys_dir, CAMERA_ANCHORS)


def list_camera_anchors(keys_dir: Path) -> list[CameraAnchor]:
    return [_anchor(c) for c in parse_roots(camera_anchors(keys_dir))]


def add_camera_anchor(keys_dir: Path, root_pem: str) -> list[CameraAnchor]:
    """Register camera root certificate(s) (idempotent); returns those newly added.

    Raises:
        IdentityImportError: ``root_pem`` holds no certificate, or one that is not a CA.
    """
    certs = require_cas(
        root_pem,
        what="camera root",
        hint="give the camera maker's root CA, not a camera's own signing certificate",
    )
    return [_anchor(c) for c in add_roots(keys_dir, CAMERA_ANCHORS, certs)]


def remove_camera_anchor(keys_dir: Path, fingerprint: str) -> CameraAnchor:
    """Remove the registered camera root whose SHA-256 fingerprint starts with ``fingerprint`` (8+ hex digits).

    Raises:
        IdentityImportError: no root, or more than one, matches.
    """
    prefix = fingerprint.strip().lower().replace(":", "")
    certs = parse_roots(camera_anchors(keys_dir))
    hits = [c for c in certs if len(prefix) >= 8 and c.fingerprint(hashes.SHA256()).hex().startswith(prefix)]
    if len(hits) != 1:
        raise IdentityImportError(
            f"{len(hits) or 'no'} registered camera root(s) match {fingerprint!r}; "
            "give 8 or more hex digits of a fingerprint shown by `cutproof trust camera list`"
        )
    write_roots(keys_dir, CAMERA_ANCHORS, [c for c in certs if c is not hits[0]])
    return _anchor(hits[0])


def read_camera_provenance(path: Path, anchors_pem: str) -> CameraProvenance | None:
    """The camera manifest embedded in ``path`` and how it validates under ``anchors_pem`` (registered camera roots;
    empty: none registered). None when the file is not MP4/MOV or carries no C2PA manifest."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        return None
    store = embedded_manifest_store(path)
    if store is None:
        return None
    try:
        report = read_manifest(path, anchors_pem or None)
    except ManifestNotFoundError:
        return None
    except C2paError:  # a manifest is embedded but cannot be parsed (or the container around it is broken)
        return CameraProvenance(CameraState.INVALID, (UNREADABLE,), None, None, None, None, store)
    failures = tuple(sorted(report.codes()))
    if report.state is ValidationState.INVALID or set(failures) - {"signingCredential.untrusted"}:
        state = CameraState.INVALID
    elif report.state is ValidationState.TRUSTED:
        state = CameraState.TRUSTED
    else:
        state = CameraState.VALID_UNTRUSTED
    return CameraProvenance(
        state=state,
        failures=failures if state is CameraState.INVALID else (),
        signer_issuer=report.signer_issuer or None,
        signer=report.signer_common_name or None,
        claim_generator=report.claim_generator,
        label=report.label or None,
        manifest_store=store,
    )


def embedded_store_sha256(path: Path) -> str | None:
    """SHA-256 of the C2PA manifest store embedded in an MP4/MOV (None: none embedded), without validating it."""
    store = embedded_manifest_store(Path(path))
    return hashlib.sha256(store).hexdigest() if store is not None else None


def _anchor(cert: x509.Certificate) -> CameraAnchor:
    return CameraAnchor(
        subject=cert.subject.rfc4514_string(),
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
        not_after=cert.not_valid_after_utc.isoformat(),
    )
