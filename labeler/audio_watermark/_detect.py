"""Detection of ``cutproof-awm/1`` in sample arrays: fold, synchronise, decode with soft decisions.

1. Mono downmix → 16 kHz → STFT at 4 sub-hop offsets (0, 64, 128, 192 samples: trimming can cut anywhere).
2. Per offset, the tile features (high-passed log energy) are folded modulo the block length: every block
   instance adds up coherently (soft-decision aggregation over the track).
3. The cyclic shift of the block is found by FFT cross-correlation of the fold with the sync pattern.
4. At the best ``SHIFT_CANDIDATES`` shifts per offset the per-bit soft values are decoded: BCH t = 12 + CRC-16
   on the hard bits, then Chase-style retries flipping subsets of the ``CHASE_BITS`` least reliable bits.
   That is at most 4 × 3 × 2^9 = 6,144 decoding attempts; each succeeds on unmarked audio with probability
   ≈ 2^-35.8 (BCH) × 2^-16 (CRC), so a false key has probability below 6,144 × 2^-51.8 ≈ 2^-39.2 per segment.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from labeler._payload import CODE_BITS, Decoded, decode_bits, encode_key
from labeler.audio_watermark._scheme import (
    BLOCK_FRAMES,
    CHIPS,
    HOP,
    OWNER,
    RATE,
    SYNC,
    Array,
    evidence,
    stft,
    tile_energy,
    to_rate,
)

OFFSETS = (0, HOP // 4, HOP // 2, 3 * HOP // 4)
SHIFT_CANDIDATES = 3
CHASE_BITS = 9
MAX_ATTEMPTS = len(OFFSETS) * SHIFT_CANDIDATES * 2**CHASE_BITS
_DATA = OWNER >= 0
_SYNC_FFT = np.conj(np.fft.fft(SYNC, axis=0))


@dataclass(frozen=True, slots=True)
class SampleDetection:
    """Result on a sample array.

    Attributes:
        key: the recovered key, or ``None``.
        confidence: for a key, the share of soft evidence agreeing with its codeword (0..1); 0 otherwise.
        bit_errors_corrected: hard-bit errors fixed (BCH plus Chase flips), ``None`` without a key.
        sync_score: z-score of the chosen block shift's sync correlation (about 0–3 on unmarked audio).
        seconds: seconds of audio examined.
        evidence_seconds: seconds of audible (non-silent) tiles, averaged over the band.
    """

    key: int | None
    confidence: float
    bit_errors_corrected: int | None
    sync_score: float
    seconds: float
    evidence_seconds: float


def _chase(soft: Array) -> tuple[Decoded, int] | None:
    hard = (soft > 0).astype(np.uint8)
    found = decode_bits(hard)
    if found is not None:
        return found, 0
    weakest = np.argsort(np.abs(soft))[:CHASE_BITS]
    for r in range(1, CHASE_BITS + 1):
        for flip in itertools.combinations(weakest, r):
            trial = hard.copy()
            trial[list(flip)] ^= 1
            found = decode_bits(trial)
            if found is not None:
                return found, r
    return None


def hypotheses(samples: Array, sample_rate: int) -> tuple[list[tuple[float, Array]], float, float]:
    """Alignment hypotheses, best sync first: (sync z-score, per-bit soft values); plus seconds and audible seconds.

    Raises:
        ValueError: bad sample rate or array shape.
    """
    if sample_rate <= 0:
        raise ValueError(f"sample rate must be positive, got {sample_rate}")
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim not in (1, 2) or x.size == 0:
        raise ValueError(f"expected samples as n or channels × n, got shape {x.shape}")
    mono = to_rate(x if x.ndim == 1 else x.mean(axis=0), sample_rate)
    found: list[tuple[float, Array]] = []
    audible = 0.0
    for offset in OFFSETS:
        spectra = stft(mono, offset)
        if spectra.shape[0] == 0:
            continue
        feats, weight = evidence(tile_energy(spectra))
        audible = max(audible, float(weight.mean()) * spectra.shape[0] * HOP / RATE)
        fold = np.zeros((BLOCK_FRAMES, feats.shape[1]))
        np.add.at(fold, np.arange(feats.shape[0]) % BLOCK_FRAMES, feats)
        corr = np.real(np.fft.ifft(_SYNC_FFT * np.fft.fft(fold, axis=0), axis=0)).sum(axis=1)
        z = (corr - corr.mean()) / (corr.std() + 1e-12)
        for shift in np.argsort(-corr)[:SHIFT_CANDIDATES]:
            aligned = np.roll(fold, -int(shift), axis=0) * CHIPS
            soft = np.bincount(OWNER[_DATA], weights=aligned[_DATA], minlength=CODE_BITS)
            found.append((float(z[shift]), soft))
    found.sort(key=lambda h: -h[0])
    return found, x.shape[-1] / sample_rate, audible


def detect_samples(samples: Array, sample_rate: int) -> SampleDetection:
    """Look for a ``cutproof-awm/1`` key in planar samples (channels × n, or n).

    Raises:
        ValueError: bad sample rate or array shape.
    """
    hyps, seconds, audible = hypotheses(samples, sample_rate)
    for z_score, soft in hyps:
        found = _chase(soft)
        if found is not None:
            decoded, flips = found
            signs = encode_key(decoded.key).astype(np.float64) * 2 - 1
            agree = float(np.sum(np.maximum(soft * signs, 0.0)) / max(np.sum(np.abs(soft)), 1e-12))
            return SampleDetection(decoded.key, agree, decoded.bit_errors_corrected + flips, z_score, seconds, audible)
    best = hyps[0][0] if hyps else 0.0
    return SampleDetection(None, 0.0, None, best, seconds, audible)
