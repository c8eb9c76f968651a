"""One canonical-bytes function (RFC 8785 JSON Canonicalization Scheme) and the SHA-256 over it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes of a JSON-compatible value (no floats needed here)."""
    return rfc8785.dumps(value)


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
