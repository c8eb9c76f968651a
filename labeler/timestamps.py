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

from labeler._roots import add_roots, read_roots, require_cas
from labeler.camera import camera_anchors
from labeler.identity import SigningIdentity

TSA_ANCHORS = "tsa-anchors.pem"


def tsa_anchors(keys_dir: Path) -> str:
    """The trusted TSA roots (PEM), empty when none was added."""
    return read_roots(keys_dir, TSA_ANCHORS)


def trust_tsa(keys_dir: Path, root_pem: str) -> None:
    """Add a time-stamp authority's root certificate to the workspace's trusted TSA roots (idempotent).

    Raises:
        IdentityImportError: ``root_pem`` holds no certificate, or one that is not a CA.
    """
    add_roots(keys_dir, TSA_ANCHORS, require_cas(root_pem, what="TSA root", hint="give the TSA's root"))


def verification_anchors(identity: SigningIdentity, keys_dir: Path) -> str:
    """The roots a reader of this workspace's manifests trusts: the signing identity's, the TSAs' and the cameras'."""
    return identity.trust_anchors_pem + tsa_anchors(keys_dir) + camera_anchors(keys_dir)
