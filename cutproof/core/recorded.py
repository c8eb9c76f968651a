"""Reading the project's ledger as typed records: each entry with where and when it was recorded.

The one place the application turns stored entries into ``records`` models. Entries the ledger writes for itself
(``key.rotated/1``) are passed over; anything else that is not a record this release can read raises the
``records`` error that says so (an unknown kind or version is never guessed at).
"""

from __future__ import annotations

from collections.abc import Iterator, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from ledger import Log
from ledger.entries import LEDGER_KINDS, RESERVED_KEY, parse_entry
from records import AnyRecord, Record, parse_record

R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Recorded(Generic[R]):
    """A record as the ledger holds it: its index, the time and identity the ledger stamped on it."""

    index: int
    time: datetime
    identity: str
    record: R


def _recorded(index: int, data: bytes, names: Set[str] | None = None) -> Recorded[AnyRecord] | None:
    entry = parse_entry(data)
    kind = entry.get("kind")
    if kind in LEDGER_KINDS:
        return None
    if names is not None and isinstance(kind, str) and kind.partition("/")[0] not in names:
        return None
    stamp = entry.get(RESERVED_KEY) or {}
    time = datetime.fromisoformat(str(stamp.get("time", "")).replace("Z", "+00:00"))
    return Recorded(index, time, str(stamp.get("identity", "")), parse_record(entry, index=index))


def read(log: Log, index: int) -> Recorded[AnyRecord] | None:
    """Entry ``index`` as a record (None for the ledger's own entries).

    Raises:
        IndexOutOfRangeError: no such entry.
        RecordError: the entry is not a record this release can read (the message says which and why).
    """
    return _recorded(index, log.entry(index))


def scan(
    log: Log, start: int = 0, stop: int | None = None, *, names: Set[str] | None = None
) -> Iterator[Recorded[AnyRecord]]:
    """The records of entries ``start … stop-1`` (default: to the end), in order, the ledger's own left out;
    with ``names``, only those whose kind's name (``edit.applied`` of ``edit.applied/1``) is one of them: the
    others are passed over unread (a reader that uses a few kinds neither validates nor builds the models of the
    rest), while a kind of one of those names at a version this release cannot read is still reported.

    Raises:
        RecordError: an entry (of ``names``, when given) is not a record this release can read.
    """
    for index, data in log.entries(start, stop):
        found = _recorded(index, data, names)
        if found is not None:
            yield found
