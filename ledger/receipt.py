"""Offline receipts in the c2sp.org/tlog-proof@v1 format, and their verification.

```
c2sp.org/tlog-proof@v1
extra <optional base64, unauthenticated>
index <leaf index>
<inclusion proof hashes, base64, one per line, leaf sibling first>

<the signed checkpoint, verbatim, with any cosignatures>
```
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.checkpoint import Checkpoint
from ledger.errors import NoteError, ProofError, ReceiptError
from ledger.merkle import HASH_SIZE, leaf_hash, verify_inclusion
from ledger.note import Verifier, b64decode_canonical, open_note

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF_HASHES = 64


@dataclass(frozen=True)
class Receipt:
    """A parsed receipt (nothing verified yet)."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    @classmethod
    def parse(cls, text: str) -> Receipt:
        """Parse receipt text.

        Raises:
            ReceiptError: the text is not a well-formed c2sp.org/tlog-proof@v1 receipt.
        """
        head, sep, checkpoint = text.partition("\n\n")
        if not sep:
            raise ReceiptError("receipt has no blank line between the proof and the checkpoint")
        lines = head.split("\n")
        if lines[0] != HEADER:
            raise ReceiptError(f"receipt does not start with {HEADER!r}")
        pos = 1
        extra = None
        if pos < len(lines) and lines[pos].startswith("extra "):
            try:
                extra = b64decode_canonical(lines[pos][6:])
            except (binascii.Error, ValueError):  # ValueError: non-ASCII text
                raise ReceiptError("receipt 'extra' line is not canonical base64") from None
            pos += 1
        if pos >= len(lines) or not lines[pos].startswith("index "):
            raise ReceiptError("receipt has no 'index <n>' line")
        idx = lines[pos][6:]
        if not idx.isascii() or not idx.isdigit() or (idx != "0" and idx.startswith("0")):
            raise ReceiptError(f"receipt index {idx!r} is not a decimal number")
        proof: list[bytes] = []
        for n, line in enumerate(lines[pos + 1 :], start=1):
            try:
                h = b64decode_canonical(line)
            except (binascii.Error, ValueError):  # ValueError: non-ASCII text
                raise ReceiptError(f"receipt proof hash #{n} is not canonical base64") from None
            if len(h) != HASH_SIZE:
                raise ReceiptError(f"receipt proof hash #{n} is {len(h)} bytes, not {HASH_SIZE}")
            proof.append(h)
        if len(proof) > MAX_PROOF_HASHES:
            raise ReceiptError(f"receipt has more than {MAX_PROOF_HASHES} proof hashes")
        if not checkpoint:
            raise ReceiptError("receipt has no checkpoint after the blank line")
        return cls(int(idx), tuple(proof), checkpoint, extra)

    def format(self) -> str:
        """The receipt text."""
        return format_receipt(self.index, self.proof, self.checkpoint, self.extra)


def format_receipt(index: int, proof: Sequence[bytes], checkpoint: str, extra: bytes | None = None) -> str:
    """Receipt text for entry ``index`` with its inclusion ``proof`` under the signed ``checkpoint``."""
    lines = [HEADER]
    if extra is not None:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {index}")
    lines.extend(base64.b64encode(h).decode() for h in proof)
    return "\n".join(lines) + "\n\n" + checkpoint


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a valid receipt proves: entry ``index`` is in the log ``origin`` at tree ``size`` with ``root_hash``."""

    origin: str
    index: int
    size: int
    root_hash: bytes
    signed_by: tuple[str, ...] = ()


def verify_receipt(receipt: str, entry: bytes, vkeys: Sequence[str]) -> VerifiedReceipt:
    """Verify a receipt offline, using only the entry bytes and trusted verifier keys.

    Args:
        receipt: the receipt text.
        entry: the exact entry bytes the receipt is for.
        vkeys: trusted C2SP verifier key strings (a log's current and rotated-out keys).

    Raises:
        ReceiptError: the precise reason the receipt does not prove inclusion of ``entry``.
    """
    # 1. Parse the receipt (c2sp.org/tlog-proof §format).
    parsed = Receipt.parse(receipt)
    # 2. Parse the trusted keys.
    try:
        verifiers = [Verifier.from_vkey(v) for v in vkeys]
    except NoteError as exc:
        raise ReceiptError(f"bad verifier key: {exc}") from None
    if not verifiers:
        raise ReceiptError("no verifier key given; pass the log's vkey")
    # 3. Verify the checkpoint's signatures (c2sp.org/signed-note: unknown keys ignored, ≥ 1 good known one).
    try:
        text, good = open_note(parsed.checkpoint, verifiers)
        cp = Checkpoint.parse(text)
    except NoteError as exc:
        raise ReceiptError(f"checkpoint: {exc}") from None
    # 4. The signing key's name must be the checkpoint's origin (c2sp.org/tlog-checkpoint).
    if not any(v.name == cp.origin for v in good):
        raise ReceiptError(f"checkpoint for {cp.origin} is not signed by a key of that log")
    # 5. Recompute the leaf hash from the entry bytes and check the inclusion proof (RFC 9162 §2.1.3.2).
    try:
        verify_inclusion(leaf_hash(entry), parsed.index, cp.size, parsed.proof, cp.root_hash)
    except ProofError as exc:
        raise ReceiptError(f"inclusion proof: {exc} (wrong entry, index or tampered receipt)") from None
    return VerifiedReceipt(cp.origin, parsed.index, cp.size, cp.root_hash, tuple(v.vkey for v in good))
