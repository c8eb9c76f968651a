"""Errors raised by the consent registry.

Every error of this package derives from ``ConsentError``; specific subclasses are added beside the code that
raises them and listed here. Messages say what was wrong and what to do about it.
"""

from __future__ import annotations


class ConsentError(Exception):
    """Base class of every error raised by the consent registry."""
