"""The fixed values the golden samples are built from: one time and one 64-hex-digit hash per hex digit."""

from __future__ import annotations

from datetime import UTC, datetime

T = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
H = {c: c * 64 for c in "0123456789abcdef"}
