"""Errors raised by generic storage.

    StoreError
    ├── BlobNotFoundError       no content-addressed blob with that digest
    ├── BlobTooLargeError       an upload went past its size cap
    ├── BlobCorruptError        a stored blob's bytes no longer match its name (or the digest is malformed)
    └── SqlError                a statement failed on the database (``store.sql``); the driver's message follows
        ├── ConstraintError     a unique, primary-key or foreign-key constraint refused a write
        └── BusyError           the database was locked, or a deadlock or serialization failure ended the
                                transaction: retry the whole transaction

Messages say what was wrong and what to do about it.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every storage error."""


class BlobNotFoundError(StoreError):
    """No content-addressed blob with that digest."""


class BlobTooLargeError(StoreError):
    """An upload went past its size cap."""


class BlobCorruptError(StoreError):
    """A blob's bytes no longer match its name, or a digest is malformed."""


class SqlError(StoreError):
    """A statement failed on the database; the message is the driver's."""


class ConstraintError(SqlError):
    """A unique, primary-key or foreign-key constraint refused a write."""


class BusyError(SqlError):
    """The database was locked, or a deadlock or serialization failure ended the transaction: retry it whole."""
