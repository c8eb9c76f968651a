"""The HTTP API (FastAPI). ``create_app`` builds it; nothing is created at import time."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cutproof.api.app import create_app

# ``create_app`` loads on first use, so that importing a module of the API (e.g. the job pool) does not load
# FastAPI.
_LAZY = {
    "cutproof.api.app": ("create_app",),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = ["create_app"]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULE_OF[name]), name)
