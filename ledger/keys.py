"""Ed25519 log signing keys on disk.

One file per key in ``key_dir``, mode 0600, created atomically (written to a private temporary file, fsynced,
then linked into place without overwriting). The file holds the Go/C2SP signer-key string
``PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 ‖ 32-byte seed)>`` so that standard note tools can use it. The key
name is the log's origin. File name: ``<url-quoted origin>.<hex key id>.key``.

Key material never appears in a message, a repr or a log line.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
import tempfile
from pathlib import Path
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.errors import SigningKeyError
from ledger.note import ALG_ED25519, Signer, key_id

_PREFIX = "PRIVATE+KEY+"


def key_path(key_dir: Path, name: str, kid: bytes) -> Path:
    """Where the private key ``name``/``kid`` lives."""
    return Path(key_dir) / f"{quote(name, safe='')}.{kid.hex()}.key"


def generate_key(key_dir: Path, name: str) -> Signer:
    """Create a new Ed25519 key named ``name`` in ``key_dir`` (0600) and return its signer.

    Raises:
        SigningKeyError: the directory cannot be used or the file cannot be written.
    """
    key_dir = Path(key_dir)
    try:
        key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise SigningKeyError(f"cannot create key directory {key_dir}: {exc.strerror}") from None
    private = Ed25519PrivateKey.generate()
    signer = Signer(name, private)
    seed = private.private_bytes_raw()
    line = f"{_PREFIX}{name}+{signer.key_id.hex()}+{base64.b64encode(bytes([ALG_ED25519]) + seed).decode()}\n"
    target = key_path(key_dir, name, signer.key_id)
    fd, tmp = tempfile.mkstemp(dir=key_dir, prefix=".tmp-key-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, line.encode())
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.link(tmp, target)  # fails rather than overwrite an existing key
        dir_fd = os.open(key_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        raise SigningKeyError(f"cannot write signing key file {target}: {exc.strerror}") from None
    finally:
        if fd >= 0:
            os.close(fd)
        Path(tmp).unlink(missing_ok=True)
    return signer


def load_key(key_dir: Path, name: str, kid: bytes) -> Signer:
    """Load the private key ``name``/``kid`` from ``key_dir``.

    Raises:
        SigningKeyError: missing, unreadable, group/world accessible, or not the expected key.
    """
    path = key_path(key_dir, name, kid)
    try:
        st = path.stat()
        if stat.S_IMODE(st.st_mode) & 0o077:
            raise SigningKeyError(
                f"signing key {path} is readable by other users (mode {stat.S_IMODE(st.st_mode):o}); "
                f"run `chmod 600 {path}`"
            )
        text = path.read_text().strip()
    except FileNotFoundError:
        raise SigningKeyError(
            f"signing key {path} for {name} (key id {kid.hex()}) is missing; restore it from backup or "
            "rotate to a new key with `cutproof ledger rotate-key`"
        ) from None
    except OSError as exc:
        raise SigningKeyError(f"cannot read signing key {path}: {exc.strerror}") from None
    parts = text.split("+", 4)
    bad = SigningKeyError(f"signing key file {path} is malformed or is not the key {name}+{kid.hex()}")
    if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY" or parts[2] != name or parts[3] != kid.hex():
        raise bad
    try:
        raw = base64.b64decode(parts[4], validate=True)
    except (binascii.Error, ValueError):  # ValueError: non-ASCII text
        raise bad from None
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise bad
    signer = Signer(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
    if key_id(name, signer.public_key) != kid:
        raise bad
    return signer
