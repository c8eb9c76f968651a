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
