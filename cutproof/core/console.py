"""The terminal the command line and the demo write to, and who a local (non-API) action is recorded as."""

from __future__ import annotations

from rich.console import Console

console = Console()
err_console = Console(stderr=True)


def local_identity() -> str:
    """The identity of actions taken on this machine (CLI, demo): ``cli:<user>@<host>``."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database entry
        user = "unknown"
    return f"cli:{user}@{socket.gethostname()}"
