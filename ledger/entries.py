"""Entries: validation and RFC 8785 canonical bytes.

An entry is a JSON object with a non-empty string ``kind`` (versioned, e.g. ``consent.granted/1``) plus payload.
The ledger adds the reserved top-level key ``"ledger": {"time": <RFC 3339 UTC>, "identity": <submitter>}`` and
stores the RFC 8785 (JCS) canonical UTF-8 bytes, at most 65,535 of them (the tlog-tiles entry-bundle limit).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import rfc8785

from ledger.errors import EntryError
from ledger.tiles import MAX_ENTRY_BYTES

RESERVED_KEY = "ledger"
KEY_ROTATED = "key.rotated/1"
LEDGER_KINDS = frozenset({KEY_ROTATED})
"""Entry kinds the ledger writes itself (everything else is its clients' business)."""
MAX_IDENTITY = 256
MAX_KIND = 128


def now_rfc3339() -> str:
    """The current UTC time as RFC 3339 with microseconds and a ``Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_identity(identity: str) -> None:
    """An identity is a non-empty printable string of at most 256 characters.

    Raises:
        EntryError: it is not.
    """
    if not isinstance(identity, str) or not identity or len(identity) > MAX_IDENTITY or not identity.isprintable():
        raise EntryError(f"identity must be a non-empty printable string of at most {MAX_IDENTITY} characters")


def check_entry(entry: Any, position: int | None = None) -> None:
    """Check the shape of one submitted entry (before the ledger stamps it).

    Raises:
        EntryError: not an object, no string ``kind``, or it carries the reserved ``ledger`` key.
    """
    where = "" if position is None else f"entry #{position}: "
    if not isinstance(entry, Mapping):
        raise EntryError(f"{where}an entry must be a JSON object, not {type(entry).__name__}", position)
    kind = entry.get("kind")
    if not isinstance(kind, str) or not kind or len(kind) > MAX_KIND or not kind.isprintable():
        raise EntryError(f'{where}an entry needs a "kind" string such as "consent.granted/1"', position)
    if RESERVED_KEY in entry:
        raise EntryError(f'{where}the top-level key "{RESERVED_KEY}" is reserved; the ledger adds it', position)
    for key in entry:
        if not isinstance(key, str):
            raise EntryError(f"{where}object keys must be strings", position)


def canonical_entry(entry: Mapping[str, Any], identity: str, time: str, position: int | None = None) -> bytes:
    """Stamp an entry with time and identity and return its RFC 8785 canonical bytes.

    Raises:
        EntryError: the entry is not acceptable or its canonical form exceeds 65,535 bytes.
    """
    check_entry(entry, position)
    where = "" if position is None else f"entry #{position}: "
    stamped = dict(entry)
    stamped[RESERVED_KEY] = {"time": time, "identity": identity}
    data = _fast_canonical(stamped)
    if data is None:
        try:
            data = rfc8785.dumps(stamped)
        except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as exc:
            raise EntryError(f"{where}not representable as canonical JSON ({exc})", position) from None
    if len(data) > MAX_ENTRY_BYTES:
        raise EntryError(
            f"{where}canonical form is {len(data)} bytes; the limit is {MAX_ENTRY_BYTES} (store large content as a "
            "blob and record its digest)",
            position,
        )
    return data


_MAX_SAFE_INT = 2**53 - 1
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False).encode


def _fast_canonical(obj: Any) -> bytes | None:
    """RFC 8785 bytes via the C JSON encoder when that is provably identical, else None.

    ``json`` with sorted keys, no ASCII escaping and compact separators emits exactly the JCS form for objects whose
    keys are all ASCII (so code-point order equals UTF-16 order), whose numbers are integers within ±(2^53-1) and
    whose strings are valid Unicode (same escapes: \\b \\f \\n \\r \\t, other controls as lowercase \\u00xx).
    Anything else (floats, big integers, non-ASCII keys, lone surrogates) goes to the ``rfc8785`` package.
    """
    stack: list[Any] = [obj]
    depth = 0
    while stack:
        v = stack.pop()
        t = type(v)
        if t is dict:
            depth += 1
            for k in v:
                if type(k) is not str or not k.isascii():
                    return None
            stack.extend(v.values())
        elif t is list:
            depth += 1
            stack.extend(v)
        elif t is int:
            if not -_MAX_SAFE_INT <= v <= _MAX_SAFE_INT:
                return None
        elif t is str or v is None or t is bool:
            continue
        else:
            return None
        if depth > 10_000:
            return None
    try:
        return _dumps(obj).encode("utf-8")
    except (UnicodeEncodeError, ValueError, RecursionError):
        return None


def canonical_batch(entries: Sequence[Mapping[str, Any]], identity: str, time: str | None = None) -> list[bytes]:
    """Canonical bytes of every entry in a batch, validating all of them first.

    Raises:
        EntryError: the first bad entry, with its position in the batch.
    """
    check_identity(identity)
    if isinstance(entries, Mapping | str | bytes):
        raise EntryError("append takes a list of entries, not a single entry")
    stamp = time or now_rfc3339()
    return [canonical_entry(e, identity, stamp, i) for i, e in enumerate(entries)]


def parse_entry(data: bytes) -> dict[str, Any]:
    """Stored entry bytes as a dict."""
    obj = json.loads(data)
    if not isinstance(obj, dict):  # pragma: no cover - only canonical objects are ever stored
        raise EntryError("stored entry is not a JSON object")
    return obj
