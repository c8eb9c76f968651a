"""Signed, append-only, Merkle-proven transparency log (RFC 6962, C2SP notes, receipts, tlog-tiles).

Knows nothing of film.

Public API::

    ledger = Ledger(engine, key_dir); ledger.create_schema()
    log = ledger.create_log("cutproof.local/my-film")      # or ledger.open_log(origin)
    appended = log.append([{"kind": "consent.granted/1", ...}], identity="cli:alice")
    receipt = log.prove(appended[0].index)
    verify_receipt(receipt, log.entry(appended[0].index), log.verifier_keys())
"""

from ledger.export import ExportStats, export_tiles
from ledger.fsck import FsckResult, fsck
from ledger.log import Appended, Log
from ledger.receipt import VerifiedReceipt, verify_receipt
from ledger.registry import Ledger

__all__ = [
    "Appended",
    "ExportStats",
    "FsckResult",
    "Ledger",
    "Log",
    "VerifiedReceipt",
    "export_tiles",
    "fsck",
    "verify_receipt",
]
