"""Errors raised by the ledger.

    LedgerError
    ├── UnknownLogError         the origin names no log in this database
    ├── LogExistsError          a log with that origin already exists
    ├── EntryError              an entry is not acceptable (not a JSON object, too large, reserved key, ...)
    ├── IndexOutOfRangeError    an index or tree size beyond the log's current size
    ├── NoCheckpointError       no signed checkpoint was published at the requested tree size
    ├── ProofError              an inclusion or consistency proof does not verify
    ├── NoteError               a signed note or checkpoint is malformed or its signatures do not verify
    ├── ReceiptError            a c2sp.org/tlog-proof receipt is malformed or does not verify
    ├── SigningKeyError         a signing key is missing, unreadable or has unsafe permissions
    ├── ConflictError           another writer published a checkpoint first (compare-and-swap lost); retry
    └── CorruptionError         stored data does not match what it must hash to (found by fsck or a read)

Every message says what was wrong and what to do about it. Key material never appears in a message.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base class of every ledger error."""


class UnknownLogError(LedgerError):
    """The origin names no log in this database."""


class LogExistsError(LedgerError):
    """A log with that origin already exists."""


class EntryError(LedgerError):
    """An entry is not acceptable. ``position`` is its 0-based place in the submitted batch (if known)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class IndexOutOfRangeError(LedgerError):
    """An index or tree size beyond the log's current size."""


class NoCheckpointError(LedgerError):
    """No signed checkpoint was published at the requested tree size."""


class ProofError(LedgerError):
    """An inclusion or consistency proof does not verify."""


class NoteError(LedgerError):
    """A signed note or checkpoint is malformed or does not verify."""


class ReceiptError(LedgerError):
    """A c2sp.org/tlog-proof receipt is malformed or does not verify."""


class SigningKeyError(LedgerError):
    """A signing key is missing, unreadable or has unsafe permissions."""


class ConflictError(LedgerError):
    """Another writer published a checkpoint first; the batch was not written and may be retried."""


class CorruptionError(LedgerError):
    """Stored data does not match what it must hash to."""
