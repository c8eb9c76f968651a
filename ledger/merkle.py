"""RFC 6962 Merkle trees: hashing, proof generation from stored subtree hashes, and proof verification.

Proofs are generated the way Go's ``golang.org/x/mod/sumdb/tlog`` does it: the RFC 6962 recursion names the
ranges of leaves whose Merkle tree hash (MTH) makes up the proof; each range is split into complete, aligned
subtrees (``Subtree(height, index)`` = the MTH of leaves ``[index·2^height, (index+1)·2^height)``); all of them are
read in one batch from a *hash reader* (O(log n) hashes) and folded together. Nothing is recomputed from leaves.

Verification follows RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) step by step, after checking that
the proof has exactly the length the RFC 6962 algorithm produces and that every hash is 32 bytes.

Consistency from size 0: every tree is an extension of the empty tree, so the proof from size 0 is the empty list,
and it verifies if and only if the claimed old root is the empty-tree hash SHA-256("") (RFC 9162 defines proofs
only for 0 < m ≤ n; we extend it with this vacuous case instead of rejecting it, so that a client that has seen
nothing can still ask "is this consistent with what I saw?" and get a meaningful answer). From m == n the proof is
empty and verifies iff both roots are equal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import NamedTuple

from ledger._hashing import subtree_roots
from ledger.errors import ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256


class Subtree(NamedTuple):
    """A complete subtree: ``2**height`` leaves starting at leaf ``index * 2**height``."""

    height: int
    index: int  # type: ignore[assignment]  # shadows tuple.index; kept for a readable API


HashReader = Callable[[Sequence[Subtree]], list[bytes]]
"""Returns the MTH of each requested complete subtree, in order (height 0 = leaf hashes)."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash: SHA-256(0x00 ‖ data)."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right)."""
    return _sha256(b"\x01" + left + right).digest()


def root_of_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes, straight from the RFC 6962 definition (for small inputs and tests)."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(root_of_leaf_hashes(hashes[:k]), root_of_leaf_hashes(hashes[k:]))


def reduce_complete(hashes: Sequence[bytes]) -> bytes:
    """MTH of a power-of-two-length list of hashes (pairs combined level by level)."""
    n = len(hashes)
    if not n or n & (n - 1):
        raise ValueError(f"reduce_complete needs a power-of-two number of hashes, got {n}")
    return hashes[0] if n == 1 else subtree_roots(b"".join(hashes), n.bit_length() - 1)


def _split(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n ≥ 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _subtrees(lo: int, hi: int) -> list[Subtree]:
    """Split the range ``[lo, hi)`` into maximal aligned complete subtrees, left to right."""
    out: list[Subtree] = []
    while lo < hi:
        height = (lo & -lo).bit_length() - 1 if lo else (hi - lo).bit_length() - 1
        while lo + (1 << height) > hi:
            height -= 1
        out.append(Subtree(height, lo >> height))
        lo += 1 << height
    return out


def subtrees_of_tree(size: int) -> list[Subtree]:
    """The complete subtrees whose hashes, folded right to left, give the MTH of the first ``size`` leaves."""
    return _subtrees(0, size)


def _inclusion_ranges(m: int, lo: int, hi: int, out: list[tuple[int, int]]) -> None:
    """RFC 6962 §2.1.1 PATH(m, D[lo:hi]) as leaf ranges, deepest (leaf sibling) first."""
    n = hi - lo
    if n <= 1:
        return
    k = _split(n)
    if m < k:
        _inclusion_ranges(m, lo, lo + k, out)
        out.append((lo + k, hi))
    else:
        _inclusion_ranges(m - k, lo + k, hi, out)
        out.append((lo, lo + k))


def _consistency_ranges(m: int, lo: int, hi: int, complete: bool, out: list[tuple[int, int]]) -> None:
    """RFC 6962 §2.1.2 SUBPROOF(m, D[lo:hi], b) as leaf ranges."""
    n = hi - lo
    if m == n:
        if not complete:
            out.append((lo, hi))
        return
    k = _split(n)
    if m <= k:
        _consistency_ranges(m, lo, lo + k, complete, out)
        out.append((lo + k, hi))
    else:
        _consistency_ranges(m - k, lo + k, hi, False, out)
        out.append((lo, lo + k))


def _hash_ranges(ranges: Sequence[tuple[int, int]], reader: HashReader) -> list[bytes]:
    """MTH of each leaf range, from one batched read of the complete subtrees that compose them."""
    parts = [_subtrees(lo, hi) for lo, hi in ranges]
    wanted = sorted({s for p in parts for s in p})
    got = reader(wanted)
    if len(got) != len(wanted):
        raise ProofError(f"hash reader returned {len(got)} hashes for {len(wanted)} subtrees")
    table = dict(zip(wanted, got, strict=True))
    out: list[bytes] = []
    for p in parts:
        h = table[p[-1]]
        for s in reversed(p[:-1]):
            h = node_hash(table[s], h)
        out.append(h)
    return out


def tree_hash(size: int, reader: HashReader) -> bytes:
    """MTH of the first ``size`` leaves from stored complete-subtree hashes (≤ log2(size) reads)."""
    if size == 0:
        return EMPTY_ROOT
    return _hash_ranges([(0, size)], reader)[0]


def inclusion_proof(index: int, size: int, reader: HashReader) -> list[bytes]:
    """The RFC 6962 inclusion proof (audit path) of leaf ``index`` in the tree of ``size`` leaves.

    Raises:
        ProofError: index not in [0, size).
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    _inclusion_ranges(index, 0, size, ranges)
    return _hash_ranges(ranges, reader)


def consistency_proof(old: int, new: int, reader: HashReader) -> list[bytes]:
    """The RFC 6962 consistency proof from tree size ``old`` to ``new`` (empty when old is 0 or old == new).

    Raises:
        ProofError: not 0 ≤ old ≤ new.
    """
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}: need 0 <= old <= new")
    if old == 0 or old == new:
        return []
    ranges: list[tuple[int, int]] = []
    _consistency_ranges(old, 0, new, True, ranges)
    return _hash_ranges(ranges, reader)


def inclusion_proof_length(index: int, size: int) -> int:
    """Exact length of a valid inclusion proof: bit_length(index XOR (size-1)) + popcount(index >> inner)."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner + border


def consistency_proof_length(old: int, new: int) -> int:
    """Exact length of a valid consistency proof from ``old`` to ``new`` (0 < old ≤ new)."""
    if old == new:
        return 0
    ranges: list[tuple[int, int]] = []
    _consistency_ranges(old, 0, new, True, ranges)
    return len(ranges)


def _check_hashes(what: str, hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(hashes):
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise ProofError(f"{what} hash #{i} is not {HASH_SIZE} bytes")


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Verify an inclusion proof as RFC 9162 §2.1.3.2 prescribes.

    Args:
        leaf: the leaf hash (not the entry bytes).
        index: the leaf index.
        size: the tree size the proof is for.
        proof: the inclusion path, leaf sibling first.
        root: the root hash of the tree of ``size`` leaves.

    Raises:
        ProofError: the proof does not verify; the message says why.
    """
    _check_hashes("leaf", [leaf])
    _check_hashes("root", [root])
    _check_hashes("inclusion proof", proof)
    # 1. Compare leaf_index against tree_size; if leaf_index >= tree_size, fail.
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    expected = inclusion_proof_length(index, size)
    if len(proof) != expected:
        raise ProofError(f"inclusion proof has {len(proof)} hashes; index {index} in size {size} needs {expected}")
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn, sn = index, size - 1
    # 3. Set r to hash.
    r = leaf
    # 4. For each value p in the inclusion_path array:
    for p in proof:
        # 4a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            raise ProofError("inclusion proof is longer than the path to the root")
        # 4b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # 4b-i. Set r to HASH(0x01 || p || r).
            r = node_hash(p, r)
            # 4b-ii. If LSB(fn) is not set, right-shift fn and sn equally until LSB(fn) is set or fn is 0.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            # Otherwise: set r to HASH(0x01 || r || p).
            r = node_hash(r, p)
        # 4c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 5. Compare sn to 0 and r against root_hash; if sn is 0 and they are equal, the proof verifies.
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    if r != root:
        raise ProofError("inclusion proof does not lead to the root hash")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """Verify a consistency proof as RFC 9162 §2.1.4.2 prescribes (plus the size-0 rule in the module docstring).

    Raises:
        ProofError: the proof does not verify; the message says why.
    """
    _check_hashes("old root", [old_root])
    _check_hashes("new root", [new_root])
    _check_hashes("consistency proof", proof)
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}: need 0 <= old <= new")
    if old == 0:
        if proof:
            raise ProofError("a consistency proof from size 0 must be empty")
        if old_root != EMPTY_ROOT:
            raise ProofError("the root of the empty tree must be SHA-256 of the empty string")
        return
    if old == new:
        if proof:
            raise ProofError("a consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same tree size {old}")
        return
    expected = consistency_proof_length(old, new)
    if len(proof) != expected:
        raise ProofError(f"consistency proof has {len(proof)} hashes; {old} -> {new} needs {expected}")
    path = list(proof)
    # 1. If consistency_path is an empty array, stop and fail the proof verification.
    if not path:
        raise ProofError("consistency proof is empty")
    # 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    # 3. Set fn to first - 1 and sn to second - 1.
    fn, sn = old - 1, new - 1
    # 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. Set both fr and sr to the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # 6a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            raise ProofError("consistency proof is longer than the path to the root")
        # 6b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # 6b-i. Set fr to HASH(0x01 || c || fr); set sr to HASH(0x01 || c || sr).
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # 6b-ii. If LSB(fn) is not set, right-shift fn and sn equally until LSB(fn) is set or fn is 0.
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            # Otherwise: set sr to HASH(0x01 || sr || c).
            sr = node_hash(sr, c)
        # 6c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 7. Verify fr == first_hash, sr == second_hash and sn == 0.
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the root")
    if fr != old_root:
        raise ProofError(f"consistency proof does not reproduce the old root of size {old}")
    if sr != new_root:
        raise ProofError(f"consistency proof does not reproduce the new root of size {new}")
