"""Performer consent registry: performers, grants, revocations, suspensions, documents. Knows nothing of video."""
