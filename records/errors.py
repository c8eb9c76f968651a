"""Errors raised when a ledger entry is read as a record.

    RecordError                 a ledger entry cannot be read as a Cutproof record
    ├── UnknownKindError        its kind is not one Cutproof writes (another tool's, or a newer Cutproof's)
    ├── UnknownVersionError     a kind Cutproof knows, at a version this release cannot read
    └── MalformedRecordError    a known kind and version whose payload does not have that version's shape

Each names the entry (its index when known) and the kind, and says what to do. An entry is never guessed at: a
reader that meets one of these stops and reports it.
"""

from __future__ import annotations


class RecordError(Exception):
    """Base class: a ledger entry cannot be read as a Cutproof record."""

    def __init__(self, message: str, *, index: int | None = None, kind: object = None) -> None:
        super().__init__(message)
        self.index = index
        self.kind = kind


def where(index: int | None) -> str:
    """``entry 12`` or ``the entry``."""
    return "the entry" if index is None else f"entry {index}"


class UnknownKindError(RecordError):
    """The entry's kind is not one Cutproof writes."""


class UnknownVersionError(RecordError):
    """A known kind at a version this release cannot read."""


class MalformedRecordError(RecordError):
    """A known kind and version whose payload does not match that version's shape."""
