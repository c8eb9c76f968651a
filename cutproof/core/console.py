"""The terminal the command line and the demo write to (Rich consoles: loaded by the commands that print with them).

What they print is read as Rich markup: user and file text must be escaped (``cutproof.cli._common.esc``,
``rich.markup.escape``). Emoji codes (``:smile:``) are not replaced: the program prints none, and a name or a
reason that contains one must print as written.
"""

from __future__ import annotations

from rich.console import Console

console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)
