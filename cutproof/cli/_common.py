"""Helpers shared by the CLI modules: the workspace from the global options, consoles, user errors.

The consoles (Rich) and ``cli_identity`` load on first use (PEP 562): the ledger's commands, and every ``--json``
output, write plain text and start without Rich; the short commands (``consent``, ``policy``, ``audit``,
``performer``, ``project``) print through ``cutproof.cli._plain``'s console, which reads the same markup.

The consoles read what they print as Rich markup: text that is not the program's own (names, reasons, ids, paths,
file contents, error messages) goes through ``esc`` first, so that it prints as written (``[/]`` would end in a
``MarkupError``, ``[bold]ma[/]ra`` would print as ``mara``). Emoji codes are never replaced (``emoji=False``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer

from cutproof.cli import _plain
from cutproof.core.workspace import Workspace

if TYPE_CHECKING:
    from cutproof.core.console import console, err_console
    from cutproof.core.identity import local_identity as cli_identity

__all__ = ["cli_identity", "console", "err_console", "esc", "ready_workspace", "workspace"]

_LAZY = {
    "console": ("cutproof.core.console", "console"),
    "err_console": ("cutproof.core.console", "err_console"),
    "cli_identity": ("cutproof.core.identity", "local_identity"),
}


def __getattr__(name: str) -> object:
    """``console``, ``err_console`` (``cutproof.core.console``) and ``cli_identity`` (``cutproof.core.identity``),
    imported on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _LAZY[name]
    return getattr(importlib.import_module(module), attribute)


def esc(value: object) -> str:
    """``str(value)`` with Rich markup escaped: printed through the consoles (or in a table cell) it shows as
    written. Use it for every value that is not the program's own words; text without ``[`` is returned unchanged.
    ``rich.markup.escape``'s rule, without loading Rich (``cutproof.cli._plain.esc``)."""
    return _plain.esc(value)


def workspace(ctx: typer.Context) -> Workspace:
    """The workspace selected by the global ``--home``/``--db`` options (not checked for initialisation)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, Workspace):  # pragma: no cover - the root callback always sets it
        raise RuntimeError("the cutproof root callback did not run")
    return obj


def ready_workspace(ctx: typer.Context) -> Workspace:
    """The selected workspace, which must have been initialised with ``cutproof init``."""
    return workspace(ctx).require()
