"""CLI for background replacement: ``cutproof model train background`` and ``cutproof edit background``.

The commands are plain functions registered into the ``model train`` and ``edit`` groups by :func:`register`, so
the editor's CLI module can adopt them with one call; until it exists, ``model_app``/``edit_app`` below provide
those groups.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from cutproof.cli._common import console, ready_workspace
from editor.background import (
    BackgroundParams,
    MatteParams,
    RefinerConfig,
    TrainingClip,
    load_background_model,
    load_plate,
    replace_background,
    train_background,
)
from editor.background.edit import IMAGE_SUFFIXES
from editor.catalogue import Catalogue
from editor.dailies import content_hash
from editor.errors import ClipNotFoundError, EditParameterError
from editor.models import ModelRegistry

ProjectOpt = Annotated[str | None, typer.Option("--project", envvar="CUTPROOF_PROJECT", help="Project slug.")]


def _clip_path(catalogue: Catalogue, ref: str, project: str | None) -> tuple[Path, str]:
    """A shot given as a file path, or as a catalogue reference (hash prefix, file name, scene/shot/take)."""
    path = Path(ref)
    if path.is_file():
        return path, content_hash(path)
    clip = catalogue.get(ref, project)
    if not clip.path.is_file():
        raise ClipNotFoundError(f"{ref!r} is catalogued at {clip.path}, which no longer exists; re-ingest it")
    if content_hash(clip.path) != clip.content_hash:
        raise ClipNotFoundError(f"{clip.path.name} changed since it was catalogued; re-ingest it")
    return clip.path, clip.content_hash


def _frames(text: str | None) -> tuple[int, int | None]:
    if not text:
        return 0, None
    try:
        a, b = text.split("-", 1)
        return int(a), int(b)
    except ValueError:
        raise EditParameterError(f"--frames {text!r} must be START-END (e.g. 0-48, end exclusive)") from None


def train_background_command(
    ctx: typer.Context,
    clips: Annotated[list[str], typer.Option("--clips", help="Shots to train on (repeat or comma-separate).")],
    frames: Annotated[str | None, typer.Option("--frames", help="Frame range START-END of every clip.")] = None,
    steps: Annotated[int, typer.Option(help="Refiner training steps.")] = 300,
    seed: Annotated[int, typer.Option(help="Training seed.")] = 0,
    sample_frames: Annotated[int, typer.Option(help="Frames per clip matted into pseudo-labels.")] = 8,
    project: ProjectOpt = None,
) -> None:
    """Train a per-shot background refiner on the shots' own frames (pseudo-labels from the keyer)."""
    ws = ready_workspace(ctx)
    catalogue, registry = Catalogue(ws.engine), ModelRegistry(ws.engine, ws.blobs)
    start, end = _frames(frames)
    refs = [r for item in clips for r in item.split(",") if r.strip()]
    inputs = [TrainingClip(*_clip_path(catalogue, r.strip(), project), start, end) for r in refs]
    config = RefinerConfig(steps=steps, seed=seed)
    columns = (TextColumn("training background refiner"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(*columns, TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn(), TimeRemainingColumn()) as bar:
        task = bar.add_task("train", total=config.steps, loss="-")
        manifest, model_file, metrics = train_background(
            inputs,
            config=config,
            frames_per_clip=sample_frames,
            progress=lambda i, n, loss: bar.update(task, completed=i, loss=f"{loss:.4f}"),
        )
    record = registry.register(manifest, model_file, metrics=metrics, project=project)
    console.print(f"model {record.model_id}  (background, file {record.model_file_hash[:12]})")
    for k, v in metrics.items():
        console.print(f"  {k}: {v}")


def edit_background_command(
    ctx: typer.Context,
    shot: Annotated[str, typer.Argument(help="Shot to edit: a file or a catalogue reference.")],
    plate: Annotated[str, typer.Option("--plate", help="New background: another shot, or an image file.")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.mov/.mp4 to suit the source's codec).")],
    plate_frame: Annotated[int, typer.Option(help="Which frame of a plate shot to use.")] = 0,
    clean_plate: Annotated[
        str | None, typer.Option("--clean-plate", help="A shot of the empty set (default: estimated from SHOT).")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="Background refiner model id (or prefix).")] = None,
    start: Annotated[int | None, typer.Option(help="First frame to edit.")] = None,
    end: Annotated[int | None, typer.Option(help="One past the last frame to edit.")] = None,
    regrade: Annotated[float, typer.Option(help="Re-grade of the performer towards the plate, 0–1.")] = 0.3,
    stabilise: Annotated[float, typer.Option(help="Temporal stabilisation of the matte, 0–<1.")] = 0.6,
    band: Annotated[float, typer.Option(help="Trimap band, fraction of the shorter side.")] = 0.012,
    as_json: Annotated[bool, typer.Option("--json", help="Print the edit result as JSON.")] = False,
    project: ProjectOpt = None,
) -> None:
    """Replace the background behind the performers of SHOT with a plate (another shot's frame, or a still)."""
    ws = ready_workspace(ctx)
    catalogue = Catalogue(ws.engine)
    source, _ = _clip_path(catalogue, shot, project)
    plate_path = Path(plate)
    if not (plate_path.is_file() or plate_path.suffix.lower() in IMAGE_SUFFIXES):
        plate_path, _ = _clip_path(catalogue, plate, project)
    clean = _clip_path(catalogue, clean_plate, project)[0] if clean_plate else None
    refiner = load_background_model(ModelRegistry(ws.engine, ws.blobs), model) if model else None
    params = BackgroundParams(matte=MatteParams(band=band), stabilise=stabilise, regrade=regrade)
    with console.status("replacing background…"):
        result = replace_background(
            source,
            load_plate(plate_path, frame=plate_frame),
            out,
            params=params,
            clean_plate=clean,
            refiner=refiner,
            start=start,
            end=end,
        )
    if as_json:
        console.print_json(json.dumps(result.as_json()))
        return
    table = Table(show_header=False, box=None)
    r = result.region
    table.add_row("output", f"{result.output.path} ({result.output.codec}, audio: {', '.join(result.output.audio)})")
    table.add_row("source", result.source_hash)
    table.add_row("output hash", result.output_hash)
    table.add_row("model", result.model_id or "none (keyer only)")
    table.add_row("frames", f"{result.frames.start}–{result.frames.end} @ {result.frames.frame_rate}")
    table.add_row("region", f"{r.x},{r.y},{r.width},{r.height}")
    for k, v in result.metrics.items():
        table.add_row(k, f"{v:g}")
    console.print(table)


def register(model_train_app: typer.Typer, edit_app: typer.Typer) -> None:
    """Add ``background`` to the ``model train`` and ``edit`` command groups."""
    model_train_app.command("background")(train_background_command)
    edit_app.command("background")(edit_background_command)


# Until the editor's CLI module provides the `model` and `edit` groups, these do.
model_app = typer.Typer(help="Train and list per-project models.", no_args_is_help=True)
model_train_app = typer.Typer(help="Train a model from catalogued clips.", no_args_is_help=True)
model_app.add_typer(model_train_app, name="train")
edit_app = typer.Typer(help="Edit shots with the project's models.", no_args_is_help=True)
register(model_train_app, edit_app)
