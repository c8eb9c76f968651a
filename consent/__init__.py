"""Performer consent registry: performers, grants, revocations, suspensions, documents. Knows nothing of video.

registry = ConsentRegistry(workspace.database, workspace.blobs, log)   # log: the project's ledger.Log
alice = registry.register_performer(name="Alice Doe", kind="principal", guild="SAG-AFTRA", guild_id="123")
g = registry.grant(alice.performer_id, category="digital_alteration", edit_kinds=["eyeline"], ...)
registry.covering(alice.performer_id, "eyeline", "performance_change", shot="12A", at=t).verify()

``consent.clock`` is the public module of pure rules every part of Cutproof judges consent with: validity windows,
revocations, suspensions and lifts at a time (as known at a time), and capacity — who may sign for whom.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consent._reader import RegistryReader
    from consent._reconcile import ReconcileReport
    from consent._tables import create_schema, metadata
    from consent.coverage import CandidateGrant, ConsentEvent, Coverage, Proof
    from consent.errors import (
        AlreadyLiftedError,
        AlreadyRevokedError,
        ConsentError,
        DocumentError,
        DuplicatePerformerError,
        InvalidRecordError,
        RegistryIntegrityError,
        SignerError,
        UnknownGrantError,
        UnknownPerformerError,
        UnknownSuspensionError,
    )
    from consent.models import (
        EDIT_KINDS,
        KNOWN_PURPOSES,
        ConsentGrant,
        ConsentState,
        GrantCapacity,
        Performer,
        Representative,
        Suspension,
    )
    from consent.registry import ConsentRegistry

# The public names load on first use, so that importing one module of the package (``consent.errors``, which
# the application's CLI needs for its error tuple) loads neither SQLAlchemy nor pydantic.
_LAZY = {
    "consent._reader": ("RegistryReader",),
    "consent._reconcile": ("ReconcileReport",),
    "consent.coverage": ("CandidateGrant", "ConsentEvent", "Coverage", "Proof"),
    "consent.errors": (
        "AlreadyLiftedError",
        "AlreadyRevokedError",
        "ConsentError",
        "DocumentError",
        "DuplicatePerformerError",
        "InvalidRecordError",
        "RegistryIntegrityError",
        "SignerError",
        "UnknownGrantError",
        "UnknownPerformerError",
        "UnknownSuspensionError",
    ),
    "consent.models": (
        "EDIT_KINDS",
        "KNOWN_PURPOSES",
        "ConsentGrant",
        "ConsentState",
        "GrantCapacity",
        "Performer",
        "Representative",
        "Suspension",
    ),
    "consent.registry": ("ConsentRegistry",),
    "consent._tables": ("create_schema", "metadata"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "EDIT_KINDS",
    "KNOWN_PURPOSES",
    "AlreadyLiftedError",
    "AlreadyRevokedError",
    "CandidateGrant",
    "ConsentError",
    "ConsentEvent",
    "ConsentGrant",
    "ConsentRegistry",
    "ConsentState",
    "Coverage",
    "DocumentError",
    "DuplicatePerformerError",
    "GrantCapacity",
    "InvalidRecordError",
    "Performer",
    "Proof",
    "ReconcileReport",
    "RegistryIntegrityError",
    "RegistryReader",
    "Representative",
    "SignerError",
    "Suspension",
    "UnknownGrantError",
    "UnknownPerformerError",
    "UnknownSuspensionError",
    "create_schema",
    "metadata",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    if name == "clock":
        return importlib.import_module("consent.clock")
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
