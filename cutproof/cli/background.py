"""CLI for background replacement: ``cutproof model train background`` and ``cutproof edit background``.

The commands are registered into the editor CLI's ``model train`` and ``edit`` groups by :func:`register`. Like
the other editor commands they take catalogue references, and with a project they append ``model.trained/1`` and
``edit.direct/1`` entries (edits outside the gate) to its ledger log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cutproof.cli._common import console, esc, ready_workspace
from cutproof.cli._progress import render_bar
from cutproof.cli._project import JsonOpt, ProjectOpt, QuietOpt, WorkersOpt, optional_project, project_slug
from cutproof.cli._project import record as record_entries
from cutproof.training.progress import build_spec, train_with_bar
from editor.background import (
    BackgroundParams,
    MatteParams,
    load_background_model,
    load_plate,
    replace_background,
)
from editor.background.edit import _looks_like_image
from editor.catalogue import Catalogue
from editor.dailies import content_hash
from editor.errors import ClipNotFoundError
from editor.models import ModelRegistry
from editor.plate_summary import plate_summary
from records import DirectEdit


def _clip_path(catalogue: Catalogue, ref: str, project: str | None) -> Path:
    """The file of a catalogued clip, checked to be unchanged since ingest."""
    clip = catalogue.get(ref, project)
    if not clip.path.is_file():
        raise ClipNotFoundError(f"{ref!r} is catalogued at {clip.path}, which no longer exists; re-ingest it")
    if content_hash(clip.path) != clip.content_hash:
        raise ClipNotFoundError(f"{clip.path.name} changed since it was catalogued; re-ingest it")
    return clip.path


def train_background_command(
    ctx: typer.Context,
    clips: Annotated[
        list[str],
        typer.Option("--clips", help="Shots to train on (repeat or comma-separate; CLIP@START:END for a range)."),
    ],
    frames: Annotated[str | None, typer.Option("--frames", help="Frame range START:END for every clip.")] = None,
    steps: Annotated[int, typer.Option(help="Refiner training steps.")] = 300,
    seed: Annotated[int, typer.Option(help="Training seed (same seed + clips + code → same model).")] = 0,
    sample_frames: Annotated[int, typer.Option(help="Frames per clip matted into pseudo-labels.")] = 8,
    project: ProjectOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Train a per-shot background refiner on the shots' own frames (pseudo-labels from the keyer)."""
    ws = ready_workspace(ctx)
    refs = [r.strip() for arg in clips for r in arg.split(",") if r.strip()]
    if frames:
        refs = [r if "@" in r else f"{r}@{frames}" for r in refs]
    spec = build_spec(kind="background", clips=refs, steps=steps, seed=seed, sample_frames=sample_frames)
    record = train_with_bar(ws, optional_project(ws, project), spec, quiet=quiet)
    console.print(f"model {record.model_id} (background), file {record.model_file_hash[:16]}…")
    for k, v in record.metrics.items():
        console.print(f"  {k}: {v}")


def edit_background_command(
    ctx: typer.Context,
    shot: Annotated[str, typer.Argument(help="Shot to edit (clip reference).")],
    plate: Annotated[str, typer.Option("--plate", help="New background: another shot, or a still image file.")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.mov/.mp4 to suit the source's codec).")],
    plate_frame: Annotated[int, typer.Option(help="Which frame of a plate shot to use.")] = 0,
    clean_plate: Annotated[
        str | None, typer.Option("--clean-plate", help="A shot of the empty set (default: estimated from SHOT).")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="Background refiner model id (or prefix).")] = None,
    start: Annotated[int | None, typer.Option(help="First frame to edit.")] = None,
    end: Annotated[int | None, typer.Option(help="One past the last frame to edit.")] = None,
    regrade: Annotated[float, typer.Option(help="Re-grade of the performer towards the plate, 0–1.")] = 0.3,
    regrade_method: Annotated[
        str, typer.Option(help="lab (Lab mean/std transfer) or cdl (the lighting model's ASC CDL match).")
    ] = "lab",
    stabilise: Annotated[
        float,
        typer.Option(
            help="Temporal stabilisation of the matte, 0–<1: the share kept per frame at 25 fps "
            "(the same memory in seconds at the shot's rate)."
        ),
    ] = 0.6,
    band: Annotated[float, typer.Option(help="Trimap band, fraction of the shorter side.")] = 0.012,
    foreground: Annotated[
        str,
        typer.Option(
            help="Colour composited in soft edges: multilevel (the performer's colour recovered against the clean "
            "plate, the old set's colour not mixed in) or frame (the take's own pixels)."
        ),
    ] = "multilevel",
    despill: Annotated[
        bool,
        typer.Option(
            "--despill",
            help="Take the old set's colour out of the performer's edge (a rim of a blue or green backdrop's colour "
            "that the codec smeared into the hair); off by default.",
        ),
    ] = False,
    as_json: JsonOpt = False,
    project: ProjectOpt = None,
    workers: WorkersOpt = 1,
    quiet: QuietOpt = False,
) -> None:
    """Replace the background behind the performers of SHOT with a plate (another shot's frame, or a still)."""
    ws = ready_workspace(ctx)
    slug = project_slug(ws, project)
    catalogue = Catalogue(ws.engine)
    source = _clip_path(catalogue, shot, slug)
    plate_path = Path(plate)
    if not (plate_path.is_file() and _looks_like_image(plate_path)):
        plate_path = _clip_path(catalogue, plate, slug)
    clean = _clip_path(catalogue, clean_plate, slug) if clean_plate else None
    refiner = load_background_model(ModelRegistry(ws.engine, ws.blobs), model) if model else None
    params = BackgroundParams(
        matte=MatteParams(band=band),
        stabilise=stabilise,
        regrade=regrade,
        regrade_method=regrade_method,
        foreground=foreground,
        despill=despill,
    )
    with render_bar(f"replacing the background of {source.name}", quiet=quiet or as_json) as progress:
        result = replace_background(
            source,
            load_plate(plate_path, frame=plate_frame),
            out,
            params=params,
            clean_plate=clean,
            refiner=refiner,
            start=start,
            end=end,
            workers=workers,
            progress=progress,
        )
    body = result.as_json()
    record_entries(ws, slug, [DirectEdit.of(body)])
    if as_json:
        print(json.dumps(body, sort_keys=True))
        return
    table = Table(show_header=False, box=None)
    r = result.region
    output = result.output
    table.add_row("output", esc(f"{output.path} ({output.codec}, audio: {', '.join(output.audio)})"))
    table.add_row("source", result.source_hash)
    table.add_row("output hash", result.output_hash)
    table.add_row("model", result.model_id or "no trained model (difference key + guided filter)")
    table.add_row("frames", f"{result.frames.start}–{result.frames.end} @ {result.frames.frame_rate}")
    table.add_row("region", f"{r.x},{r.y},{r.width},{r.height}")
    recorded = result.parameters.get("clean_plate", {})
    plate_note = plate_summary(recorded)
    if plate_note:
        table.add_row("clean plate", esc(plate_note))
    for k, v in result.metrics.items():
        table.add_row(k, f"{v:g}")
    console.print(table)
