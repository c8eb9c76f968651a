"""A naive, recursive RFC 6962 Merkle tree: the oracle the ledger's real implementation is tested against.

Every function transcribes RFC 6962 §2.1 (same text in RFC 9162 §2.1) literally and recursively — no tiles, no
bit tricks, no storage — so that a bug in the optimised ledger cannot be mirrored here by construction. The only
concession to speed is that :class:`ReferenceTree` memoises ``MTH`` of sub-ranges of one fixed list of leaf hashes
(memoisation does not change what the recursion computes).

Names follow the RFC: ``MTH(D[n])`` is the Merkle Tree Hash, ``PATH(m, D[n])`` the audit path (inclusion proof),
``PROOF(m, D[n])`` / ``SUBPROOF(m, D[n], b)`` the consistency proof. Entries are the hashed inputs ``d(i)``; the
helpers also accept precomputed leaf hashes (``MTH({d(0)}) = SHA-256(0x00 || d(0))``) through
:meth:`ReferenceTree.from_leaf_hashes`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """RFC 6962 §2.1: ``MTH({d(0)}) = SHA-256(0x00 || d(0))``."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 §2.1: ``SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """``k``: the largest power of two smaller than ``n`` (``n > 1``)."""
    if n < 2:
        raise ValueError(f"split point needs n > 1, got {n}")
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class ReferenceTree:
    """RFC 6962 §2.1 recursion over one fixed list of leaf hashes (``MTH`` of each single entry)."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        for i, h in enumerate(leaf_hashes):
            if len(h) != 32:
                raise ValueError(f"leaf hash {i} is {len(h)} bytes, not 32")
        self._leaves = tuple(leaf_hashes)
        self._mth = lru_cache(maxsize=None)(self._mth_uncached)

    @classmethod
    def from_entries(cls, entries: Sequence[bytes]) -> ReferenceTree:
        return cls([leaf_hash(e) for e in entries])

    @classmethod
    def from_leaf_hashes(cls, leaf_hashes: Sequence[bytes]) -> ReferenceTree:
        return cls(leaf_hashes)

    def __len__(self) -> int:
        return len(self._leaves)

    # -- MTH -------------------------------------------------------------------------------------------------------
    def _mth_uncached(self, start: int, end: int) -> bytes:
        n = end - start
        if n == 0:  # MTH({}) = SHA-256()
            return EMPTY_ROOT
        if n == 1:  # MTH({d(0)}) = SHA-256(0x00 || d(0))
            return self._leaves[start]
        k = split_point(n)  # MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
        return node_hash(self._mth(start, start + k), self._mth(start + k, end))

    def mth(self, start: int, end: int) -> bytes:
        """``MTH(D[start:end])``."""
        if not 0 <= start <= end <= len(self._leaves):
            raise ValueError(f"range [{start}, {end}) outside 0..{len(self._leaves)}")
        return self._mth(start, end)

    def root(self, size: int) -> bytes:
        """``MTH(D[0:size])``."""
        return self.mth(0, size)

    # -- PATH (inclusion) ------------------------------------------------------------------------------------------
    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:  # PATH(0, {d(0)}) = {}
            return []
        k = split_point(n)
        if m < k:  # PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
            return [*self._path(m, start, start + k), self._mth(start + k, end)]
        # PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
        return [*self._path(m - k, start + k, end), self._mth(start, start + k)]

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """``PATH(index, D[size])``, leaf sibling first."""
        if not 0 <= index < size <= len(self._leaves):
            raise ValueError(f"no inclusion proof for index {index} in a tree of size {size}")
        return self._path(index, 0, size)

    # -- PROOF / SUBPROOF (consistency) ----------------------------------------------------------------------------
    def _subproof(self, m: int, start: int, end: int, b: bool) -> list[bytes]:
        n = end - start
        if m == n:
            # SUBPROOF(m, D[m], true) = {};  SUBPROOF(m, D[m], false) = {MTH(D[m])}
            return [] if b else [self._mth(start, end)]
        k = split_point(n)
        if m <= k:  # SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            return [*self._subproof(m, start, start + k, b), self._mth(start + k, end)]
        # SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
        return [*self._subproof(m - k, start + k, end, False), self._mth(start, start + k)]

    def consistency_proof(self, old: int, new: int) -> list[bytes]:
        """``PROOF(old, D[new]) = SUBPROOF(old, D[new], true)`` for ``0 < old <= new``.

        RFC 6962 defines the proof only for ``0 < m < n``; ``old == new`` yields the empty list (the recursion's
        first case), which RFC 9162 §2.1.4.2 also accepts as proving a tree consistent with itself.
        """
        if not 0 < old <= new <= len(self._leaves):
            raise ValueError(f"no consistency proof from size {old} to size {new}")
        return self._subproof(old, 0, new, True)


def expected_inclusion_length(index: int, size: int) -> int:
    """Exact inclusion-proof length (RFC 9162 §2.1.3.2): ``inner + border``."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner + border


def reference_roots_vector() -> tuple[list[bytes], dict[int, str]]:
    """The RFC 6962 reference leaves (Certificate Transparency test data) and their published roots."""
    leaves = [
        bytes.fromhex(h)
        for h in (
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        )
    ]
    roots = {
        1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    }
    return leaves, roots


# -- c2sp.org/signed-note, independently of ledger.note ----------------------------------------------------------


def open_note_reference(note: str, vkey: str) -> str:
    """Verify ``note`` against one Ed25519 verifier key string, straight from c2sp.org/signed-note; return the text.

    Raises:
        ValueError: malformed note or key, or no valid signature by that key.
    """
    import base64

    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    name, hex_id, b64 = vkey.split("+", 2)  # standard base64 may itself contain '+'
    raw = base64.b64decode(b64, validate=True)
    if raw[0] != 0x01 or len(raw) != 33:
        raise ValueError("not an Ed25519 verifier key")
    kid = hashlib.sha256(name.encode() + b"\n\x01" + raw[1:]).digest()[:4]
    if kid.hex() != hex_id:
        raise ValueError("key id does not match the key")
    text, sep, block = note.rpartition("\n\n")
    if not sep or not note.endswith("\n"):
        raise ValueError("no blank line before the signatures")
    text += "\n"
    found = False
    for line in block.splitlines():
        if not line.startswith("\u2014 "):
            raise ValueError("signature line does not start with an em dash")
        sig_name, sig_b64 = line[2:].split(" ")
        sig = base64.b64decode(sig_b64, validate=True)
        if base64.b64encode(sig).decode() != sig_b64:  # RFC 4648 §3.5: pad bits must be zero
            raise ValueError("non-canonical base64 in a signature line")
        if sig_name != name or sig[:4] != kid:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(sig[4:], text.encode())
        except InvalidSignature:
            raise ValueError("signature by the trusted key does not verify") from None
        found = True
    if not found:
        raise ValueError("no signature by the trusted key")
    return text


def parse_checkpoint_reference(text: str) -> tuple[str, int, bytes]:
    """``(origin, size, root)`` of a c2sp.org/tlog-checkpoint body (or a whole signed note)."""
    import base64

    lines = text.split("\n")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    if len(root) != 32 or str(size) != lines[1]:
        raise ValueError("malformed checkpoint body")
    return origin, size, root


def parse_receipt_reference(receipt: str) -> tuple[int, list[bytes], str]:
    """``(index, proof hashes, signed checkpoint)`` of a c2sp.org/tlog-proof@v1 receipt."""
    import base64

    head, sep, checkpoint = receipt.partition("\n\n")
    if not sep:
        raise ValueError("receipt has no blank line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != "c2sp.org/tlog-proof@v1":
        raise ValueError("not a c2sp.org/tlog-proof@v1 receipt")
    rest = lines[1:]
    if rest and rest[0].startswith("extra "):
        rest = rest[1:]
    if not rest or not rest[0].startswith("index "):
        raise ValueError("receipt has no index line")
    index = int(rest[0][len("index ") :])
    return index, [base64.b64decode(h, validate=True) for h in rest[1:]], checkpoint
