"""c2sp.org/tlog-tiles arithmetic: which tile holds which hash, tile paths, entry bundles, growing the right edge.

A tile is up to 256 hashes (8,192 bytes). Tile ``n`` at level ``L`` holds the hashes of the consecutive complete
subtrees of ``256**L`` leaves numbered ``256·n … 256·n+255``; level 0 holds leaf hashes. A subtree of height
``h = 8L + r`` (``0 ≤ r < 8``) is not stored directly: it is recomputed from the ``2**r`` adjacent hashes of the
level-``L`` tile row (at most 255 hash operations). Tiles are stored with their current width; a partial tile at
the right edge is rewritten with more hashes as the log grows, and its prefix never changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ledger._hashing import subtree_roots
from ledger.errors import CorruptionError
from ledger.merkle import EMPTY_ROOT, HASH_SIZE, Subtree, node_hash, reduce_complete

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes
TILE_BYTES = TILE_WIDTH * HASH_SIZE
MAX_ENTRY_BYTES = 0xFFFF  # entry bundles use a uint16 length prefix

TileKey = tuple[int, int]  # (level, index)
TileFetcher = Callable[[Sequence[TileKey]], Mapping[TileKey, bytes]]


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]`` as c2sp.org/tlog-tiles names it."""
    return f"tile/{level}/{encode_index(index)}" + ("" if width == TILE_WIDTH else f".p/{width}")


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]``: the entry bundle of leaves ``256·N …``."""
    return f"tile/entries/{encode_index(index)}" + ("" if width == TILE_WIDTH else f".p/{width}")


def encode_index(n: int) -> str:
    """Zero-padded 3-digit groups, all but the last prefixed ``x`` (1234067 → ``x001/x234/067``)."""
    if n < 0:
        raise ValueError("tile index must be non-negative")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


_TILE_PATH = re.compile(r"^tile/(entries|\d{1,2})/((?:x\d{3}/)*\d{3})(?:\.p/(\d{1,3}))?$")


def parse_tile_path(path: str) -> tuple[int | None, int, int]:
    """``(level, index, width)`` of a tlog-tiles path; level None for an entry bundle.

    Raises:
        ValueError: not a well-formed tile path (non-canonical groups, width outside 1..255, ...).
    """
    m = _TILE_PATH.match(path)
    if not m:
        raise ValueError(f"not a tlog-tiles path: {path!r}")
    kind, groups, width = m.groups()
    parts = groups.split("/")
    index = int("".join(p.removeprefix("x") for p in parts))
    w = TILE_WIDTH if width is None else int(width)
    if not 1 <= w <= TILE_WIDTH or (width is not None and w == TILE_WIDTH) or encode_index(index) != groups:
        raise ValueError(f"not a canonical tlog-tiles path: {path!r}")
    return (None if kind == "entries" else int(kind)), index, w


def tile_width(level: int, index: int, size: int) -> int:
    """Width of tile (level, index) in the tree of ``size`` leaves (0 if it does not exist yet)."""
    hashes_at_level = size >> (TILE_HEIGHT * level)
    return max(0, min(TILE_WIDTH, hashes_at_level - index * TILE_WIDTH))


def tiles_for_size(size: int) -> list[tuple[int, int, int]]:
    """Every tile ``(level, index, width)`` of the tree of ``size`` leaves, level by level."""
    out: list[tuple[int, int, int]] = []
    level = 0
    while (count := size >> (TILE_HEIGHT * level)) > 0:
        out.extend((level, i, tile_width(level, i, size)) for i in range((count + TILE_WIDTH - 1) // TILE_WIDTH))
        level += 1
    return out


def bundle_entries(entries: Iterable[bytes]) -> bytes:
    """An entry bundle: each entry prefixed with its length as a big-endian uint16."""
    parts: list[bytes] = []
    for e in entries:
        if len(e) > MAX_ENTRY_BYTES:
            raise ValueError(f"entry of {len(e)} bytes does not fit a bundle (max {MAX_ENTRY_BYTES})")
        parts.append(len(e).to_bytes(2, "big"))
        parts.append(e)
    return b"".join(parts)


def tile_key_for(subtree: Subtree) -> tuple[TileKey, int, int]:
    """Where a subtree hash lives: (tile key, first position in the tile, number of hashes to combine)."""
    level, r = divmod(subtree.height, TILE_HEIGHT)
    first = subtree.index << r  # index of the first level-L hash
    return (level, first >> TILE_HEIGHT), first & (TILE_WIDTH - 1), 1 << r


def make_hash_reader(fetch: TileFetcher) -> Callable[[Sequence[Subtree]], list[bytes]]:
    """A merkle.HashReader over stored tiles: one batched tile fetch per call, ≤ 255 hash ops per subtree."""

    def read(subtrees: Sequence[Subtree]) -> list[bytes]:
        places = [tile_key_for(s) for s in subtrees]
        tiles = fetch(sorted({key for key, _, _ in places}))
        out: list[bytes] = []
        for s, (key, pos, count) in zip(subtrees, places, strict=True):
            blob = tiles.get(key)
            end = (pos + count) * HASH_SIZE
            if blob is None or len(blob) < end:
                raise CorruptionError(
                    f"tile {tile_path(*key)} is missing or too short for subtree height {s.height} index {s.index}; "
                    "run `cutproof ledger fsck`"
                )
            run = blob[pos * HASH_SIZE : end]
            out.append(run if count == 1 else subtree_roots(run, count.bit_length() - 1))
        return out

    return read


@dataclass
class RightEdge:
    """The partial (rightmost) tile of every level for a tree size; enough to extend the tree and get its root."""

    size: int
    rows: list[list[bytes]] = field(default_factory=list)  # rows[L] = hashes of the partial tile at level L

    @classmethod
    def load(cls, size: int, fetch: TileFetcher) -> RightEdge:
        """Read the partial tiles of a tree of ``size`` leaves (one batched fetch).

        Raises:
            CorruptionError: a needed tile is missing or shorter than the size requires.
        """
        keys: list[TileKey] = []
        level = 0
        while size >> (TILE_HEIGHT * level):
            count = size >> (TILE_HEIGHT * level)
            if count % TILE_WIDTH:
                keys.append((level, count // TILE_WIDTH))
            level += 1
        tiles = fetch(keys) if keys else {}
        rows: list[list[bytes]] = [[] for _ in range(level)]
        for key in keys:
            lvl, idx = key
            width = tile_width(lvl, idx, size)
            blob = tiles.get(key)
            if blob is None or len(blob) < width * HASH_SIZE:
                raise CorruptionError(f"tile {tile_path(lvl, idx)} is missing or shorter than {width} hashes")
            rows[lvl] = [blob[i * HASH_SIZE : (i + 1) * HASH_SIZE] for i in range(width)]
        return cls(size, rows)

    def extend(self, leaf_hashes: Sequence[bytes]) -> dict[TileKey, bytes]:
        """Append leaf hashes; return every tile that changed (completed tiles and the new partial ones)."""
        touched: set[TileKey] = set()
        full: dict[TileKey, bytes] = {}
        rows = self.rows
        if not rows:
            rows.append([])
        pos, total = 0, len(leaf_hashes)
        while pos < total:
            row0 = rows[0]
            take = min(TILE_WIDTH - len(row0), total - pos)
            tile_index = self.size >> TILE_HEIGHT
            row0.extend(leaf_hashes[pos : pos + take])
            pos += take
            self.size += take
            touched.add((0, tile_index))
            if len(row0) < TILE_WIDTH:
                continue
            # A full tile completes a subtree of height 8(L+1); its root is the next level's next hash.
            level, tile, row = 0, tile_index, row0
            while len(row) == TILE_WIDTH:
                blob = full[(level, tile)] = b"".join(row)
                node = subtree_roots(blob, TILE_HEIGHT)
                rows[level] = []
                level += 1
                tile >>= TILE_HEIGHT
                if len(rows) == level:
                    rows.append([])
                row = rows[level]
                row.append(node)
                touched.add((level, tile))
        return {key: full[key] if key in full else b"".join(rows[key[0]]) for key in touched}

    def subtree_hashes(self) -> list[bytes]:
        """Hashes of the complete subtrees making up the tree, left to right (fold right to left for the root)."""
        out: list[bytes] = []
        for level in range(len(self.rows) - 1, -1, -1):
            row = self.rows[level]
            start = 0
            for bit in range(TILE_HEIGHT - 1, -1, -1):
                if len(row) >> bit & 1:
                    out.append(reduce_complete(row[start : start + (1 << bit)]))
                    start += 1 << bit
        return out

    def root(self) -> bytes:
        """MTH of the tree."""
        parts = self.subtree_hashes()
        if not parts:
            return EMPTY_ROOT
        h = parts[-1]
        for p in reversed(parts[:-1]):
            h = node_hash(p, h)
        return h
