"""Time-stamp authorities the workspace trusts, for validating the RFC 3161 time-stamps on claim signatures.

A claim signature time-stamped by a TSA (``sign_video(..., tsa_url=)``) validates after its signing certificate
expires: the validator checks the certificate at the attested signing time (C2PA 2.x §14.6). The token itself is
checked against the TSA's root: those roots are kept beside the signing identity::

    <keys_dir>/c2pa/tsa-anchors.pem   root certificate(s) of the time-stamp authorities this workspace uses (PEM)

``verification_anchors`` is what readers trust: the signing identity's anchors plus those TSA roots (so the
validation reports ``timeStamp.trusted``, not ``timeStamp.untrusted``), plus the registered camera roots
(``labeler.camera``), so a camera manifest a deliverable carries as its ``parentOf`` ingredient is judged against
the same camera trust list as at ingest and labelling.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from labeler.camera import camera_anchors
from labeler.errors import IdentityImportError
from labeler.identity import SigningIdentity, identity_dir

TSA_ANCHORS = "tsa-anchors.pem"


def tsa_anchors(keys_dir: Path) -> str:
    """The trusted TSA roots (PEM), empty when none was added."""
    path = identity_dir(keys_dir) / TSA_ANCHORS
    return path.read_text() if path.is_file() else ""


def trust_tsa(keys_dir: Path, root_pem: str) -> None:
    """Add a time-stamp authority's root certificate to the workspace's trusted TSA roots (idempotent).

    Raises:
        IdentityImportError: ``root_pem`` holds no certificate, or one that is not a CA.
    """
    try:
        certs = x509.load_pem_x509_certificates(root_pem.encode())
    except ValueError:
        raise IdentityImportError("the TSA root is not a PEM certificate") from None
    for cert in certs:
        try:
            ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            ca = False
        if not ca:
            raise IdentityImportError(f"{cert.subject.rfc4514_string()} is not a CA certificate; give the TSA's root")
    existing = tsa_anchors(keys_dir)
    have = {c.fingerprint(hashes.SHA256()) for c in _certs(existing)}
    new = [c for c in certs if c.fingerprint(hashes.SHA256()) not in have]
    if not new:
        return
    added = "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in new)
    path = identity_dir(keys_dir) / TSA_ANCHORS
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(existing + added)
    tmp.replace(path)


def verification_anchors(identity: SigningIdentity, keys_dir: Path) -> str:
    """The roots a reader of this workspace's manifests trusts: the signing identity's, the TSAs' and the cameras'."""
    return identity.trust_anchors_pem + tsa_anchors(keys_dir) + camera_anchors(keys_dir)


def _certs(pem: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem.encode()) if pem.strip() else []
