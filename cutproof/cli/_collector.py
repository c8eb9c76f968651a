"""The cyclic garbage collector in a ``cutproof`` process: paused while a short command starts and runs.

A short command's work is mostly start-up: importing Typer, pydantic and the command's modules creates tens of
thousands of classes, functions and dicts that live until the process ends. CPython's cyclic collector runs after
every 700 net new container objects and re-scans the survivors again and again, then collects once more at exit
before the modules are torn down: about 7 % of the instructions of ``cutproof policy evaluate`` or ``cutproof
audit`` (``bench/cli.py --instructions``), for garbage a start-up hardly makes. Reference counting, which frees
almost everything, is not affected.

1. ``pause`` (``cutproof.__main__``, which ``python -m cutproof`` and the executable run, before Typer loads; and
   ``cutproof.cli.main.main``): the collector stops.
2. ``command_starts`` (the root callback, once the command's name is known): for any command not in ``SHORT`` —
   those that render, train, ingest, serve or run jobs, and can create cyclic garbage for as long as they run — the
   collector resumes before the command does any work. A ``SHORT`` command (``ledger``, ``consent``, ``policy``,
   ``audit``, ``project``, ``performer``: reads and records that make little cyclic garbage, however many entries
   they go through) runs to its end with it paused.
3. At exit, after every other exit handler: if the collector is still paused (a short command, ``--help``, a usage
   error), everything left is frozen (``gc.freeze``), so the interpreter's final collections skip objects that the
   module teardown frees by reference counting anyway. Only garbage caught in a reference cycle is then left to
   the operating system unfinalised; the short commands close every file they write (``with`` blocks) and commit
   every database write before they return.

Only the ``cutproof`` executable pauses the collector; the application invoked in-process (tests, ``CliRunner``)
never does, so ``command_starts`` changes nothing there.
"""

from __future__ import annotations

import atexit
import gc

SHORT = frozenset({"audit", "consent", "ledger", "performer", "policy", "project"})
"""Top-level commands that run with the collector paused: each reads or records a bounded number of records."""

_paused = False


def pause() -> None:
    """Stop the cyclic collector for the start-up of this process (and for a short command, to its end)."""
    global _paused
    if _paused or not gc.isenabled():  # called twice, or the collector was turned off by someone else: leave it
        return
    gc.disable()
    _paused = True
    atexit.register(_at_exit)  # registered before any command's handler: runs after all of them


def command_starts(name: str | None) -> None:
    """Resume the collector unless ``name`` (the top-level command about to run) is a short one."""
    global _paused
    if _paused and name not in SHORT:
        gc.enable()
        _paused = False


def _at_exit() -> None:
    if _paused:
        gc.freeze()
