"""Payload codec of the watermark: BCH(t=12) + CRC-16 round trips, corrections and rejections."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labeler._payload import BCH_T, CODE_BITS, MAX_KEY, decode_bits, encode_key
from labeler.watermark import InvalidKeyError, parse_key

keys = st.integers(min_value=0, max_value=MAX_KEY)


def test_layout() -> None:
    assert CODE_BITS == 172
    bits = encode_key(0)
    assert bits.shape == (CODE_BITS,)
    assert set(np.unique(bits)) <= {0, 1}
    assert 0.3 < bits.mean() < 0.7  # scrambled: even key 0 gives balanced bits


@given(key=keys)
def test_round_trip(key: int) -> None:
    decoded = decode_bits(encode_key(key))
    assert decoded is not None
    assert (decoded.key, decoded.bit_errors_corrected) == (key, 0)


@given(key=keys, data=st.data())
def test_up_to_t_errors_are_corrected(key: int, data: st.DataObject) -> None:
    n = data.draw(st.integers(min_value=1, max_value=BCH_T))
    positions = data.draw(st.lists(st.integers(0, CODE_BITS - 1), min_size=n, max_size=n, unique=True))
    bits = encode_key(key)
    bits[positions] ^= 1
    decoded = decode_bits(bits)
    assert decoded is not None
    assert (decoded.key, decoded.bit_errors_corrected) == (key, n)


@given(key=keys, seed=st.integers(0, 2**32 - 1))
def test_more_than_t_errors_never_give_a_wrong_key(key: int, seed: int) -> None:
    bits = encode_key(key)
    rng = np.random.default_rng(seed)
    bits[rng.choice(CODE_BITS, BCH_T + 1 + int(rng.integers(0, 20)), replace=False)] ^= 1
    decoded = decode_bits(bits)
    assert decoded is None or decoded.key == key  # rejected (or, astronomically rarely, still right)


@settings(max_examples=300)
@given(raw=st.binary(min_size=(CODE_BITS + 7) // 8, max_size=(CODE_BITS + 7) // 8))
def test_random_bit_strings_are_rejected(raw: bytes) -> None:
    bits = np.unpackbits(np.frombuffer(raw, np.uint8))[:CODE_BITS]
    assert decode_bits(bits) is None


def test_many_random_words_are_all_rejected() -> None:
    rng = np.random.default_rng(2026)
    accepted = sum(decode_bits(rng.integers(0, 2, CODE_BITS)) is not None for _ in range(20000))
    assert accepted == 0  # expected rate ≈ 2^-51.8 per word


def test_wrong_length_and_bad_keys() -> None:
    with pytest.raises(ValueError, match="expected 172 bits"):
        decode_bits(np.zeros(10, np.uint8))
    for bad in (-1, MAX_KEY + 1, 1.5, True):
        with pytest.raises(ValueError):
            encode_key(bad)  # type: ignore[arg-type]


def test_parse_key() -> None:
    assert parse_key("0123456789ABCDEF") == 0x0123456789ABCDEF
    assert parse_key("0x00000000000000ff") == 255
    for bad in ("", "123", "0123456789abcdeg", "0123456789abcdef0"):
        with pytest.raises(InvalidKeyError, match="16 hex digits"):
            parse_key(bad)
