"""Inclusion and consistency proofs of ``ledger.merkle`` over tiles built by ``ledger.tiles`` versus the oracle.

The proofs are generated the way the store generates them (a hash reader over c2sp tlog-tiles, tiles grown by
``RightEdge.extend`` in random chunks) and compared hash for hash with the naive RFC 6962 recursion in
``tests.ledger.reference``: exhaustively for every (index, size) and (old, new) up to ``N_EXHAUSTIVE`` leaves (which
crosses the first tile boundary at 256), and for random pairs in a tree big enough to need level-2 tiles. Then the
verifiers must accept every one and reject every tampered variant.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.errors import CorruptionError, ProofError
from ledger.merkle import (
    EMPTY_ROOT,
    Subtree,
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from ledger.tiles import TILE_WIDTH, RightEdge, make_hash_reader
from tests.ledger.reference import ReferenceTree, expected_inclusion_length, leaf_hash

N_EXHAUSTIVE = 300
N_LARGE = 256 * 256 + 1000  # level-2 tiles exist from 65,536 leaves on

Reader = Callable[[Sequence[Subtree]], list[bytes]]


def _entries(n: int) -> list[bytes]:
    return [b"entry %d" % i for i in range(n)]


def _tile_reader(leaf_hashes: Sequence[bytes], chunks: Sequence[int] = ()) -> tuple[Reader, dict]:
    """Grow tiles with ``RightEdge.extend`` in the given chunk sizes (rest in one go); return a reader over them."""
    store: dict[tuple[int, int], bytes] = {}
    edge = RightEdge(0)
    pos = 0
    for c in [*chunks, len(leaf_hashes)]:
        part = leaf_hashes[pos : pos + c]
        if part:
            store.update(edge.extend(part))
        pos += len(part)
    assert edge.size == len(leaf_hashes)

    def fetch(keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return {k: store[k] for k in keys if k in store}

    return make_hash_reader(fetch), store


@pytest.fixture(scope="module")
def small() -> tuple[ReferenceTree, Reader, list[bytes]]:
    leaves = [leaf_hash(e) for e in _entries(N_EXHAUSTIVE)]
    # Odd chunk sizes so that partial tiles are rewritten many times, including across the 256 boundary.
    reader, _ = _tile_reader(leaves, [1, 2, 3, 61, 100, 88, 1, 1])
    return ReferenceTree(leaves), reader, leaves


@pytest.fixture(scope="module")
def large() -> tuple[ReferenceTree, Reader, list[bytes]]:
    leaves = [leaf_hash(e) for e in _entries(N_LARGE)]
    reader, store = _tile_reader(leaves, [300, 65_000, 235, 1])
    assert (2, 0) in store  # the tree really reaches level-2 tiles
    return ReferenceTree(leaves), reader, leaves


def test_tiles_hold_the_reference_hashes(small: tuple[ReferenceTree, Reader, list[bytes]]) -> None:
    ref, _, leaves = small
    _, store = _tile_reader(leaves)
    assert store[(0, 0)] == b"".join(leaves[:TILE_WIDTH])
    assert store[(0, 1)] == b"".join(leaves[TILE_WIDTH:])
    edge = RightEdge(0)
    for i, h in enumerate(leaves):
        edge.extend([h])
        assert edge.root() == ref.root(i + 1)


def _memory_reader(ref: ReferenceTree) -> Reader:
    """An in-memory hash reader answering every complete subtree from the reference recursion."""
    return lambda subtrees: [ref.mth(s.index << s.height, (s.index + 1) << s.height) for s in subtrees]


# Sizes around tile and power-of-two boundaries, where tile-backed reads change shape.
TILE_SIZES = [*range(1, 21), 127, 128, 129, 255, 256, 257, 299, 300]


def test_every_inclusion_proof_up_to_n_matches_reference(small: tuple[ReferenceTree, Reader, list[bytes]]) -> None:
    """All (index, size) with size <= N: proof logic via an in-memory reader; tile reads at boundary sizes."""
    ref, tile_reader, leaves = small
    memory_reader = _memory_reader(ref)
    for size in range(1, N_EXHAUSTIVE + 1):
        root = ref.root(size)
        readers = [memory_reader, tile_reader] if size in TILE_SIZES else [memory_reader]
        for index in range(size):
            expected = ref.inclusion_proof(index, size)
            for reader in readers:
                proof = inclusion_proof(index, size, reader)
                assert proof == expected, (index, size)
            assert len(proof) == expected_inclusion_length(index, size)
            verify_inclusion(leaves[index], index, size, proof, root)


def test_every_consistency_proof_up_to_n_matches_reference(small: tuple[ReferenceTree, Reader, list[bytes]]) -> None:
    ref, tile_reader, _ = small
    memory_reader = _memory_reader(ref)
    for new in range(1, N_EXHAUSTIVE + 1):
        new_root = ref.root(new)
        readers = [memory_reader, tile_reader] if new in TILE_SIZES else [memory_reader]
        for old in range(1, new + 1):
            expected = ref.consistency_proof(old, new)
            for reader in readers:
                proof = consistency_proof(old, new, reader)
                assert proof == expected, (old, new)
            verify_consistency(old, new, ref.root(old), new_root, proof)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_large_inclusion_matches_reference(
    large: tuple[ReferenceTree, Reader, list[bytes]], data: st.DataObject
) -> None:
    ref, reader, leaves = large
    size = data.draw(st.integers(1, N_LARGE))
    index = data.draw(st.integers(0, size - 1))
    proof = inclusion_proof(index, size, reader)
    assert proof == ref.inclusion_proof(index, size)
    verify_inclusion(leaves[index], index, size, proof, ref.root(size))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_large_consistency_matches_reference(
    large: tuple[ReferenceTree, Reader, list[bytes]], data: st.DataObject
) -> None:
    ref, reader, _ = large
    new = data.draw(st.integers(1, N_LARGE))
    old = data.draw(st.integers(1, new))
    proof = consistency_proof(old, new, reader)
    assert proof == ref.consistency_proof(old, new)
    verify_consistency(old, new, ref.root(old), ref.root(new), proof)


# -- tampering ---------------------------------------------------------------------------------------------------


def _flip(h: bytes, bit: int) -> bytes:
    b = bytearray(h)
    b[bit // 8] ^= 1 << (bit % 8)
    return bytes(b)


index_and_size = st.integers(1, N_EXHAUSTIVE).flatmap(lambda s: st.tuples(st.integers(0, s - 1), st.just(s)))
old_and_new = st.integers(2, N_EXHAUSTIVE).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n)))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=index_and_size, data=st.data())
def test_tampered_inclusion_fails(
    small: tuple[ReferenceTree, Reader, list[bytes]], pair: tuple[int, int], data: st.DataObject
) -> None:
    ref, reader, leaves = small
    index, size = pair
    proof = inclusion_proof(index, size, reader)
    root, leaf = ref.root(size), leaves[index]
    verify_inclusion(leaf, index, size, proof, root)

    if proof:  # any flipped bit in any proof hash
        i = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        bad = [*proof[:i], _flip(proof[i], bit), *proof[i + 1 :]]
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, bad, root)
        # a hash that is not 32 bytes
        short = [*proof[:i], proof[i][:31], *proof[i + 1 :]]
        long = [*proof[:i], proof[i] + b"\x00", *proof[i + 1 :]]
        for malformed in (short, long):
            with pytest.raises(ProofError):
                verify_inclusion(leaf, index, size, malformed, root)
        with pytest.raises(ProofError):  # truncated
            verify_inclusion(leaf, index, size, proof[:-1], root)
    with pytest.raises(ProofError):  # extended
        verify_inclusion(leaf, index, size, [*proof, hashlib.sha256(b"x").digest()], root)
    with pytest.raises(ProofError):  # flipped bit in the leaf or the root
        verify_inclusion(_flip(leaf, data.draw(st.integers(0, 255))), index, size, proof, root)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, _flip(root, data.draw(st.integers(0, 255))))
    with pytest.raises(ProofError):
        verify_inclusion(leaf[:31], index, size, proof, root)
    # wrong index, same leaf and root
    other = data.draw(st.integers(0, size))  # may equal size: out of range
    if other != index:
        with pytest.raises(ProofError):
            verify_inclusion(leaf, other, size, proof, root)
    # wrong size, with that size's true root (a checkpoint signs size and root together)
    wrong = data.draw(st.integers(1, N_EXHAUSTIVE))
    if wrong != size:
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, wrong, proof, ref.root(wrong))
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, 0, proof, EMPTY_ROOT)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=old_and_new, data=st.data())
def test_tampered_consistency_fails(
    small: tuple[ReferenceTree, Reader, list[bytes]], pair: tuple[int, int], data: st.DataObject
) -> None:
    ref, reader, _ = small
    old, new = pair
    proof = consistency_proof(old, new, reader)
    old_root, new_root = ref.root(old), ref.root(new)
    verify_consistency(old, new, old_root, new_root, proof)
    assert proof, "0 < old < new always needs a non-empty proof"

    i = data.draw(st.integers(0, len(proof) - 1))
    bad = [*proof[:i], _flip(proof[i], data.draw(st.integers(0, 255))), *proof[i + 1 :]]
    with pytest.raises(ProofError):
        verify_consistency(old, new, old_root, new_root, bad)
    for malformed in ([*proof[:i], proof[i][:31], *proof[i + 1 :]], [*proof[:i], proof[i] + b"\0", *proof[i + 1 :]]):
        with pytest.raises(ProofError):
            verify_consistency(old, new, old_root, new_root, malformed)
    with pytest.raises(ProofError):
        verify_consistency(old, new, old_root, new_root, proof[:-1])
    with pytest.raises(ProofError):
        verify_consistency(old, new, old_root, new_root, [*proof, new_root])
    with pytest.raises(ProofError):
        verify_consistency(old, new, _flip(old_root, data.draw(st.integers(0, 255))), new_root, proof)
    with pytest.raises(ProofError):
        verify_consistency(old, new, old_root, _flip(new_root, data.draw(st.integers(0, 255))), proof)
    with pytest.raises(ProofError):
        verify_consistency(old, new, new_root, old_root, proof)
    with pytest.raises(ProofError):
        verify_consistency(new, old, new_root, old_root, proof)
    # wrong sizes, each with its own true root
    wrong_old = data.draw(st.integers(1, new))
    if wrong_old != old:
        with pytest.raises(ProofError):
            verify_consistency(wrong_old, new, ref.root(wrong_old), new_root, proof)
    wrong_new = data.draw(st.integers(old, N_EXHAUSTIVE))
    if wrong_new != new:
        with pytest.raises(ProofError):
            verify_consistency(old, wrong_new, old_root, ref.root(wrong_new), proof)


def test_consistency_from_zero_and_equal_sizes(small: tuple[ReferenceTree, Reader, list[bytes]]) -> None:
    """The documented extension: size 0 is consistent with everything iff its root is SHA-256(""); m == m is empty."""
    ref, reader, _ = small
    for n in (1, 2, 255, 256, 257, N_EXHAUSTIVE):
        assert consistency_proof(0, n, reader) == []
        verify_consistency(0, n, EMPTY_ROOT, ref.root(n), [])
        with pytest.raises(ProofError):
            verify_consistency(0, n, ref.root(1), ref.root(n), [])
        with pytest.raises(ProofError):
            verify_consistency(0, n, EMPTY_ROOT, ref.root(n), [ref.root(1)])
        assert consistency_proof(n, n, reader) == []
        verify_consistency(n, n, ref.root(n), ref.root(n), [])
        with pytest.raises(ProofError):
            verify_consistency(n, n, ref.root(n), ref.root(n - 1) if n > 1 else EMPTY_ROOT, [])


def test_out_of_range_requests_are_refused(small: tuple[ReferenceTree, Reader, list[bytes]]) -> None:
    _, reader, _ = small
    for index, size in [(0, 0), (5, 5), (-1, 3)]:
        with pytest.raises(ProofError):
            inclusion_proof(index, size, reader)
    for old, new in [(5, 4), (-1, 3)]:
        with pytest.raises(ProofError):
            consistency_proof(old, new, reader)


def test_missing_tile_is_reported_as_corruption(small: tuple[ReferenceTree, Reader, list[bytes]]) -> None:
    _, _, leaves = small
    _, store = _tile_reader(leaves)
    store.pop((0, 0))
    reader = make_hash_reader(lambda keys: {k: store[k] for k in keys if k in store})
    with pytest.raises(CorruptionError):
        inclusion_proof(3, N_EXHAUSTIVE, reader)


def test_rfc6962_reference_roots_from_tiles_and_proofs() -> None:
    """The published RFC 6962 roots for the CT test leaves, from ``RightEdge`` grown one leaf at a time."""
    from tests.ledger.reference import reference_roots_vector

    entries, roots = reference_roots_vector()
    leaves = [leaf_hash(e) for e in entries]
    edge = RightEdge(0)
    for i, h in enumerate(leaves):
        edge.extend([h])
        if i + 1 in roots:
            assert edge.root().hex() == roots[i + 1]
    reader, _ = _tile_reader(leaves)
    ref = ReferenceTree(leaves)
    for size in range(1, 9):
        for index in range(size):
            assert inclusion_proof(index, size, reader) == ref.inclusion_proof(index, size)
        for old in range(1, size + 1):
            assert consistency_proof(old, size, reader) == ref.consistency_proof(old, size)
