"""Signed, append-only, Merkle-proven transparency log.

RFC 6962 Merkle tree, C2SP checkpoints and receipts, tlog-tiles storage. Knows nothing of film.
"""
