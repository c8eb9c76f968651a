"""Signed, append-only, Merkle-proven transparency log (RFC 6962, C2SP notes, receipts, tlog-tiles).

Knows nothing of film.

Public API::

    ledger = Ledger(engine, key_dir); ledger.create_schema()
    log = ledger.create_log("cutproof.local/my-film")      # or ledger.open_log(origin)
    appended = log.append([{"kind": "consent.granted/1", ...}], identity="cli:alice")
    receipt = log.prove(appended[0].index)
    verify_receipt(receipt, log.entry(appended[0].index), log.verifier_keys())
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.export import ExportStats, export_tiles
    from ledger.fsck import FsckResult  # fsck itself: `from ledger.fsck import fsck` (keeps the module name free)
    from ledger.log import Appended, Log
    from ledger.receipt import VerifiedReceipt, verify_receipt
    from ledger.registry import Ledger

# The public names load on first use, so that importing one module of the package (``ledger.errors``) does
# not load SQLAlchemy.
_LAZY = {
    "ledger.export": ("ExportStats", "export_tiles"),
    "ledger.fsck": ("FsckResult",),
    "ledger.log": ("Appended", "Log"),
    "ledger.receipt": ("VerifiedReceipt", "verify_receipt"),
    "ledger.registry": ("Ledger",),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "Appended",
    "ExportStats",
    "FsckResult",
    "Ledger",
    "Log",
    "VerifiedReceipt",
    "export_tiles",
    "verify_receipt",
]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
