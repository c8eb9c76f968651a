"""The project's C2PA signing identity: an X.509 chain and the leaf's private key, kept in the workspace.

Layout under ``<keys_dir>/c2pa/`` (directory 0700, private keys 0600, every file written atomically)::

    ca.pem         trust anchor(s): the root certificate(s) verifiers must trust (PEM, one or more)
    ca.key         the project root CA's private key (only for a generated identity)
    signer.pem     the signing chain handed to C2PA: leaf first, then intermediates (no root)
    signer.key     the leaf's private key (PKCS#8 PEM)
    identity.json  {"source": "generated" | "imported", "created": RFC 3339}

``ensure_identity`` creates a project root CA (self-signed, CA:true, keyCertSign) and an ES256 leaf signed by it that
follows the C2PA 2.x claim-signing certificate profile (§14.5.1): version 3, not a CA, key usage digitalSignature
(critical), an extended key usage naming ``id-kp-documentSigning`` (RFC 9336) and ``c2pa-kp-claimSigning`` — not
emailProtection, which 2.x keeps only for older certificates — subject/authority key identifiers.
``import_identity`` replaces it with a production's own chain and key after validating it. Private key bytes are
never put into messages or logs.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from labeler.errors import IdentityError, IdentityImportError, IdentityMissingError

SUBDIR = "c2pa"
_E = TypeVar("_E", bound=x509.ExtensionType)
# EKUs a C2PA claim signer may carry (C2PA 2.x §14.5.1): emailProtection, documentSigning, C2PA claim signing.
_C2PA_EKUS = {
    ExtendedKeyUsageOID.EMAIL_PROTECTION,
    ObjectIdentifier("1.3.6.1.5.5.7.3.36"),  # id-kp-documentSigning
    ObjectIdentifier("1.3.6.1.4.1.62558.2.1"),  # C2PA claim signing
}
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")  # id-kp-documentSigning (RFC 9336)
C2PA_CLAIM_SIGNING = ObjectIdentifier("1.3.6.1.4.1.62558.2.1")  # c2pa-kp-claimSigning
SIGNER_EKUS = (DOCUMENT_SIGNING, C2PA_CLAIM_SIGNING)
_CURVE_ALG = {"secp256r1": "es256", "secp384r1": "es384", "secp521r1": "es512"}


@dataclass(frozen=True)
class SigningIdentity:
    """A loaded signing identity.

    Attributes:
        chain_pem: leaf certificate then intermediates, PEM (what C2PA embeds in the signature).
        trust_anchors_pem: root certificate(s) a verifier must trust for the chain to be ``Trusted``.
        algorithm: C2PA signing algorithm name (``es256``, ``es384``, ``es512``, ``ed25519``).
        source: ``generated`` (project CA made by ``cutproof init``) or ``imported``.
    """

    chain_pem: str
    trust_anchors_pem: str
    algorithm: str
    source: str
    key_pem: str = field(repr=False)

    @property
    def leaf(self) -> x509.Certificate:
        return x509.load_pem_x509_certificates(self.chain_pem.encode())[0]

    def describe(self) -> dict[str, str]:
        """Public facts about the identity (no key material), for ``cutproof identity show``."""
        leaf = self.leaf
        anchors = x509.load_pem_x509_certificates(self.trust_anchors_pem.encode())
        return {
            "source": self.source,
            "algorithm": self.algorithm,
            "signer_subject": leaf.subject.rfc4514_string(),
            "signer_issuer": leaf.issuer.rfc4514_string(),
            "signer_not_after": leaf.not_valid_after_utc.isoformat(),
            "signer_sha256": leaf.fingerprint(hashes.SHA256()).hex(),
            "trust_anchors": ", ".join(a.subject.rfc4514_string() for a in anchors),
            "trust_anchor_sha256": ", ".join(a.fingerprint(hashes.SHA256()).hex() for a in anchors),
        }


def identity_dir(keys_dir: Path) -> Path:
    return Path(keys_dir) / SUBDIR


def has_identity(keys_dir: Path) -> bool:
    d = identity_dir(keys_dir)
    return all((d / n).is_file() for n in ("ca.pem", "signer.pem", "signer.key"))


def load_identity(keys_dir: Path) -> SigningIdentity:
    """Load the workspace's signing identity.

    Raises:
        IdentityMissingError: no identity has been created or imported.
        IdentityError: the stored files are unreadable or inconsistent.
    """
    d = identity_dir(keys_dir)
    if not has_identity(keys_dir):
        raise IdentityMissingError(
            f"no C2PA signing identity in {d}; run `cutproof init` to create a project CA "
            "or `cutproof identity import` to install the production's own certificate"
        )
    try:
        chain_pem = (d / "signer.pem").read_text()
        anchors_pem = (d / "ca.pem").read_text()
        key_pem = (d / "signer.key").read_text()
        meta = json.loads((d / "identity.json").read_text()) if (d / "identity.json").is_file() else {}
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
        chain = x509.load_pem_x509_certificates(chain_pem.encode())
    except (OSError, ValueError, TypeError) as exc:
        raise IdentityError(
            f"the signing identity in {d} cannot be read ({type(exc).__name__}); "
            "re-import it with `cutproof identity import`"
        ) from None
    return SigningIdentity(
        chain_pem=chain_pem,
        trust_anchors_pem=anchors_pem,
        algorithm=_algorithm(key, chain[0]),
        source=str(meta.get("source", "generated")),
        key_pem=key_pem,
    )


def ensure_identity(keys_dir: Path, organisation: str = "Cutproof workspace") -> tuple[SigningIdentity, bool]:
    """Return the workspace identity, creating a project CA + ES256 signer first if there is none.

    Returns:
        The identity and whether it was created by this call.

    Raises:
        IdentityError: the key directory cannot be written.
    """
    if has_identity(keys_dir):
        return load_identity(keys_dir), False
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} C2PA root CA"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} C2PA signer"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(leaf_name)
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(SIGNER_EKUS)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _store(
        keys_dir,
        chain=[leaf_cert],
        anchors=[ca_cert],
        key_pem=_key_pem(leaf_key),
        ca_key_pem=_key_pem(ca_key),
        source="generated",
    )
    return load_identity(keys_dir), True


def import_identity(
    keys_dir: Path, chain_pem: bytes, key_pem: bytes, anchors_pem: bytes | None = None
) -> SigningIdentity:
    """Validate and install a production's own signing chain and key, replacing the current identity.

    Args:
        keys_dir: the workspace key directory.
        chain_pem: leaf certificate first, then intermediates; the root may be included last.
        key_pem: the leaf's unencrypted PKCS#8 / traditional PEM private key.
        anchors_pem: root certificate(s) to trust; defaults to the self-signed root at the end of ``chain_pem``.

    Raises:
        IdentityImportError: the key does not match the leaf, the chain is out of order or broken, a certificate
            is expired or lacks the usages C2PA needs, or the key type is not ES256/384/512 or Ed25519.
    """
    try:
        certs = x509.load_pem_x509_certificates(chain_pem)
    except ValueError:
        raise IdentityImportError("the certificate file holds no readable PEM certificates") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise IdentityImportError(
            "the private key file is not an unencrypted PEM private key; decrypt it first "
            "(e.g. `openssl pkey -in key.pem -out plain.pem`)"
        ) from None
    roots = [c for c in certs if _self_signed(c)]
    chain = [c for c in certs if not _self_signed(c)]
    if (roots and certs[-1] is not roots[-1]) or len(roots) > 1:
        raise IdentityImportError("the root certificate may only appear once, at the end of the chain")
    if anchors_pem is not None:
        try:
            roots = x509.load_pem_x509_certificates(anchors_pem)
        except ValueError:
            raise IdentityImportError("the trust anchor file holds no readable PEM certificates") from None
    if not chain:
        raise IdentityImportError("the chain has no signing (leaf) certificate, only a self-signed root")
    if not roots:
        raise IdentityImportError("no trust anchor: include the root certificate at the end of the chain or pass it")
    _validate_chain(chain, roots, key)
    _store(keys_dir, chain=chain, anchors=roots, key_pem=_key_pem(key), ca_key_pem=None, source="imported")
    return load_identity(keys_dir)


def _validate_chain(chain: list[x509.Certificate], roots: list[x509.Certificate], key: object) -> None:
    leaf = chain[0]
    bc = _ext(leaf, x509.BasicConstraints)
    if bc is not None and bc.ca:
        raise IdentityImportError("the first certificate is a CA certificate; the signing (leaf) one must come first")
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise IdentityImportError("the private key must be an EC (P-256/384/521) or Ed25519 key for C2PA signing")
    pub = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    leaf_pub = leaf.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if pub != leaf_pub:
        raise IdentityImportError(
            f"the private key does not belong to the first certificate ({leaf.subject.rfc4514_string()}); "
            "put the signing certificate first and pass its own key"
        )
    _algorithm(key, leaf)
    now = dt.datetime.now(dt.UTC)
    for cert in [*chain, *roots]:
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            raise IdentityImportError(
                f"certificate {cert.subject.rfc4514_string()} is not valid now "
                f"(valid {cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d})"
            )
    ku = _ext(leaf, x509.KeyUsage)
    if ku is None or not ku.digital_signature:
        raise IdentityImportError("the signing certificate lacks the digitalSignature key usage C2PA requires")
    eku = _ext(leaf, x509.ExtendedKeyUsage)
    if eku is None or not _C2PA_EKUS & set(eku):
        raise IdentityImportError(
            "the signing certificate needs an extended key usage C2PA accepts "
            "(emailProtection, documentSigning or C2PA claim signing)"
        )
    if ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE in set(eku):
        raise IdentityImportError(
            "the signing certificate carries anyExtendedKeyUsage, which the C2PA certificate profile forbids; "
            "issue one with documentSigning or C2PA claim signing only"
        )
    for child, parent in itertools.pairwise(chain):
        _check_issued(child, parent, "the chain is out of order or broken")
        _check_ca(parent)
    top = chain[-1]
    issuers = [r for r in roots if r.subject == top.issuer]
    if not issuers:
        raise IdentityImportError(
            f"no trust anchor issued {top.subject.rfc4514_string()} (issuer {top.issuer.rfc4514_string()})"
        )
    _check_issued(top, issuers[0], "the chain does not verify against the trust anchor")
    _check_ca(issuers[0])


def _check_issued(child: x509.Certificate, parent: x509.Certificate, what: str) -> None:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, Exception) as exc:  # InvalidSignature has no common base besides Exception
        raise IdentityImportError(
            f"{what}: {child.subject.rfc4514_string()} is not signed by {parent.subject.rfc4514_string()} "
            f"({type(exc).__name__}); order the file leaf first, then each issuer"
        ) from None


def _check_ca(cert: x509.Certificate) -> None:
    bc = _ext(cert, x509.BasicConstraints)
    ku = _ext(cert, x509.KeyUsage)
    if bc is None or not bc.ca or (ku is not None and not ku.key_cert_sign):
        raise IdentityImportError(f"issuer {cert.subject.rfc4514_string()} is not a CA certificate with keyCertSign")


def _ext(cert: x509.Certificate, kind: type[_E]) -> _E | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:
        return False
    return True


def _algorithm(key: object, leaf: x509.Certificate) -> str:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name in _CURVE_ALG:
        return _CURVE_ALG[key.curve.name]
    raise IdentityError(
        f"unsupported signing key for {leaf.subject.rfc4514_string()}: use EC P-256/P-384/P-521 or Ed25519"
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _key_pem(key: object) -> str:
    assert isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _pem(certs: list[x509.Certificate]) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def _store(
    keys_dir: Path,
    *,
    chain: list[x509.Certificate],
    anchors: list[x509.Certificate],
    key_pem: str,
    ca_key_pem: str | None,
    source: str,
) -> None:
    d = identity_dir(keys_dir)
    try:
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(d, 0o700)
        _atomic_write(d / "signer.key", key_pem, 0o600)
        _atomic_write(d / "signer.pem", _pem(chain), 0o644)
        if ca_key_pem is not None:
            _atomic_write(d / "ca.key", ca_key_pem, 0o600)
        elif (d / "ca.key").exists():
            (d / "ca.key").unlink()  # an imported identity: the old project CA key no longer signs anything
        _atomic_write(d / "ca.pem", _pem(anchors), 0o644)
        meta = {"source": source, "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        _atomic_write(d / "identity.json", json.dumps(meta) + "\n", 0o644)
    except OSError as exc:
        raise IdentityError(f"cannot write the signing identity to {d}: {exc.strerror}") from None


def _atomic_write(path: Path, text: str, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
