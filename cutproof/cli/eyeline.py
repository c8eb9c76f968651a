"""Eyeline commands: ``cutproof model train eyeline`` and ``cutproof edit eyeline`` (see ``cutproof.cli.editing``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cutproof.cli._common import cli_identity, console, esc, ready_workspace
from cutproof.cli._progress import render_bar
from cutproof.cli._project import QuietOpt, WorkersOpt
from cutproof.core.errors import CutproofError
from cutproof.core.projects import get_project, project_log
from cutproof.edits.eyeline import eyeline_edit
from cutproof.edits.references import local_model_ref
from cutproof.training.progress import build_spec, train_with_bar
from editor import Catalogue
from records import DirectEdit

ProjectOpt = Annotated[
    str | None,
    typer.Option("--project", envvar="CUTPROOF_PROJECT", help="Project slug (default: the workspace's only one)."),
]


class EyelineCliError(CutproofError):
    """An eyeline argument is malformed."""


def parse_shift(text: str) -> tuple[float, float]:
    """``"DX,DY"`` degrees → a pair of floats.

    Raises:
        EyelineCliError: not two numbers.
    """
    try:
        dx, dy = (float(p) for p in text.split(","))
    except ValueError:
        raise EyelineCliError(
            f"--shift {text!r} must be DX,DY in degrees (e.g. 4,0 = 4° towards image right)"
        ) from None
    return dx, dy


def train_eyeline_cmd(
    ctx: typer.Context,
    performer: Annotated[str, typer.Option("--performer", help="Consent performer id whose eyes to learn.")],
    clips: Annotated[list[str], typer.Option("--clips", help="Takes of the performer to learn from (repeat).")],
    samples: Annotated[int, typer.Option(min=8, max=256, help="Frames sampled per take.")] = 40,
    project: ProjectOpt = None,
) -> None:
    """Learn PERFORMER's eye geometry and gaze range (the iris warp's model); records ``model.trained/1``."""
    ws = ready_workspace(ctx)
    refs = [ref.strip() for c in clips for ref in c.split(",") if ref.strip()]
    spec = build_spec(kind="eyeline", performer=performer, clips=refs, samples=samples)
    record = train_with_bar(ws, get_project(ws, project), spec)
    m = record.metrics
    console.print(
        f"model {record.model_id} (eyeline, {esc(performer)}): {m['train_pairs']} pairs, shift range "
        f"±{m['shift_range_deg'][0]}°/±{m['shift_range_deg'][1]}°, held-out L1 {m.get('held_out_l1_model')} "
        f"(unchanged {m.get('held_out_l1_unchanged')})"
    )


def edit_eyeline_cmd(
    ctx: typer.Context,
    shot: Annotated[str, typer.Argument(help="Clip id prefix, file name or slate scene/shot/take.")],
    performer: Annotated[str, typer.Option("--performer", help="Consent performer id whose gaze to move.")],
    shift: Annotated[str, typer.Option("--shift", help="DX,DY degrees (+x image right, +y down).")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.mp4/.mov to suit the source).")],
    start: Annotated[int | None, typer.Option("--start", min=0, help="First frame (default 0).")] = None,
    end: Annotated[
        int | None, typer.Option("--end", min=1, help="One past the last frame (default: clip end).")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="Eyeline model id (default: the newest).")] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing output file.")] = False,
    project: ProjectOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the edit result as JSON.")] = False,
    workers: WorkersOpt = 1,
    quiet: QuietOpt = False,
) -> None:
    """Move PERFORMER's gaze in SHOT by DX,DY degrees; records ``edit.direct/1`` (an edit outside the gate)."""
    ws = ready_workspace(ctx)
    proj = get_project(ws, project)
    clip = Catalogue(ws.engine).get(shot, project=proj.slug)
    dxdy = parse_shift(shift)
    with render_bar(f"moving the eyeline in {clip.path.name}", quiet=quiet or as_json) as progress:
        result = eyeline_edit(
            ws,
            proj,
            clip,
            out,
            performer=performer,
            shift=dxdy,
            start=start,
            end=end,
            model=local_model_ref(ws, proj.slug, model, "eyeline") if model else None,
            overwrite=overwrite,
            workers=workers,
            progress=progress,
        )
    body = result.as_json()
    project_log(ws, proj).append([DirectEdit.of(body).entry()], identity=cli_identity())
    if as_json:
        print(json.dumps(body, sort_keys=True))
        return
    r, m = result.region, result.metrics
    console.print(
        f"wrote {esc(result.output.path)}; frames {result.frames.start}–{result.frames.end}, eye region "
        f"{r.x},{r.y},{r.width},{r.height}; gaze shift requested {m.get('gaze_shift_requested_x_deg')}°,"
        f"{m.get('gaze_shift_requested_y_deg')}° achieved {m.get('gaze_shift_achieved_x_deg')}°,"
        f"{m.get('gaze_shift_achieved_y_deg')}°; eye warping error ratio {m.get('eye_warping_error_ratio')}"
    )
