"""Bulk hashing: the C accelerator and the pure-Python reference agree with RFC 6962 and with each other."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import _hashing
from ledger.merkle import leaf_hash, root_of_leaf_hashes

IMPLEMENTATIONS = [("python", _hashing.py_leaf_hashes, _hashing.py_subtree_roots)]
if _hashing.ACCELERATED:
    from ledger import _chash

    IMPLEMENTATIONS.append(("c", _chash.leaf_hashes, _chash.subtree_roots))


@pytest.mark.parametrize(("name", "leaves", "roots"), IMPLEMENTATIONS, ids=[i[0] for i in IMPLEMENTATIONS])
@given(datas=st.lists(st.binary(max_size=300), max_size=40))
def test_leaf_hashes_are_rfc6962_leaf_hashes(name: str, leaves, roots, datas: list[bytes]) -> None:
    assert leaves(datas) == b"".join(leaf_hash(d) for d in datas)


@pytest.mark.parametrize(("name", "leaves", "roots"), IMPLEMENTATIONS, ids=[i[0] for i in IMPLEMENTATIONS])
@given(hashes=st.lists(st.binary(min_size=32, max_size=32), min_size=0, max_size=70), height=st.integers(0, 6))
def test_subtree_roots_are_the_mth_of_each_complete_run(name: str, leaves, roots, hashes, height) -> None:
    width = 1 << height
    want = b"".join(root_of_leaf_hashes(hashes[i : i + width]) for i in range(0, len(hashes) - width + 1, width))
    assert roots(b"".join(hashes), height) == want


@pytest.mark.parametrize(("name", "leaves", "roots"), IMPLEMENTATIONS, ids=[i[0] for i in IMPLEMENTATIONS])
def test_bad_input_is_refused(name: str, leaves, roots) -> None:
    with pytest.raises(ValueError, match="whole 32-byte hashes"):
        roots(b"\x00" * 33, 1)
    with pytest.raises(ValueError, match="whole 32-byte hashes"):
        roots(b"\x00" * 64, -1)
    with pytest.raises(TypeError):
        leaves([b"ok", "not bytes"])


def test_a_full_tile_root_matches_hashlib() -> None:
    hashes = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(256)]
    assert _hashing.subtree_roots(b"".join(hashes), 8) == root_of_leaf_hashes(hashes)


@pytest.mark.skipif(not _hashing.ACCELERATED, reason="ledger._chash was not built (no C compiler/OpenSSL headers)")
def test_accelerator_handles_large_batches_like_the_reference() -> None:
    datas = [i.to_bytes(3, "big") * (i % 97) for i in range(20_000)]
    assert _hashing.leaf_hashes(datas) == _hashing.py_leaf_hashes(datas)
    row = _hashing.leaf_hashes(datas[: 1 << 14])
    assert _hashing.subtree_roots(row, 8) == _hashing.py_subtree_roots(row, 8)


@pytest.mark.parametrize(("name", "leaves", "roots"), IMPLEMENTATIONS, ids=[i[0] for i in IMPLEMENTATIONS])
def test_leaf_hashes_take_database_rows_as_they_come(name: str, leaves, roots) -> None:
    datas = [b"", b"a", b"x" * 300]
    assert leaves([(d,) for d in datas]) == leaves(datas) == b"".join(leaf_hash(d) for d in datas)
    with pytest.raises(TypeError, match="item 1"):
        leaves([(b"ok",), ("text",)])
