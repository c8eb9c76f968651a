"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys.

A note is UTF-8 text ending in a newline, then a blank line, then one or more signature lines
``— <key name> <base64(4-byte key ID ‖ signature)>``. The signed bytes are the text with its final newline.
Ed25519 key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]; verifier key = ``<name>+<hex id>+<base64(0x01 ‖ pk)>``.

Verification (as the spec and Go's ``golang.org/x/mod/sumdb/note`` do it): signatures by unknown keys are ignored,
a bad signature by a known key rejects the note, and at least one good signature by a known key is required.
Base64 (RFC 4648 §4) must be canonical: its pad bits zero (§3.5 lets a decoder reject them otherwise). A lenient
decoder accepts ``…QM=`` and ``…QN=`` as the same signature, so one signed note could be written several ways and
an altered character would go unnoticed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.errors import NoteError

ALG_ED25519 = 0x01
SIG_PREFIX = "— "  # U+2014 EM DASH, space
MAX_SIGNATURES = 100


def b64decode_canonical(text: str) -> bytes:
    """Standard base64 (RFC 4648 §4) decoded, only when it is the canonical encoding of what it decodes to.

    Raises:
        binascii.Error: not base64, or its pad bits are not zero.
    """
    raw = base64.b64decode(text, validate=True)
    if base64.b64encode(raw).decode() != text:
        raise binascii.Error("non-canonical base64 (pad bits set)")
    return raw


def check_key_name(name: str) -> None:
    """Key names are non-empty, printable and contain neither whitespace nor '+'.

    Raises:
        NoteError: the name is not acceptable.
    """
    if not name or any(c.isspace() or c == "+" or not c.isprintable() for c in name):
        raise NoteError(f"invalid key name {name!r}: it must be non-empty, without spaces or '+'")


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte Ed25519 key ID of a named public key."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key, parsed from a vkey string."""

    name: str
    key_id: bytes
    public_key: bytes

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse ``<name>+<hex key id>+<base64(0x01 ‖ public key)>``.

        Raises:
            NoteError: the string is not a well-formed Ed25519 verifier key.
        """
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("verifier key must look like <name>+<hex key id>+<base64 key>")
        name, hex_id, b64 = parts
        check_key_name(name)
        try:
            kid = bytes.fromhex(hex_id)
            raw = b64decode_canonical(b64)
        except (ValueError, binascii.Error):
            raise NoteError(f"verifier key for {name!r} has a malformed key id or key") from None
        if len(kid) != 4 or len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError(f"verifier key for {name!r} is not an Ed25519 key (algorithm 0x01, 32 bytes)")
        if key_id(name, raw[1:]) != kid:
            raise NoteError(f"verifier key for {name!r}: key id {hex_id} does not match the key")
        return cls(name, kid, raw[1:])

    @property
    def vkey(self) -> str:
        """The verifier key string."""
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True if ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Signer:
    """A named Ed25519 private key that signs notes. Its repr never shows the key."""

    __slots__ = ("_key", "key_id", "name", "public_key")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        check_key_name(name)
        self.name = name
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes_raw()
        self.key_id = key_id(name, self.public_key)

    def __repr__(self) -> str:
        return f"Signer(name={self.name!r}, key_id={self.key_id.hex()})"

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_id, self.public_key)

    def signature_line(self, text: str) -> str:
        """The ``— name base64(id ‖ sig)`` line (with newline) for ``text``."""
        sig = self._key.sign(text.encode())
        return f"{SIG_PREFIX}{self.name} {base64.b64encode(self.key_id + sig).decode()}\n"


@dataclass(frozen=True)
class Signature:
    """One signature line of a note."""

    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class Note:
    """A parsed (not yet verified) signed note."""

    text: str
    signatures: tuple[Signature, ...]


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """Sign ``text`` (which must end in a newline) with every signer.

    Raises:
        NoteError: no signer, or the text is not a valid note body.
    """
    _check_text(text)
    if not signers:
        raise NoteError("a note needs at least one signer")
    return text + "\n" + "".join(s.signature_line(text) for s in signers)


_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")  # control characters other than newline


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if "\n\n" in text:
        raise NoteError("note text must not contain a blank line")
    if _CONTROL.search(text):
        raise NoteError("note text must not contain control characters other than newline")


def parse_note(note: str) -> Note:
    """Split a signed note into text and signature lines (no verification).

    Raises:
        NoteError: the note is malformed.
    """
    if not note.endswith("\n"):
        raise NoteError("signed note must end with a newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("signed note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    _check_text(text)
    sigs: list[Signature] = []
    for line in block.splitlines():
        if not line.startswith(SIG_PREFIX):
            raise NoteError("signed note has a signature line that does not start with '— '")
        try:
            name, b64 = line[len(SIG_PREFIX) :].split(" ")
            raw = b64decode_canonical(b64)
        except (ValueError, binascii.Error):
            raise NoteError("signed note has a malformed signature line") from None
        check_key_name(name)
        if len(raw) < 5:
            raise NoteError(f"signature by {name!r} is too short")
        sigs.append(Signature(name, raw[:4], raw[4:]))
    if not sigs:
        raise NoteError("signed note has no signatures")
    if len(sigs) > MAX_SIGNATURES:
        raise NoteError(f"signed note has more than {MAX_SIGNATURES} signatures")
    return Note(text, tuple(sigs))


def open_note(note: str, verifiers: Sequence[Verifier]) -> tuple[str, list[Verifier]]:
    """Verify a signed note; return its text and the verifiers whose signatures checked out.

    Raises:
        NoteError: malformed note, a known key's signature is bad, or no known key signed it.
    """
    parsed = parse_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    message = parsed.text.encode()
    good: list[Verifier] = []
    for sig in parsed.signatures:
        v = known.get((sig.name, sig.key_id))
        if v is None:
            continue  # unknown keys (witnesses, other logs) are ignored
        if not v.verify(message, sig.signature):
            raise NoteError(f"signature by {sig.name}+{sig.key_id.hex()} does not verify: the note was altered")
        if v not in good:
            good.append(v)
    if not good:
        raise NoteError("the note is not signed by any trusted key (check the verifier key you passed)")
    return parsed.text, good
