"""Signal layout of ``cutproof-awm/1``: analysis grid, tile layout, chips, and the shared DSP helpers.

Everything happens on a mono downmix resampled to 16 kHz (so 44.1 kHz, 48 kHz, stereo or mono give the same
grid): an STFT with 512-sample sqrt-Hann frames and a 256-sample hop (16 ms). The band 1–6 kHz is cut into
tiles of 4 bins (125 Hz) × 1 frame: 40 tiles per frame. ``BLOCK_FRAMES`` = 96 frames (1.536 s) make one
block of 3,840 tiles; 20 % of them carry a fixed sync pattern, the rest carry the 172 coded bits of the key
(``labeler._payload``: key + CRC-16, BCH t = 12, scrambled), ≈ 18 tiles per bit, spread over the
whole block by a fixed permutation. Blocks repeat over the whole track, indexed by the absolute frame number,
so any stretch of at least one block holds every tile at least once (in some cyclic order the detector finds).
The layout is public and key-independent: the payload *is* the key.

A tile is marked by scaling the STFT magnitude of its bins by ``1 + a·w`` (``w`` = ±1 chip × bit sign, phase
kept): the mark is shaped by the host spectrum itself (per-tile energy masking) and vanishes in silence.
"""

from __future__ import annotations

from math import gcd
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.ndimage import uniform_filter
from scipy.signal import resample_poly

from labeler._payload import CODE_BITS

Array = npt.NDArray[Any]

ALGORITHM_ID = "cutproof-awm/1"
RATE = 16_000
N_FFT = 512
HOP = 256
BIN_HZ = RATE / N_FFT  # 31.25 Hz
BAND_HZ = (1000.0, 6000.0)
BINS_PER_TILE = 4
BIN0 = round(BAND_HZ[0] / BIN_HZ)  # 32
TILES = round((BAND_HZ[1] - BAND_HZ[0]) / BIN_HZ) // BINS_PER_TILE  # 40 per frame
BAND_BINS = TILES * BINS_PER_TILE
BLOCK_FRAMES = 96
BLOCK_SECONDS = BLOCK_FRAMES * HOP / RATE  # 1.536 s
SYNC_SHARE = 0.2
_SEED = 0xA0D10_0001
# Tiles quieter than this (relative to the loudest frame's band energy) carry no evidence: ignored by the
# detector and by the informed embedding's bookkeeping.
QUIET_DB = -60.0
# High-passed log energies are clipped to ±FEATURE_CLIP (nats) before correlation: the host's heavy tails (onsets,
# strong harmonics) then weigh no more than a typical tile, while the mark (≈ ±0.3) passes unchanged.
FEATURE_CLIP = 1.0


def _layout() -> tuple[Array, Array]:
    rng = np.random.default_rng(_SEED)
    chips = rng.choice(np.array([-1.0, 1.0]), size=(BLOCK_FRAMES, TILES))
    order = rng.permutation(BLOCK_FRAMES * TILES)
    n_sync = round(order.size * SYNC_SHARE)
    owner = np.empty(order.size, np.int64)
    owner[order[:n_sync]] = -1
    owner[order[n_sync:]] = np.arange(order.size - n_sync) % CODE_BITS
    return chips, owner.reshape(BLOCK_FRAMES, TILES)


CHIPS, OWNER = _layout()  # BLOCK_FRAMES × TILES: chip ±1, and the code bit a tile carries (-1 = sync)
IS_SYNC = OWNER < 0
SYNC = np.where(IS_SYNC, CHIPS, 0.0)
_WINDOW = np.sqrt(np.hanning(N_FFT + 1)[:-1])  # periodic sqrt-Hann: analysis × synthesis sums to 1 at 50 %


def tile_signs(code_bits: Array) -> Array:
    """Per-tile sign ``w`` (BLOCK_FRAMES × TILES) for a codeword: chip × (±1 bit) on data tiles, chip on sync."""
    signs = np.asarray(code_bits, dtype=np.float64) * 2.0 - 1.0
    return np.where(IS_SYNC, CHIPS, CHIPS * signs[np.maximum(OWNER, 0)])


def rate_units(sr: int) -> tuple[int, int]:
    """(source samples, 16 kHz samples) of the smallest span that both grids divide exactly."""
    g = gcd(int(sr), RATE)
    return sr // g, RATE // g


def to_rate(x: Array, sr: int) -> Array:
    """Resample the last axis from ``sr`` to 16 kHz (polyphase, exact for rational ratios)."""
    if sr == RATE:
        return np.asarray(x, dtype=np.float64)
    src, dst = rate_units(sr)
    return np.asarray(resample_poly(x, dst, src, axis=-1), dtype=np.float64)


def from_rate(x: Array, sr: int) -> Array:
    """Resample the last axis from 16 kHz back to ``sr``."""
    if sr == RATE:
        return np.asarray(x, dtype=np.float64)
    src, dst = rate_units(sr)
    return np.asarray(resample_poly(x, src, dst, axis=-1), dtype=np.float64)


def stft(x: Array, offset: int = 0) -> Array:
    """Frames of ``x`` (16 kHz mono) starting at ``offset + i·HOP``: complex spectra, frames × (N_FFT/2 + 1)."""
    n = (x.size - offset - N_FFT) // HOP + 1
    if n <= 0:
        return np.zeros((0, N_FFT // 2 + 1), np.complex128)
    idx = offset + np.arange(n)[:, None] * HOP + np.arange(N_FFT)[None, :]
    return np.fft.rfft(x[idx] * _WINDOW, axis=1)


def overlap_add(spectra: Array, length: int) -> Array:
    """Inverse of ``stft`` (offset 0) by windowed overlap-add into a signal of ``length`` samples."""
    frames = np.fft.irfft(spectra, n=N_FFT, axis=1) * _WINDOW
    out = np.zeros(max(length, frames.shape[0] * HOP + N_FFT))
    for half in (0, 1):  # 50 % overlap: even frames never overlap each other, nor do odd ones
        sel = frames[half::2]
        if sel.size:
            starts = (np.arange(sel.shape[0]) * 2 + half) * HOP
            view = out[: starts[-1] + N_FFT]
            idx = starts[:, None] + np.arange(N_FFT)[None, :]
            view[idx] += sel
    return out[:length]


def tile_energy(spectra: Array) -> Array:
    """Band energy per tile: frames × TILES."""
    band = np.abs(spectra[:, BIN0 : BIN0 + BAND_BINS]) ** 2
    return band.reshape(band.shape[0], TILES, BINS_PER_TILE).sum(axis=2)


def evidence(energy: Array, loudest: float | None = None) -> tuple[Array, Array]:
    """Detector features of tile energies: high-passed log energy and a 0/1 weight (audible tiles only).

    The log energy minus its 3×3 (time × frequency) neighbourhood mean removes the host's spectral envelope
    and any gain change; it is clipped to ±``FEATURE_CLIP``; tiles more than ``QUIET_DB`` below the loudest frame
    carry no evidence.
    """
    log_e = np.log(energy + 1e-12)
    high = np.clip(log_e - uniform_filter(log_e, size=(3, 3), mode="nearest"), -FEATURE_CLIP, FEATURE_CLIP)
    frame_e = energy.sum(axis=1)
    top = float(frame_e.max()) if loudest is None else loudest
    weight = (log_e > np.log(top + 1e-20) + QUIET_DB / 10 * np.log(10)).astype(np.float64)
    return high * weight, weight
