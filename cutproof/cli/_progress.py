"""Progress bars of the commands that render or label in this process (``cutproof edit …``, ``cutproof watermark
embed``) and of the commands that run render jobs and wait for them (``cutproof jobs run``, ``request submit
--wait``).

A bar is drawn on standard error, and only when it can help someone watching: never with ``--quiet`` or ``--json``,
and never unless standard output and standard error are both terminals (a script that captures or pipes the output
sees none of it, nor the terminal codes that draw it). Rich, which draws it, is imported only when a bar is drawn.

- ``render_bar(title, quiet=…)`` yields the ``media.Progress`` callback to hand to the render (the fraction of the
  work done; ``None`` when no bar is drawn, so the render reports nothing);
- ``jobs_bar(ws, quiet=…)`` follows the job table while jobs run — their stored progress and message, wherever the
  jobs run (in this process or on a Ray cluster) — one line per job, polled every ``POLL_SECONDS``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cutproof.core.workspace import Workspace
    from media import Progress

POLL_SECONDS = 0.25


def drawn(quiet: bool = False) -> bool:
    """Whether a bar is drawn: not ``quiet`` (``--quiet``/``--json``), and both output streams are terminals."""
    return not quiet and _tty(sys.stdout) and _tty(sys.stderr)


def _tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # replaced or closed
        return False


def _bar() -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    # A console of its own, made now that standard error is known to be a terminal: Rich decides once, when a
    # console is made, whether it is interactive (else a live bar draws nothing), and the shared ``err_console``
    # may have been made while standard error was elsewhere.
    # The descriptions are plain text (file names, job messages): never read as markup or emoji codes.
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    return Progress(*columns, console=Console(stderr=True, emoji=False), transient=True)


@contextmanager
def render_bar(title: str, *, quiet: bool = False) -> Iterator[Progress | None]:
    """A bar titled ``title`` fed by the ``media.Progress`` callback this yields (``None`` when none is drawn)."""
    if not drawn(quiet):
        yield None
        return
    with _bar() as bar:
        task = bar.add_task(title, total=1.0)

        def report(fraction: float) -> None:
            bar.update(task, completed=fraction)

        yield report


@contextmanager
def jobs_bar(ws: Workspace, *, quiet: bool = False) -> Iterator[None]:
    """While the body runs jobs, a bar per running job from the job table (see the module docstring)."""
    if not drawn(quiet):
        yield
        return
    from cutproof.core.jobs import JobQueue

    queue, stop = JobQueue(ws.engine), threading.Event()
    with _bar() as bar:
        tasks: dict[str, Any] = {}

        def poll() -> None:
            running = {j.job_id: j for j in queue.running()}
            for job_id, job in running.items():
                if job_id not in tasks:
                    tasks[job_id] = bar.add_task("", total=1.0)
                bar.update(tasks[job_id], completed=job.progress, description=f"job {job_id[:12]} {job.message}")
            for job_id in [k for k in tasks if k not in running]:  # ended: its line goes, the command reports it
                bar.remove_task(tasks.pop(job_id))

        def follow() -> None:
            while not stop.wait(POLL_SECONDS):
                try:
                    poll()
                except Exception:  # a busy or briefly unreachable database: the next poll tries again
                    continue

        watcher = threading.Thread(target=follow, name="cutproof-jobs-bar", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            stop.set()
            watcher.join()
