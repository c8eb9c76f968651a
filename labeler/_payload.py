"""Payload codec of both marks: a 64-bit key ⇄ a scrambled, error-corrected bit string (video ``cutproof-wm/1`` and
``/2``, audio ``cutproof-awm/1``). It sits below ``labeler.watermark`` and ``labeler.audio_watermark`` so that
neither imports the other for it.

Layout: ``key`` (8 bytes, big-endian) ‖ CRC-16/CCITT of the key (2 bytes) = 80 data bits, protected by a binary BCH
code over GF(2^8) correcting ``t = 12`` bit errors (92 parity bits), i.e. a 172-bit codeword. The codeword is XORed
with a fixed pseudo-random scramble so every key (even 0) gives balanced bits.

A random 172-bit string decodes to *some* codeword within 12 errors with probability ≈ 2^-35.8 and then passes the
CRC with probability 2^-16, so an unmarked video yields a false key with probability ≈ 2^-51.8 per decoding attempt.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from typing import Any

import bchlib
import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]

BCH_T = 12
BCH_M = 8
KEY_BITS = 64
_DATA_BYTES = 10  # key (8) + CRC-16 (2)
_BCH = bchlib.BCH(BCH_T, m=BCH_M)
ECC_BITS: int = _BCH.ecc_bits
DATA_BITS = _DATA_BYTES * 8
CODE_BITS: int = DATA_BITS + ECC_BITS
_SCRAMBLE = np.random.default_rng(0x5EED_C0DE).integers(0, 2, CODE_BITS, dtype=np.uint8)
MAX_KEY = (1 << KEY_BITS) - 1


@dataclass(frozen=True, slots=True)
class Decoded:
    """A key recovered from hard bits: the key and how many bit errors BCH corrected."""

    key: int
    bit_errors_corrected: int


def _crc(key_bytes: bytes) -> bytes:
    return binascii.crc_hqx(key_bytes, 0xFFFF).to_bytes(2, "big")


def check_key(key: int) -> int:
    """Return ``key`` if it is an int in [0, 2^64); raise ``ValueError`` otherwise."""
    if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= MAX_KEY:
        raise ValueError(f"watermark key must be an integer in [0, 2^64), got {key!r}")
    return key


def encode_key(key: int) -> Array:
    """The scrambled codeword bits (``CODE_BITS`` values in {0, 1}) that carry ``key``.

    Raises:
        ValueError: ``key`` is not an integer in [0, 2^64).
    """
    kb = check_key(key).to_bytes(8, "big")
    data = kb + _crc(kb)
    ecc = _BCH.encode(data)
    bits = np.concatenate(
        [np.unpackbits(np.frombuffer(data, np.uint8)), np.unpackbits(np.frombuffer(ecc, np.uint8))[:ECC_BITS]]
    )
    return bits ^ _SCRAMBLE


def decode_soft(soft: Array, chase_bits: int = 0) -> Decoded | None:
    """Recover the key from ``CODE_BITS`` soft values (negative = bit 1): the hard decision first, then (Chase-II)
    the hard word with each non-empty subset of the ``chase_bits`` least reliable bits flipped, fewest flips first.

    Every word tried is one full BCH + CRC acceptance test, so the false-key probability grows with the number of
    tries (``2^chase_bits``), never with a looser test. ``bit_errors_corrected`` is the distance between the hard
    decision and the accepted codeword.

    Raises:
        ValueError: ``soft`` does not hold ``CODE_BITS`` values or ``chase_bits`` is not in [0, 16].
    """
    s: Array = np.asarray(soft, dtype=np.float64).reshape(-1)
    if s.size != CODE_BITS:
        raise ValueError(f"expected {CODE_BITS} soft values, got {s.size}")
    if not 0 <= chase_bits <= 16:
        raise ValueError(f"chase_bits must be in [0, 16], got {chase_bits}")
    hard = (s < 0).astype(np.uint8)
    weakest = np.argsort(np.abs(s), kind="stable")[:chase_bits]
    for mask in sorted(range(1 << chase_bits), key=lambda m: (m.bit_count(), m)):
        word = hard.copy()
        flips = [int(weakest[i]) for i in range(chase_bits) if mask >> i & 1]
        word[flips] ^= 1
        got = decode_bits(word)
        if got is not None:
            return Decoded(got.key, int(np.sum(encode_key(got.key) != hard)))
    return None


def decode_bits(bits: Array) -> Decoded | None:
    """Recover the key from ``CODE_BITS`` hard bits, or ``None`` when BCH fails or the CRC does not match."""
    raw: Array = np.asarray(bits, dtype=np.uint8).reshape(-1)
    if raw.size != CODE_BITS:
        raise ValueError(f"expected {CODE_BITS} bits, got {raw.size}")
    arr: Array = (raw & 1) ^ _SCRAMBLE
    data = bytearray(np.packbits(arr[:DATA_BITS]).tobytes())
    ecc = bytearray(np.packbits(arr[DATA_BITS:]).tobytes())  # packbits pads the last byte with zeros
    nerr = _BCH.decode(data, ecc)
    if nerr < 0:
        return None
    if nerr:
        _BCH.correct(data, ecc)
    kb, crc = bytes(data[:8]), bytes(data[8:])
    if _crc(kb) != crc:
        return None
    return Decoded(int.from_bytes(kb, "big"), nerr)
