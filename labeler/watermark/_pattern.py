"""The fixed geometry of the ``cutproof-wm/2`` pattern: chip grid, tile, pseudo-noise and chip→bit assignment.

The watermark lives on a *chip grid* anchored at the frame's top-left corner whose height is a fixed number of
chips, whatever the frame's resolution: ``CHIP_ROWS`` (96; 1080p: ~11 px per chip) for frames of at least
``SMALL_FRAME_ROWS`` lines, ``SMALL_CHIP_ROWS`` (64; 360p: ~5.6 px per chip) down to ``TINY_FRAME_ROWS`` lines and
``TINY_CHIP_ROWS`` (48; 288p: 6 px per chip) below, so small footage keeps chips large enough to survive a further
0.5× downscale and strong compression. A downscale leaves the grid where it was; the detector works on the 96-row
grid, where the 64- and 48-row layouts simply look like 1.5× and 2× zooms that it always tries (``LAYOUT_SCALES``).
The grid is tiled with a ``TILE``×``TILE``-chip tile; every tile carries the whole codeword, so a crop keeps
whole (cyclic) tiles. Inside a tile, ``SYNC_CHIPS`` chips carry a known synchronisation pattern (a signed pilot
for the shift search) and the rest carry the codeword bits, ``CHIPS_PER_BIT`` chips each, spread
pseudo-randomly and multiplied by a ±1 pseudo-noise.

Versions: ``cutproof-wm/1`` used the 64-row layout for every frame under 400 lines (and a lower default strength);
``cutproof-wm/2`` uses the 48-row layout under 300 lines. Everything else (codec, tile, PN, assignment) is shared,
so the detector reads both.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from labeler._payload import CODE_BITS
from labeler.watermark._types import Array

ALGORITHM_ID = "cutproof-wm/2"
READABLE_ALGORITHM_IDS = ("cutproof-wm/1", "cutproof-wm/2")  # the detector finds marks of both
CHIP_ROWS = 96  # chip-grid height of frames of SMALL_FRAME_ROWS lines or more (and of the detector's grid)
SMALL_CHIP_ROWS = 64  # chip-grid height of frames of TINY_FRAME_ROWS..SMALL_FRAME_ROWS lines (all smaller in /1)
TINY_CHIP_ROWS = 48  # chip-grid height of frames under TINY_FRAME_ROWS lines
SMALL_FRAME_ROWS = 400
TINY_FRAME_ROWS = 300
LAYOUT_SCALES = (1.0, CHIP_ROWS / SMALL_CHIP_ROWS, CHIP_ROWS / TINY_CHIP_ROWS)  # as the detector's grid sees them
TILE = 32  # tile side, in chips
CHIPS_PER_BIT = (TILE * TILE) // CODE_BITS  # 5
SYNC_CHIPS = TILE * TILE - CHIPS_PER_BIT * CODE_BITS  # 164
RENDER_PX = 4  # pixels per chip of the embedder's render grid (height CHIP_ROWS * RENDER_PX)
DET_PX = 2  # pixels per chip of the detector's grid (height CHIP_ROWS * DET_PX)
SYNC = -1  # bit index of a sync chip

_rng = np.random.default_rng(0xC07_9200F)
PN: Array = (_rng.integers(0, 2, (TILE, TILE)) * 2 - 1).astype(np.float32)
_perm = _rng.permutation(TILE * TILE)
_assign = np.full(TILE * TILE, SYNC, dtype=np.int32)
_assign[_perm[: CHIPS_PER_BIT * CODE_BITS]] = np.arange(CHIPS_PER_BIT * CODE_BITS) % CODE_BITS
BIT_OF_CHIP: Array = _assign.reshape(TILE, TILE)
IS_SYNC: Array = BIT_OF_CHIP == SYNC


def chip_tile(bits: Array, gains: Array | None = None) -> Array:
    """The tile of chip values for a codeword: ``PN × (+1 for sync, ±1 for bit 0/1) × gain of its bit``."""
    signs = 1.0 - 2.0 * bits.astype(np.float32)
    g = np.ones(CODE_BITS, np.float32) if gains is None else gains
    vals = np.where(IS_SYNC, np.float32(1.0), (signs * g)[np.maximum(BIT_OF_CHIP, 0)])
    return (PN * vals).astype(np.float32)


def chip_rows_for(height: int) -> int:
    """Chip-grid height used when embedding into frames of ``height`` lines."""
    if height >= SMALL_FRAME_ROWS:
        return CHIP_ROWS
    return SMALL_CHIP_ROWS if height >= TINY_FRAME_ROWS else TINY_CHIP_ROWS


def chip_grid_cols(width: int, height: int, rows: int = CHIP_ROWS) -> int:
    """Chip columns needed to cover a ``width``×``height`` frame with a ``rows``-row chip grid."""
    return int(np.ceil(width * rows / height)) + 1


def tiled(tile: Array, rows: int, cols: int) -> Array:
    """``tile`` repeated to ``rows``×``cols`` chips, anchored at the top-left corner."""
    reps = (-(-rows // TILE), -(-cols // TILE))
    return np.tile(tile, reps)[:rows, :cols]


def upsample(chips: Array, px: int) -> Array:
    """Render a chip grid at ``px`` pixels per chip with smooth (bicubic) interpolation."""
    h, w = chips.shape
    return cv2.resize(chips, (w * px, h * px), interpolation=cv2.INTER_CUBIC)


@lru_cache(maxsize=1)
def template_ffts() -> Array:
    """Conjugate spectra of each bit's chips (``CODE_BITS`` of them), then of the sync chips, as the detector sees
    them: one tile at ``DET_PX`` px per chip, PN where the chip belongs to the bit, 0 elsewhere."""
    n = TILE * DET_PX
    out = np.empty((CODE_BITS + 1, n, n // 2 + 1), np.complex64)
    owner = np.where(IS_SYNC, CODE_BITS, BIT_OF_CHIP)
    for b in range(CODE_BITS + 1):
        sel = np.where(owner == b, PN, 0.0).astype(np.float32)
        one = upsample(np.tile(sel, (3, 3)), DET_PX)[n : 2 * n, n : 2 * n]
        out[b] = np.conj(np.fft.rfft2(one))
    return out


@lru_cache(maxsize=16)
def frame_maps(rows: int, cols: int) -> tuple[Array, Array]:
    """For a chip grid of ``rows``×``cols``: the PN of every chip and its bit index (``CODE_BITS`` for sync)."""
    pn = tiled(PN, rows, cols)
    bit = tiled(np.where(IS_SYNC, CODE_BITS, BIT_OF_CHIP).astype(np.float32), rows, cols).astype(np.int32)
    return pn, bit


def chip_stats(chip_values: Array) -> Array:
    """Per-bit correlations (``CODE_BITS`` values, then the sync correlation) of a chip-value grid at zero shift."""
    pn, bit = frame_maps(*chip_values.shape)
    return np.bincount(bit.ravel(), weights=(pn * chip_values).ravel(), minlength=CODE_BITS + 1)
