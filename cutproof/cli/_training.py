"""Running a training spec from the command line (and the demo): a progress bar over ``train_model``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cutproof.cli._common import cli_identity, console
from cutproof.projects import Project
from cutproof.training import AnySpec, train_model
from cutproof.training import Progress as TrainProgress
from cutproof.workspace import Workspace
from editor import ModelRecord


@contextmanager
def training_bar(title: str, *, quiet: bool = False) -> Iterator[TrainProgress]:
    """A rich progress bar fed by the training progress callback (hidden with ``quiet``)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False, disable=quiet) as bar:
        task = bar.add_task(title, total=None)

        def report(done: int, total: int, what: str) -> None:
            bar.update(task, completed=done, total=total, description=what)

        yield report


def train_with_bar(
    ws: Workspace,
    project: Project | None,
    spec: AnySpec,
    *,
    quiet: bool = False,
    identity: str | None = None,
) -> ModelRecord:
    """``cutproof.training.train_model`` with a progress bar; records ``model.trained/1`` as the CLI identity."""
    with training_bar(f"training {spec.kind} model", quiet=quiet) as report:
        return train_model(ws, project, spec, identity=identity or cli_identity(), progress=report)
