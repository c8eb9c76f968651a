"""A camera's own C2PA signing, for tests: a separate "camera" CA (not the project's), a signer certificate with the
C2PA 2.x claim-signing EKUs under it, and camera-signed clips — a short generated MP4/MOV signed with c2pa-python's
``Builder`` the way a capture device signs (``c2pa.created`` with digital source type ``digitalCapture``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from labeler.c2pa_adapter import TRUST_CONFIG, media_type
from labeler.identity import SIGNER_EKUS

DIGITAL_CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
CAMERA_MAKER = "Lumen Optics test cameras"
OPERATOR = "Camera Operator Ola Nordmann"  # a person named in the camera's manifest (stays in the camera's manifest)


def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)])


def _usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False,
    )  # fmt: skip


@dataclass(frozen=True)
class CameraCA:
    """A camera maker's root CA and one camera body's signing certificate under it."""

    root_pem: str
    chain_pem: str
    key_pem: str = field(repr=False)


def make_camera_ca(org: str = CAMERA_MAKER, body: str = "body 0042") -> CameraCA:
    now = dt.datetime.now(dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name(f"{org} C2PA root", org)
    root = (
        x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name).public_key(root_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder().subject_name(_name(f"{org} {body}", org)).issuer_name(root_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(SIGNER_EKUS)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    return CameraCA(
        root_pem=root.public_bytes(pem).decode(),
        chain_pem=leaf.public_bytes(pem).decode(),
        key_pem=key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode(),
    )


def camera_sign(camera: CameraCA, raw: Path, dest: Path) -> Path:
    """Sign the recorded clip ``raw`` into ``dest`` as the camera does (same container)."""
    definition = {
        "claim_generator_info": [{"name": "LumenCam firmware", "version": "4.2.0"}],
        "title": dest.name,
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {
                "actions": [{"action": "c2pa.created", "digitalSourceType": DIGITAL_CAPTURE}]}},
            {"label": "stds.schema-org.CreativeWork", "data": {
                "@context": "https://schema.org", "@type": "CreativeWork",
                "author": [{"@type": "Person", "name": OPERATOR}]}},
        ],
    }  # fmt: skip
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, camera.chain_pem.encode(), camera.key_pem.encode(), None)
    )
    ctx = c2pa.Context.from_dict({"trust": {"trust_config": TRUST_CONFIG}})
    try:
        with open(raw, "rb") as src, open(dest, "w+b") as out:
            c2pa.Builder(json.dumps(definition), context=ctx).sign(signer, media_type(dest), src, out)
    finally:
        signer.close()
        ctx.close()
    return dest
