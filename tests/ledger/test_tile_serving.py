"""The live tlog-tiles view served from the database equals the static export, path for path."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger import Ledger
from ledger.errors import IndexOutOfRangeError
from ledger.export import export_tiles, read_tile_path
from ledger.tiles import parse_tile_path
from store.db import open_engine


def test_served_paths_equal_the_export(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'l.db'}")
    ledger = Ledger(engine, tmp_path / "keys")
    ledger.create_schema()
    log = ledger.create_log("cutproof.test/tiles")
    log.append([{"kind": "t/1", "n": i} for i in range(700)], identity="t")
    export_tiles(log, tmp_path / "out")
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert len(files) > 5
    for f in files:
        rel = f.relative_to(tmp_path / "out").as_posix()
        assert read_tile_path(log, rel) == f.read_bytes(), rel
    for bad in (
        "tile/0/3",
        "tile/0/x000/001",
        "tile/0/000.p/256",
        "tile/9/x1/000",
        "../etc/passwd",
        "tile/0/002.p/200",
    ):
        with pytest.raises(IndexOutOfRangeError):
            read_tile_path(log, bad)


def test_parse_tile_path_round_trips() -> None:
    assert parse_tile_path("tile/entries/x001/x234/067.p/5") == (None, 1234067, 5)
    assert parse_tile_path("tile/1/000") == (1, 0, 256)
    with pytest.raises(ValueError):
        parse_tile_path("tile/0/x000/001")  # non-canonical group
