"""Errors raised by the policy packs and the evaluator.

Every error of this package derives from ``PolicyError``; specific subclasses are added beside the code that
raises them and listed here. Messages say what was wrong and what to do about it.
"""

from __future__ import annotations


class PolicyError(Exception):
    """Base class of every error raised by the policy packs and the evaluator."""
