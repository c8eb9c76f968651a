"""Clips' layout prints kept between searches of the dailies (``editor.layout_prints``): a production's catalogue is
read for them once, not at every relight."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from editor.layout_prints import LayoutPrints
from editor.lighting import search
from editor.lighting.relight import Shot
from editor.lighting.search import SCAN, Dailies
from editor.lighting.smooth import N_PARAMS
from media import probe
from store.db import open_engine
from tests.editor._media import write_clip


@pytest.fixture
def kept(tmp_path: Path) -> LayoutPrints:
    store = LayoutPrints(open_engine(f"sqlite:///{tmp_path / 'prints.db'}"))
    store.create_schema()
    return store


def test_prints_round_trip_and_a_row_of_another_scan_is_not_read(kept: LayoutPrints) -> None:
    prints = np.random.default_rng(3).normal(size=(5, 384)).astype(np.float32)
    kept.put("a" * 64, SCAN, [0, 3, 6, 9, 11], prints)
    frames, back = kept.get("a" * 64, SCAN)  # type: ignore[misc]
    assert frames == [0, 3, 6, 9, 11] and np.array_equal(back, prints)
    assert kept.get("a" * 64, SCAN + 1) is None and kept.get("b" * 64, SCAN) is None
    kept.put("a" * 64, SCAN, [1], prints[:1])  # written again: replaced, not duplicated
    assert kept.get("a" * 64, SCAN)[0] == [1]  # type: ignore[index]


class _Counting:
    def __init__(self, store: LayoutPrints) -> None:
        self.store, self.gets, self.puts = store, 0, 0

    def get(self, content_hash: str, scan: int) -> tuple[list[int], np.ndarray] | None:
        self.gets += 1
        return self.store.get(content_hash, scan)

    def put(self, content_hash: str, scan: int, frames: list[int], prints: np.ndarray) -> None:
        self.puts += 1
        self.store.put(content_hash, scan, frames, prints)


def test_a_search_keeps_the_prints_it_read_and_the_next_reads_them_back(kept: LayoutPrints, tmp_path: Path) -> None:
    path = write_clip(tmp_path / "take.mp4", frames=30)
    clip = Shot(probe(path), hashlib.sha256(path.read_bytes()).hexdigest())
    store = _Counting(kept)
    target = np.full((96, 160, 3), 0.5, np.float32)
    px = np.full((10, 3), 0.5, np.float32)
    search._PRINTS.clear()
    search.find_original([target], Dailies([clip], store), np.zeros(N_PARAMS, np.float32), px)
    assert (store.gets, store.puts) == (1, 1)
    frames, prints = kept.get(clip.content_hash, SCAN)  # type: ignore[misc]
    assert len(frames) == SCAN and prints.shape == (SCAN, 384)
    search._PRINTS.clear()  # another process: its cache is empty, the table is not
    search.find_original([target], Dailies([clip], store), np.zeros(N_PARAMS, np.float32), px)
    assert (store.gets, store.puts) == (2, 1)
    assert np.array_equal(search._PRINTS[clip.content_hash][1], prints)
