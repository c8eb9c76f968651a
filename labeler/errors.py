"""Errors raised by the labeler (watermark, C2PA, disclosure, verification).

Every error of this package derives from ``LabelerError``; specific subclasses are added beside the code that
raises them and listed here. Messages say what was wrong and what to do about it.
"""

from __future__ import annotations


class LabelerError(Exception):
    """Base class of every error raised by the labeler (watermark, C2PA, disclosure, verification)."""
