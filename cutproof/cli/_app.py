"""Every command group of the CLI is made here (``command_group``), so that all of them format help and usage
errors the same way: click's plain text, not Rich's panels. Rich's help formatter loads a Markdown parser and
renders boxes, about a quarter of a second of every ``--help`` and usage error on a small machine
(``bench/cli.py``), in a CLI that auditors script; command output that is a table still uses Rich.
"""

from __future__ import annotations

from typing import Any

import typer


def command_group(**kwargs: Any) -> typer.Typer:
    """A ``typer.Typer`` with plain help (``rich_markup_mode=None``)."""
    return typer.Typer(rich_markup_mode=None, **kwargs)
