"""Running a training spec in a terminal (the CLI and the demo): a progress bar over ``train_model``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cutproof.core.console import console
from cutproof.core.identity import local_identity
from cutproof.core.projects import Project
from cutproof.core.workspace import Workspace
from cutproof.training.run import SPEC, AnySpec, TrainingSetupError, prepare, record_model, run
from cutproof.training.run import Progress as TrainProgress
from editor import ModelRecord


def build_spec(**fields: Any) -> AnySpec:
    """A training spec from command-line options.

    Raises:
        TrainingSetupError: an option is out of range (the message names it).
    """
    try:
        return SPEC.validate_python(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"][1:]) or "spec"
        raise TrainingSetupError(f"{fields.get('kind')} training: {where}: {first['msg']}") from None


@contextmanager
def training_bar(title: str, *, quiet: bool = False) -> Iterator[TrainProgress]:
    """A rich progress bar fed by the training progress callback (hidden with ``quiet``)."""
    # plain text (performer ids, clip names): never read as markup
    columns = (TextColumn("{task.description}", markup=False), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
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
    """``cutproof.training.run.train_model`` (prepare → run → record) with a progress bar over the training; records
    ``model.trained/1`` as ``identity`` (default: the local user)."""
    prepared = prepare(ws, project, spec, verify_content=True)  # bad input fails before the bar appears
    with training_bar(f"training {spec.kind} model", quiet=quiet) as report:
        trained = run(ws, prepared, progress=report)
    return record_model(ws, prepared.project, trained, identity=identity or local_identity())
