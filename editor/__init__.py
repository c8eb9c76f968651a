"""Per-project editing engine: dailies, training manifests, models and edits on video.

Knows nothing of law or ledger.
"""
