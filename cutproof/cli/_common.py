"""Helpers shared by the CLI modules: the workspace from the global options, consoles, user errors."""

from __future__ import annotations

import typer

from cutproof.core.console import console, err_console
from cutproof.core.console import local_identity as cli_identity
from cutproof.core.workspace import Workspace

__all__ = ["cli_identity", "console", "err_console", "ready_workspace", "workspace"]


def workspace(ctx: typer.Context) -> Workspace:
    """The workspace selected by the global ``--home``/``--db`` options (not checked for initialisation)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, Workspace):  # pragma: no cover - the root callback always sets it
        raise RuntimeError("the cutproof root callback did not run")
    return obj


def ready_workspace(ctx: typer.Context) -> Workspace:
    """The selected workspace, which must have been initialised with ``cutproof init``."""
    return workspace(ctx).require()
