"""Checkpoints (c2sp.org/tlog-checkpoint): the signed note body ``origin\\nsize\\nbase64(root)\\n[extensions]``."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.errors import NoteError
from ledger.merkle import HASH_SIZE
from ledger.note import Signer, Verifier, b64decode_canonical, open_note, sign_note

_ORIGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~:/@-]*")
MAX_ORIGIN = 255


def check_origin(origin: str) -> None:
    """An origin is a schema-less URL: letters, digits and ``._~:/@-``; no spaces, no '+'; ≤ 255 characters.

    Raises:
        NoteError: the origin is not acceptable.
    """
    if not isinstance(origin, str) or len(origin) > MAX_ORIGIN or not _ORIGIN.fullmatch(origin):
        raise NoteError(
            f"invalid log origin {origin!r}: use a schema-less URL such as cutproof.local/my-film "
            "(letters, digits and ._~:/@- only)"
        )


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint body. Construct via ``Checkpoint(origin, size, root)`` or ``Checkpoint.parse(text)``."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_origin(self.origin)
        if self.size < 0:
            raise NoteError("checkpoint size must be non-negative")
        if len(self.root_hash) != HASH_SIZE:
            raise NoteError("checkpoint root hash must be 32 bytes")

    @property
    def text(self) -> str:
        """The note text that is signed."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode(), *self.extensions]
        return "\n".join(lines) + "\n"

    def sign(self, signers: Sequence[Signer]) -> str:
        """The signed note."""
        return sign_note(self.text, signers)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body.

        Raises:
            NoteError: the body is malformed.
        """
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "":
            raise NoteError("checkpoint must have at least three lines: origin, size, root hash")
        origin, size_s, root_s, *ext = lines[:-1]
        if not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")) or not size_s.isascii():
            raise NoteError(f"checkpoint size {size_s!r} is not a decimal number")
        try:
            root = b64decode_canonical(root_s)
        except (binascii.Error, ValueError):  # ValueError: non-ASCII text
            raise NoteError("checkpoint root hash is not canonical base64") from None
        if any(not e for e in ext):
            raise NoteError("checkpoint extension lines must not be empty")
        return cls(origin, int(size_s), root, tuple(ext))

    @classmethod
    def open(cls, signed: str, verifiers: Sequence[Verifier]) -> Checkpoint:
        """Verify a signed checkpoint against trusted verifiers and parse its body.

        Raises:
            NoteError: malformed, badly signed, or not signed by a trusted key.
        """
        text, _ = open_note(signed, verifiers)
        return cls.parse(text)


def checkpoint_text_of(signed: str) -> str:
    """The body of a signed checkpoint, without verifying anything."""
    split = signed.rfind("\n\n")
    return signed[: split + 1] if split >= 0 else signed
