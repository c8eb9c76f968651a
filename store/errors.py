"""Errors raised by generic storage.

    StoreError
    ├── BlobNotFoundError       no content-addressed blob with that digest
    ├── BlobTooLargeError       an upload went past its size cap
    └── BlobCorruptError        a stored blob's bytes no longer match its name (or the digest is malformed)

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
