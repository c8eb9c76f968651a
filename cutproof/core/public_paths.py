"""No absolute server path in what a caller or a console user is shown: where the server keeps a file is not their
business (and tells an attacker the layout of the machine). A path is shown as its file name: a path inside the
workspace, and any other absolute path of two segments or more (a camera file ingested from a folder outside the
workspace: a render's error names it). The console's and the API's own URL paths (``/console/…``, ``/api/…``) are
left as they are. Used by the API's answers, the console's job errors and the QC history it shows."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _pattern(home: Path) -> re.Pattern[str]:
    roots = {str(home), str(Path(home).resolve())}
    alternatives = "|".join(re.escape(r) for r in sorted(roots, key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})(?:/[^\s'\"(),;]*)?")


_ABSOLUTE = re.compile(r"(?<![\w.:/~-])/(?!(?:api|console)/)(?:[^\s/'\"(),;]+/)+[^\s/'\"(),;]*")
"""An absolute path of two segments or more, not inside a word or a URL (``https://host/a/b``: after the host)."""


def scrub(value: Any, home: Path) -> Any:
    """``value`` (JSON-like) with every workspace path, and every other absolute path, in its strings replaced by
    the file's name."""
    pattern = _pattern(home)
    workspace, folder = _named("workspace"), _named("folder")

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return _ABSOLUTE.sub(folder, pattern.sub(workspace, v))
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        return v

    return walk(value)


def _named(bare: str) -> Callable[[re.Match[str]], str]:
    """A replacement: the matched path's file name, or ``bare`` for a path that has none (the root itself)."""
    return lambda m: Path(m.group(0)).name or bare
