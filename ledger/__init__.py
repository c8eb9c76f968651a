"""Signed, append-only, Merkle-proven transparency log (RFC 6962, C2SP checkpoints, receipts, tlog-tiles). Knows nothing of film."""
