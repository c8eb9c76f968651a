"""Bulk RFC 6962 hashing: many leaf hashes, or the roots of many complete subtrees, in one call.

The reference implementation is here, in Python. ``ledger/_chash.c`` implements the same two functions in C (one
call per chunk, OpenSSL SHA-256, GIL released); it is built by ``pip install`` when a C compiler and the OpenSSL
headers are present and used automatically, and its results are tested equal to these. Without it everything
works, about three times slower for fsck and the bulk paths.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from operator import methodcaller

HASH_SIZE = 32

_SHA256 = hashlib.sha256
_DIGEST = methodcaller("digest")


def py_leaf_hashes(datas: Sequence[bytes] | Sequence[tuple[bytes, ...]]) -> bytes:
    """SHA-256(0x00 ‖ d) for every entry d, concatenated (32 bytes each).

    Each item is the entry's bytes, or a database row whose first column is (so that bulk readers need not copy
    the rows into a new list first).
    """
    items = [row[0] if isinstance(row, tuple) else row for row in datas]
    for i, d in enumerate(items):
        if not isinstance(d, bytes):
            raise TypeError(f"leaf_hashes(): item {i} is {type(d).__name__}, not bytes")
    return b"".join(map(_DIGEST, map(_SHA256, map(b"\x00".__add__, items))))


def py_subtree_roots(row: bytes, height: int) -> bytes:
    """The root of every complete run of ``2**height`` hashes in ``row`` (concatenated 32-byte hashes), in order.

    A trailing incomplete run is ignored.
    """
    if height < 0 or len(row) % HASH_SIZE:
        raise ValueError("subtree_roots(): row must be whole 32-byte hashes, height 0..30")
    width = (1 << height) * HASH_SIZE
    out = bytearray()
    for off in range(0, len(row) - width + 1, width):
        hs = [row[i : i + HASH_SIZE] for i in range(off, off + width, HASH_SIZE)]
        while len(hs) > 1:
            hs = list(map(_DIGEST, map(_SHA256, map(b"\x01".__add__, map(bytes.__add__, hs[0::2], hs[1::2])))))
        out += hs[0]
    return bytes(out)


try:
    from ledger._chash import leaf_hashes, subtree_roots
except ImportError:  # not built (no compiler or OpenSSL headers at install time): the reference is used
    leaf_hashes = py_leaf_hashes
    subtree_roots = py_subtree_roots
    ACCELERATED = False
else:
    ACCELERATED = True

__all__ = ["ACCELERATED", "HASH_SIZE", "leaf_hashes", "py_leaf_hashes", "py_subtree_roots", "subtree_roots"]
