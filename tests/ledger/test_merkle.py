"""RFC 6962 hashing and proofs against the reference roots and a naive recursive reference."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import ProofError
from ledger.merkle import (
    EMPTY_ROOT,
    Subtree,
    consistency_proof,
    inclusion_proof,
    inclusion_proof_length,
    leaf_hash,
    node_hash,
    root_of_leaf_hashes,
    subtrees_of_tree,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                      "606162636465666768696a6b6c6d6e6f"]]  # fmt: skip
REFERENCE_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def _mth(hashes: list[bytes]) -> bytes:
    return root_of_leaf_hashes(hashes)


def _naive_path(m: int, hs: list[bytes]) -> list[bytes]:
    n = len(hs)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*_naive_path(m, hs[:k]), _mth(hs[k:])]
    return [*_naive_path(m - k, hs[k:]), _mth(hs[:k])]


def _naive_subproof(m: int, hs: list[bytes], b: bool) -> list[bytes]:
    n = len(hs)
    if m == n:
        return [] if b else [_mth(hs)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*_naive_subproof(m, hs[:k], b), _mth(hs[k:])]
    return [*_naive_subproof(m - k, hs[k:], False), _mth(hs[:k])]


def _reader(hashes: list[bytes]):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def read(subtrees: list[Subtree]) -> list[bytes]:
        calls.append(len(subtrees))
        return [_mth(hashes[s.index << s.height : (s.index + 1) << s.height]) for s in subtrees]

    read.calls = calls  # type: ignore[attr-defined]
    return read


def test_reference_roots() -> None:
    hs = [leaf_hash(x) for x in LEAVES]
    assert EMPTY_ROOT.hex() == hashlib.sha256(b"").hexdigest()
    for size, root in REFERENCE_ROOTS.items():
        assert _mth(hs[:size]).hex() == root
        assert tree_hash(size, _reader(hs)).hex() == root


def test_subtrees_of_tree_cover_exactly() -> None:
    for n in range(1, 300):
        covered = 0
        for s in subtrees_of_tree(n):
            assert s.index << s.height == covered
            covered += 1 << s.height
        assert covered == n


def test_proofs_match_naive_reference_small() -> None:
    hs = [leaf_hash(bytes([i % 256, i // 256])) for i in range(70)]
    read = _reader(hs)
    for n in range(1, 70):
        root = _mth(hs[:n])
        for m in range(n):
            p = inclusion_proof(m, n, read)
            assert p == _naive_path(m, hs[:n])
            assert len(p) == inclusion_proof_length(m, n)
            verify_inclusion(hs[m], m, n, p, root)
        for m in range(1, n + 1):
            p = consistency_proof(m, n, read)
            assert p == _naive_subproof(m, hs[:n], True)
            verify_consistency(m, n, _mth(hs[:m]), root, p)


@given(st.integers(1, 5000), st.data())
def test_proofs_random_large(n: int, data: st.DataObject) -> None:
    hs = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(n)]
    read = _reader(hs)
    m = data.draw(st.integers(0, n - 1))
    p = inclusion_proof(m, n, read)
    verify_inclusion(hs[m], m, n, p, _mth(hs))
    assert len(read.calls) == 1  # type: ignore[attr-defined]  # one batched read
    old = data.draw(st.integers(1, n))
    c = consistency_proof(old, n, read)
    verify_consistency(old, n, _mth(hs[:old]), _mth(hs), c)


def test_tampering_fails() -> None:
    hs = [leaf_hash(bytes([i])) for i in range(13)]
    read = _reader(hs)
    root = _mth(hs)
    p = inclusion_proof(5, 13, read)
    for i in range(len(p)):
        bad = list(p)
        bad[i] = bytes([bad[i][0] ^ 1]) + bad[i][1:]
        with pytest.raises(ProofError):
            verify_inclusion(hs[5], 5, 13, bad, root)
    with pytest.raises(ProofError):
        verify_inclusion(hs[5], 6, 13, p, root)
    # (a size with the same path shape, e.g. 9..16, yields the same computation: the signed root binds the size)
    for wrong_size in (6, 8, 17, 32):
        with pytest.raises(ProofError):
            verify_inclusion(hs[5], 5, wrong_size, p, root)
    with pytest.raises(ProofError, match="needs"):
        verify_inclusion(hs[5], 5, 13, [*p, p[0]], root)
    with pytest.raises(ProofError, match="32 bytes"):
        verify_inclusion(hs[5], 5, 13, [p[0][:31], *p[1:]], root)
    with pytest.raises(ProofError):
        verify_inclusion(hs[5], 13, 13, p, root)
    c = consistency_proof(6, 13, read)
    for i in range(len(c)):
        bad = list(c)
        bad[i] = bytes([bad[i][0] ^ 0x80]) + bad[i][1:]
        with pytest.raises(ProofError):
            verify_consistency(6, 13, _mth(hs[:6]), root, bad)
    with pytest.raises(ProofError):
        verify_consistency(7, 13, _mth(hs[:6]), root, c)
    with pytest.raises(ProofError):
        verify_consistency(6, 17, _mth(hs[:6]), root, c)


def test_consistency_from_zero_and_equal_sizes() -> None:
    hs = [leaf_hash(bytes([i])) for i in range(5)]
    read = _reader(hs)
    assert consistency_proof(0, 5, read) == []
    verify_consistency(0, 5, EMPTY_ROOT, _mth(hs), [])
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 5, hs[0], _mth(hs), [])
    with pytest.raises(ProofError, match="must be empty"):
        verify_consistency(0, 5, EMPTY_ROOT, _mth(hs), [hs[0]])
    assert consistency_proof(5, 5, read) == []
    verify_consistency(5, 5, _mth(hs), _mth(hs), [])
    with pytest.raises(ProofError, match="different roots"):
        verify_consistency(5, 5, _mth(hs), _mth(hs[:4]), [])
    with pytest.raises(ProofError):
        consistency_proof(6, 5, read)
    assert node_hash(hs[0], hs[1]) == _mth(hs[:2])
