"""Errors raised by the consent registry.

    ConsentError
    ├── InvalidRecordError          a performer, grant, revocation or suspension fails validation (field named)
    │   ├── SignerError             who signed does not fit the performer (representative not on file, signed
    │   │                           after death, union signing while a representative is identified, ...)
    │   └── DocumentError           the signed document is missing, empty, unreadable or too large
    ├── UnknownPerformerError       no performer with that id in this project's registry
    ├── UnknownGrantError           no grant with that id in this project's registry
    ├── UnknownSuspensionError      no suspension with that id in this project's registry
    ├── DuplicatePerformerError     a performer with the same guild id is already registered in this project
    ├── AlreadyRevokedError         the grant has already been revoked (a revocation is final)
    ├── AlreadyLiftedError          the suspension has already been lifted
    └── RegistryIntegrityError      registry rows and ledger entries disagree (run ``cutproof consent check``)

Every message says what was wrong and what to do about it. Invalid input raises before anything is written:
no ledger entry, no registry row, no stored document.
"""

from __future__ import annotations


class ConsentError(Exception):
    """Base class of every error raised by the consent registry."""


class InvalidRecordError(ConsentError):
    """A performer, grant, revocation or suspension fails validation."""


class SignerError(InvalidRecordError):
    """The signer of a consent does not fit the performer's status."""


class DocumentError(InvalidRecordError):
    """The signed document is missing, empty, unreadable or too large."""


class UnknownPerformerError(ConsentError):
    """No performer with that id in this project's registry."""


class UnknownGrantError(ConsentError):
    """No grant with that id in this project's registry."""


class UnknownSuspensionError(ConsentError):
    """No suspension with that id in this project's registry."""


class DuplicatePerformerError(ConsentError):
    """A performer with the same guild id is already registered in this project."""


class AlreadyRevokedError(ConsentError):
    """The grant has already been revoked."""


class AlreadyLiftedError(ConsentError):
    """The suspension has already been lifted."""


class RegistryIntegrityError(ConsentError):
    """Registry rows and ledger entries disagree."""
