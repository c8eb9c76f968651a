"""The terminal the command line and the demo write to (Rich consoles: loaded by the commands that print with them)."""

from __future__ import annotations

from rich.console import Console

console = Console()
err_console = Console(stderr=True)
