"""A file of trusted root certificates in the workspace's signing-identity folder (``keys/c2pa/<name>``): the
time-stamp authorities' roots and the camera makers' roots are each one such file.

The file is PEM, certificates concatenated; it is rewritten whole through a temporary file and a rename, so a
reader sees the old list or the new one, never half of one. Only CA certificates are admitted: a root list that
held a leaf would trust whatever that leaf signed and nothing it was meant to.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from labeler.errors import IdentityImportError
from labeler.identity import identity_dir


def read_roots(keys_dir: Path, name: str) -> str:
    """The roots in ``keys/c2pa/<name>`` (PEM), empty when none was added."""
    path = identity_dir(keys_dir) / name
    return path.read_text() if path.is_file() else ""


def parse_roots(pem: str) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem.encode()) if pem.strip() else []


def require_cas(root_pem: str, *, what: str, hint: str) -> list[x509.Certificate]:
    """The certificates of ``root_pem``, each checked to be a CA.

    Raises:
        IdentityImportError: no PEM certificate in it, or one that is not a CA (the message names ``what`` it
            should have been and ends with ``hint``).
    """
    try:
        certs = x509.load_pem_x509_certificates(root_pem.encode())
    except ValueError:
        raise IdentityImportError(f"the {what} is not a PEM certificate; {hint}") from None
    for cert in certs:
        try:
            ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            ca = False
        if not ca:
            raise IdentityImportError(f"{cert.subject.rfc4514_string()} is not a CA certificate; {hint}")
    return certs


def write_roots(keys_dir: Path, name: str, certs: list[x509.Certificate]) -> None:
    """Replace ``keys/c2pa/<name>`` with ``certs`` (atomically)."""
    d = identity_dir(keys_dir)
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = d / name
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs))
    tmp.replace(path)


def add_roots(keys_dir: Path, name: str, certs: list[x509.Certificate]) -> list[x509.Certificate]:
    """Add ``certs`` to ``keys/c2pa/<name>`` (idempotent: by SHA-256 fingerprint); returns those newly added."""
    existing = parse_roots(read_roots(keys_dir, name))
    have = {c.fingerprint(hashes.SHA256()) for c in existing}
    new = [c for c in certs if c.fingerprint(hashes.SHA256()) not in have]
    if new:
        write_roots(keys_dir, name, [*existing, *new])
    return new
