"""The oracle itself is checked first: RFC 6962 / Certificate Transparency vectors and an independent library.

If these fail, every property test built on ``tests.ledger.reference`` is meaningless, so they pin the reference
to published values (the CT test data used by RFC 6962 implementations) and to ``pymerkle`` (a separate
implementation with RFC 6962 prefixes) before anything else trusts it.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ledger.reference import (
    EMPTY_ROOT,
    ReferenceTree,
    expected_inclusion_length,
    leaf_hash,
    reference_roots_vector,
)

LEAVES, ROOTS = reference_roots_vector()
# Roots of the intermediate sizes and proofs from the Certificate Transparency test data for the same 8 leaves.
MORE_ROOTS = {
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
}
INCLUSION_VECTORS = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def test_empty_tree_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert ReferenceTree([]).root(0) == EMPTY_ROOT


@pytest.mark.parametrize("size", sorted({**ROOTS, **MORE_ROOTS}))
def test_reference_roots(size: int) -> None:
    tree = ReferenceTree.from_entries(LEAVES)
    assert tree.root(size).hex() == {**ROOTS, **MORE_ROOTS}[size]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION_VECTORS)
def test_reference_inclusion_vectors(index: int, size: int, proof: list[str]) -> None:
    assert [h.hex() for h in ReferenceTree.from_entries(LEAVES).inclusion_proof(index, size)] == proof


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_reference_consistency_vectors(old: int, new: int, proof: list[str]) -> None:
    assert [h.hex() for h in ReferenceTree.from_entries(LEAVES).consistency_proof(old, new)] == proof


def test_reference_leaf_hash_has_domain_separation() -> None:
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert leaf_hash(b"") != hashlib.sha256(b"").digest()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=70))
def test_reference_roots_match_pymerkle(entries: list[bytes]) -> None:
    """An independent RFC 6962 implementation agrees with the reference on every prefix root."""
    from pymerkle import InmemoryTree

    theirs = InmemoryTree(algorithm="sha256")
    for e in entries:
        theirs.append_entry(e)
    ours = ReferenceTree.from_entries(entries)
    for size in range(1, len(entries) + 1):
        assert ours.root(size) == theirs.get_root(size)


def test_reference_inclusion_lengths_are_exact() -> None:
    tree = ReferenceTree.from_entries([bytes([i % 256, i // 256]) for i in range(300)])
    for size in range(1, 300):
        for index in range(size):
            assert len(tree.inclusion_proof(index, size)) == expected_inclusion_length(index, size)


def test_reference_rejects_impossible_requests() -> None:
    tree = ReferenceTree.from_entries(LEAVES)
    for index, size in [(0, 0), (3, 3), (-1, 2), (0, 9)]:
        with pytest.raises(ValueError):
            tree.inclusion_proof(index, size)
    for old, new in [(0, 3), (4, 3), (1, 9)]:
        with pytest.raises(ValueError):
            tree.consistency_proof(old, new)
