"""One canonical-bytes function (RFC 8785 JSON Canonicalization Scheme) and the SHA-256 over it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes of a JSON-compatible value.

    Values of only ASCII-keyed objects, lists, strings, safe integers, booleans and null take the fast path
    (``canonical_model_json``, byte-identical for them); anything else (floats, big integers, non-ASCII keys) goes
    through ``rfc8785``. A decision is hashed on every gate request, so this matters.
    """
    if _plain(value):
        try:
            return canonical_model_json(value)
        except (UnicodeEncodeError, ValueError, RecursionError):  # e.g. a lone surrogate: let rfc8785 decide
            pass
    return rfc8785.dumps(value)


_MAX_SAFE_INT = 2**53 - 1


def _plain(value: Any) -> bool:
    """True when ``value`` holds nothing the fast path could encode differently from RFC 8785."""
    stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            if not all(type(k) is str and k.isascii() for k in v):
                return False
            stack.extend(v.values())
        elif t is list:
            stack.extend(v)
        elif t is int:
            if not -_MAX_SAFE_INT <= v <= _MAX_SAFE_INT:
                return False
        elif not (t is str or v is None or t is bool):
            return False
    return True


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)


def canonical_model_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON of a pydantic ``model_dump(mode="json")`` without floats, by the fast path.

    For such values (ASCII keys from field names; strings, integers, booleans, null, lists, objects) the
    standard library's sorted, compact, non-ASCII-preserving encoding is byte-identical to RFC 8785: the same
    string escapes (``\\b \\t \\n \\f \\r``, ``\\u00xx`` for other controls), the same integer form, and
    code-point key order equals UTF-16 order for ASCII keys. ``tests/policies/test_hashing.py`` checks the
    equality against ``rfc8785`` on generated inputs. Values with floats go through ``canonical_json``.
    """
    return _ENCODER.encode(value).encode("utf-8")
