"""Who an action taken on this machine (the command line, the demo; not the API) is recorded as."""

from __future__ import annotations

import getpass
import socket


def local_identity() -> str:
    """The identity of actions taken on this machine (CLI, demo): ``cli:<user>@<host>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database entry
        user = "unknown"
    return f"cli:{user}@{socket.gethostname()}"
