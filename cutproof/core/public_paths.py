"""No absolute server path in what a caller or a console user is shown: where the server keeps a file is not their
business (and tells an attacker the layout of the machine). Paths inside the workspace are shown as their file
name. Used by the API's answers and by the QC history the console shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any


def _pattern(home: Path) -> re.Pattern[str]:
    roots = {str(home), str(Path(home).resolve())}
    alternatives = "|".join(re.escape(r) for r in sorted(roots, key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})(?:/[^\s'\"(),;]*)?")


def scrub(value: Any, home: Path) -> Any:
    """``value`` (JSON-like) with every workspace path in its strings replaced by the file's name."""
    pattern = _pattern(home)

    def name(m: re.Match[str]) -> str:
        return Path(m.group(0)).name or "workspace"

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return pattern.sub(name, v)
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        return v

    return walk(value)
