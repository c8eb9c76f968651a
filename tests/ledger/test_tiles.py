"""Growing the tile tree in arbitrary batches gives the same tiles and roots as building it at once."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.merkle import inclusion_proof, root_of_leaf_hashes, verify_inclusion
from ledger.tiles import TILE_WIDTH, RightEdge, make_hash_reader, tiles_for_size


@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(1, 600), min_size=1, max_size=6), st.data())
def test_batched_extension_matches_reference(batches: list[int], data: st.DataObject) -> None:
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(sum(batches))]
    store: dict[tuple[int, int], bytes] = {}
    size = 0
    for n in batches:
        edge = RightEdge.load(size, lambda keys: {k: store[k] for k in keys})
        store.update(edge.extend(leaves[size : size + n]))
        size += n
        assert edge.size == size
        assert edge.root() == root_of_leaf_hashes(leaves[:size])
    assert sorted(store) == sorted((lvl, idx) for lvl, idx, _ in tiles_for_size(size))
    for (level, idx), blob in store.items():
        if level == 0:
            assert blob == b"".join(leaves[idx * TILE_WIDTH : (idx + 1) * TILE_WIDTH])
    reader = make_hash_reader(lambda keys: {k: store[k] for k in keys})
    i = data.draw(st.integers(0, size - 1))
    verify_inclusion(leaves[i], i, size, inclusion_proof(i, size, reader), root_of_leaf_hashes(leaves))
