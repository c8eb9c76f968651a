"""Helpers shared by the CLI modules: the workspace from the global options, consoles, user errors."""

from __future__ import annotations

import typer
from rich.console import Console

from cutproof.workspace import Workspace

console = Console()
err_console = Console(stderr=True)


def workspace(ctx: typer.Context) -> Workspace:
    """The workspace selected by the global ``--home``/``--db`` options (not checked for initialisation)."""
    obj = ctx.find_root().obj
    if not isinstance(obj, Workspace):  # pragma: no cover - the root callback always sets it
        raise RuntimeError("the cutproof root callback did not run")
    return obj


def ready_workspace(ctx: typer.Context) -> Workspace:
    """The selected workspace, which must have been initialised with ``cutproof init``."""
    return workspace(ctx).require()


def cli_identity() -> str:
    """The submitting identity of CLI actions: ``cli:<user>@<host>``."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database entry
        user = "unknown"
    return f"cli:{user}@{socket.gethostname()}"
