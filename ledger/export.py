"""Export a log as a static c2sp.org/tlog-tiles directory that any tlog-tiles client can serve and verify.

Layout (for the latest checkpoint, size N)::

    DIR/checkpoint                      the signed checkpoint, verbatim
    DIR/tile/<L>/<N>[.p/<W>]            hash tiles, full ones and the partial right edge of every level
    DIR/tile/entries/<N>[.p/<W>]        entry bundles (uint16 big-endian length ‖ entry bytes, …)

The directory is built next to DIR and renamed into place, so a failed export leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ledger import storage as st
from ledger.checkpoint import Checkpoint, checkpoint_text_of
from ledger.errors import CorruptionError, IndexOutOfRangeError, LedgerError
from ledger.merkle import HASH_SIZE
from ledger.tiles import (
    TILE_HEIGHT,
    TILE_WIDTH,
    bundle_entries,
    entries_path,
    parse_tile_path,
    tile_path,
    tile_width,
)

if TYPE_CHECKING:
    from ledger.log import Log


@dataclass(frozen=True)
class ExportStats:
    """What an export wrote."""

    size: int
    tiles: int
    bundles: int


def export_tiles(log: Log, directory: Path | str) -> ExportStats:
    """Write the static tlog-tiles directory for the log's latest checkpoint.

    Raises:
        LedgerError: ``directory`` exists and is not empty, or it cannot be written.
        CorruptionError: a stored tile is shorter than the checkpoint requires.
    """
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise LedgerError(f"export directory {target} exists and is not empty; choose a new directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        stats = _write(log, tmp)
        if target.exists():
            target.rmdir()
        os.replace(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise LedgerError(f"cannot write export to {target}: {exc.strerror}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return stats


def _write(log: Log, root: Path) -> ExportStats:
    log_id = log._id
    with log._db.read() as sql:
        note = st.latest_checkpoint(sql, log_id)
        size = Checkpoint.parse(checkpoint_text_of(note)).size
        (root / "checkpoint").write_text(note)
        n_tiles = 0
        level = 0
        while size >> (TILE_HEIGHT * level):
            for idx, blob in st.level_tiles(sql, log_id, level):
                width = tile_width(level, int(idx), size)
                if width == 0:
                    continue  # grown after our checkpoint snapshot
                if len(blob) < width * HASH_SIZE:
                    raise CorruptionError(f"tile {tile_path(level, idx)} is shorter than {width} hashes")
                _put(root / tile_path(level, int(idx), width), bytes(blob[: width * HASH_SIZE]))
                n_tiles += 1
            level += 1
        n_bundles = 0
        for first in range(0, size, TILE_WIDTH):
            last = min(size, first + TILE_WIDTH)
            blobs = [data for _, data in st.entry_range(sql, log_id, first, last)]
            if len(blobs) != last - first:
                raise CorruptionError(f"entries {first}..{last - 1} are incomplete; run `cutproof ledger fsck`")
            _put(root / entries_path(first // TILE_WIDTH, last - first), bundle_entries(blobs))
            n_bundles += 1
    return ExportStats(size, n_tiles, n_bundles)


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def read_tile_path(log: Log, path: str) -> bytes:
    """Serve one path of the log's tlog-tiles view (``checkpoint``, a tile or an entry bundle) from the database,
    so a tlog-tiles client can audit the live log without an export.

    Raises:
        IndexOutOfRangeError: the path is malformed, or the tile is wider than the log has grown.
    """

    if path == "checkpoint":
        return log.checkpoint().encode()
    try:
        level, index, width = parse_tile_path(path)
    except ValueError as exc:
        raise IndexOutOfRangeError(str(exc)) from None
    log_id = log._id
    with log._db.read() as sql:
        note = st.latest_checkpoint(sql, log_id)
        size = Checkpoint.parse(checkpoint_text_of(note)).size
        if width > tile_width(level or 0, index, size):
            raise IndexOutOfRangeError(f"{path} is beyond the log's current size {size}")
        if level is not None:
            blob = st.tile(sql, log_id, level, index)
            if blob is None or len(blob) < width * HASH_SIZE:
                raise CorruptionError(f"tile {path} is missing or short; run `cutproof ledger fsck`")
            return bytes(blob[: width * HASH_SIZE])
        first = index * TILE_WIDTH
        blobs = [data for _, data in st.entry_range(sql, log_id, first, first + width)]
        if len(blobs) != width:
            raise CorruptionError(f"entries of {path} are incomplete; run `cutproof ledger fsck`")
        return bundle_entries(blobs)
