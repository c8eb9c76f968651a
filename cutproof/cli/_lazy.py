"""Command groups whose sub-commands are imported only when one is used.

A group's sub-commands are a static table of :class:`LazyCommand` — name, where the command lives
(``"module:attribute"``, a Typer app or a command function) and the one-line help the group's ``--help`` lists.
``cutproof --help`` renders the table without importing any command module; ``cutproof ledger list`` imports
``cutproof.cli.ledger`` and nothing of the editor, the labeler or the API. A command module, in turn, imports at
its top only what its commands share; heavy libraries (torch, OpenCV, SciPy, PyAV, c2pa) load inside the
commands that use them.

tests/cutproof/test_cli_startup.py checks every table against what its modules declare (names, order, help
texts, the rendered ``--help``), so a table cannot drift from the commands it stands for.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from cutproof.cli._app import command_group

__all__ = ["LazyCommand", "LazyGroup", "commands_here", "lazy_group"]


@dataclass(frozen=True)
class LazyCommand:
    """A sub-command known by its name and one-line help; its module is imported when the command is used.

    Attributes:
        name: the sub-command's name on the command line.
        target: ``"package.module:attribute"``: a ``typer.Typer`` app (a group) or a command function.
        help: the first paragraph of the command's help, exactly as the group's ``--help`` lists it.
    """

    name: str
    target: str
    help: str

    def load(self) -> Any:
        """Import the target's module and build the command exactly as ``add_typer``/``command`` would.

        Returns:
            The click command (a ``TyperGroup`` for an app, a ``TyperCommand`` for a function).
        """
        module, _, attribute = self.target.partition(":")
        target = getattr(importlib.import_module(module), attribute)
        holder = command_group(add_completion=False)
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=self.name)
        else:
            holder.command(self.name)(target)
        return typer.main.get_group(holder).commands[self.name]

    def summary(self) -> TyperCommand:
        """A stand-in carrying only the name and help, for listing in the group's ``--help``."""
        return TyperCommand(self.name, help=self.help)


class _LazyCommands(MutableMapping[str, Any]):
    """A group's sub-commands by name, in table order; a table entry is loaded on its first lookup."""

    def __init__(self, table: tuple[LazyCommand, ...], eager: Mapping[str, Any]) -> None:
        self._table = {entry.name: entry for entry in table}
        self._loaded: dict[str, Any] = dict(eager)
        self._names = list(dict.fromkeys([*self._table, *eager]))

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            self._loaded[name] = self._table[name].load()
        return self._loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._loaded[name] = command
        if name not in self._names:
            self._names.append(name)

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._loaded.pop(name, None)
        self._table.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def summary(self, name: str) -> Any:
        """The command if it is loaded, else the table's stand-in (None for an unknown name)."""
        if name in self._loaded:
            return self._loaded[name]
        entry = self._table.get(name)
        return entry.summary() if entry else None


class LazyGroup(TyperGroup):
    """A Typer group whose sub-commands come from ``table`` (make one with :func:`lazy_group`)."""

    table: ClassVar[tuple[LazyCommand, ...]] = ()

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._lazy = _LazyCommands(self.table, self.commands)
        self.commands = self._lazy
        self._listing_for_help = False

    def list_commands(self, ctx: Any) -> list[str]:
        """The sub-commands' names in table order (without importing them)."""
        return list(self.commands)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The sub-command, imported now; while the group's help is rendered, the table's stand-in."""
        if self._listing_for_help:
            return self._lazy.summary(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Render the help, listing the sub-commands from the table."""
        self._listing_for_help = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing_for_help = False


def lazy_group(*table: LazyCommand) -> type[LazyGroup]:
    """A :class:`LazyGroup` class over ``table``, to pass as ``typer.Typer(cls=...)``."""
    return type("LazyGroup", (LazyGroup,), {"table": table})


def commands_here(module: str, commands: Mapping[str, Callable[..., Any]]) -> tuple[LazyCommand, ...]:
    """Table entries for command functions of ``module`` itself, by command name; each entry's help is the first
    paragraph of its function's docstring (what the group's ``--help`` lists).

    For a group whose commands share one module: the module is imported anyway, but Typer then reads the
    parameters of the command used only, not those of every command of the group (a few milliseconds each).
    """
    table = []
    for name, function in commands.items():
        first = (inspect.getdoc(function) or "").split("\n\n")[0]
        table.append(LazyCommand(name, f"{module}:{function.__name__}", " ".join(first.split())))
    return tuple(table)
