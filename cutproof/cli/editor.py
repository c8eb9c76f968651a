"""The lighting and dialogue commands of ``cutproof model …`` and ``cutproof edit …`` (see ``cutproof.cli.editing``).

App layer: the engine (``editor``) returns typed results; this module prints them and, when the workspace has a
project (``--project`` / ``CUTPROOF_PROJECT``, or the only project), appends ``model.trained/1`` and
``edit.direct/1`` entries to that project's ledger log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cutproof.cli._common import console, esc, ready_workspace
from cutproof.cli._progress import render_bar
from cutproof.cli._project import JsonOpt, ProjectOpt, QuietOpt, WorkersOpt, optional_project, project_slug
from cutproof.cli._project import record as record_entries
from cutproof.core.workspace import Workspace
from cutproof.training.progress import build_spec, train_with_bar
from editor.catalogue import Catalogue
from editor.errors import EditParameterError, ModelNotFoundError
from editor.models import ModelRegistry
from media import Region
from records import DirectEdit


# --- models ----------------------------------------------------------------------------------------------------
def train_lighting_cmd(
    ctx: typer.Context,
    clips: Annotated[
        list[str],
        typer.Option(
            "--clips", help="Clips to learn from (repeat or comma-separate; CLIP@START:END for a frame range)."
        ),
    ],
    frames: Annotated[str | None, typer.Option("--frames", help="Frame range START:END for every clip.")] = None,
    pair: Annotated[list[str] | None, typer.Option("--pair", help="ORIGINAL=GRADED real pair (repeat).")] = None,
    steps: Annotated[int, typer.Option(help="Optimisation steps.")] = 800,
    seed: Annotated[int, typer.Option(help="Random seed (same seed + clips + code → same model).")] = 0,
    project: ProjectOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Train the project's lighting model (Ctrl-C saves a checkpoint; run again to resume)."""
    ws = ready_workspace(ctx)
    proj = optional_project(ws, project)
    refs = [r.strip() for arg in clips for r in arg.split(",") if r.strip()]
    if frames:
        refs = [r if "@" in r else f"{r}@{frames}" for r in refs]
    pairs = [tuple(p.split("=", 1)) for p in pair or []]
    if any(len(p) != 2 for p in pairs):
        raise EditParameterError("--pair must be ORIGINAL=GRADED")
    spec = build_spec(kind="lighting", clips=refs, pairs=pairs, steps=steps, seed=seed)
    model = train_with_bar(ws, proj, spec, quiet=quiet)
    m = model.metrics
    console.print(
        f"model {model.model_id} (lighting), file {model.model_file_hash[:16]}…, "
        f"{m['steps']} steps, loss {m['final_loss']}, {m['train_seconds']} s on {m['device']}"
    )


def model_list(ctx: typer.Context, project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """List trained models with their training inputs."""
    ws = ready_workspace(ctx)
    records = ModelRegistry(ws.engine, ws.blobs).list(project=project)
    if as_json:
        for r in records:
            print(json.dumps(r.as_dict(), sort_keys=True))
        return
    table = Table("model id", "kind", "inputs", "file hash", "loss", "created")
    for r in records:
        table.add_row(
            r.model_id[:16],
            r.kind,
            str(len(r.manifest.inputs)),
            r.model_file_hash[:16],
            str(r.metrics.get("final_loss", "")),
            r.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


# --- edits -----------------------------------------------------------------------------------------------------
def _lighting_model(ws: Workspace, ref: str | None, project: str | None) -> Any:
    from editor.lighting import load_model

    registry = ModelRegistry(ws.engine, ws.blobs)
    if ref is None:
        models = registry.list(kind="lighting", project=project)
        if not models:
            raise ModelNotFoundError("no lighting model yet; train one with `cutproof model train lighting --clips …`")
        ref = models[0].model_id
    return load_model(registry, ref)


def _relight_args(
    ws: Workspace,
    shot: str,
    reference: str | None,
    region: str | None,
    patch: str | None = None,
    original: str | None = None,
    **adj: float,
) -> dict[str, Any]:
    from cutproof.edits.params import ShotFrame
    from cutproof.edits.references import project_clips
    from editor.layout_prints import LayoutPrints
    from editor.lighting import Adjustments, Shot
    from editor.lighting.search import Dailies

    cat = Catalogue(ws.engine)
    s = cat.get(shot)
    args: dict[str, Any] = {"adjustments": Adjustments(**adj)}
    for key, spec in (("reference", reference), ("reference_original", original)):
        if spec:
            sf = ShotFrame.parse(spec, key.replace("_", " "))
            r = cat.get(sf.shot)
            args[key] = Shot(r.info, r.content_hash)
            if sf.frame is not None:
                args[f"{key}_frame"] = sf.frame
    if reference and not original and not patch:
        clips = [Shot(c.info, c.content_hash) for c in project_clips(ws, s.project)]
        args["dailies"] = Dailies(clips, LayoutPrints(ws.engine))
    if region:
        args["region"] = Region.parse(region)
    if patch:
        args["reference_region"] = Region.parse(patch)
    args["shot"] = Shot(s.info, s.content_hash)
    return args


Exposure = Annotated[float, typer.Option(help="Exposure change in stops.")]
ReferenceOriginal = Annotated[
    str | None,
    typer.Option(
        help="The ungraded SHOT or SHOT@FRAME the reference was graded from: its look is then known, not estimated "
        "(for a reference from another scene). Without it the project's dailies are searched for it."
    ),
]


def edit_relight(
    ctx: typer.Context,
    shot: Annotated[str, typer.Argument(help="Shot to edit (clip reference).")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.mov for ProRes/DNxHR, .mp4/.mov for H.264/5).")],
    reference: Annotated[str | None, typer.Option(help="Reference SHOT or SHOT@FRAME to match.")] = None,
    region: Annotated[str | None, typer.Option(help="Only this rectangle: x,y,w,h.")] = None,
    reference_region: Annotated[
        str | None, typer.Option(help="Match the region to this patch of the reference (x,y,w,h).")
    ] = None,
    reference_original: ReferenceOriginal = None,
    matte: Annotated[Path | None, typer.Option(help="Only where this greyscale matte is white.")] = None,
    feather: Annotated[
        int | None, typer.Option(help="Feather width in pixels inside the region (default 8 % of its shorter side).")
    ] = None,
    start: Annotated[int, typer.Option(help="First frame to change.")] = 0,
    end: Annotated[int | None, typer.Option(help="Frame after the last to change.")] = None,
    exposure: Exposure = 0.0,
    temperature: Annotated[float, typer.Option(help="−1 cooler … +1 warmer.")] = 0.0,
    tint: Annotated[float, typer.Option(help="−1 green … +1 magenta.")] = 0.0,
    contrast: Annotated[float, typer.Option(help="Contrast factor.")] = 1.0,
    saturation: Annotated[float, typer.Option(help="Saturation factor.")] = 1.0,
    lift: Annotated[float, typer.Option(help="Lift (−0.2 … 0.2).")] = 0.0,
    gamma: Annotated[float, typer.Option(help="Gamma (0.5 … 2).")] = 1.0,
    gain: Annotated[float, typer.Option(help="Gain (0.5 … 2).")] = 1.0,
    model: Annotated[str | None, typer.Option(help="Lighting model id (default: the newest).")] = None,
    cdl: Annotated[Path | None, typer.Option(help="Also write the grade as ASC CDL (.cdl/.cc).")] = None,
    cube: Annotated[Path | None, typer.Option(help="Also write the grade as a 33³ .cube LUT.")] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    workers: WorkersOpt = 1,
    quiet: QuietOpt = False,
) -> None:
    """Match SHOT (or a region of it) to a reference and/or adjust it, through the project's lighting model."""
    from editor.lighting import relight

    _check_exports(cdl, cube)
    ws = ready_workspace(ctx)
    slug = project_slug(ws, project)
    args = _relight_args(
        ws,
        shot,
        reference,
        region,
        reference_region,
        reference_original,
        exposure=exposure,
        temperature=temperature,
        tint=tint,
        contrast=contrast,
        saturation=saturation,
        lift=lift,
        gamma=gamma,
        gain=gain,
    )
    loaded = _lighting_model(ws, model, slug)
    s = args.pop("shot")
    with render_bar(f"relighting {s.info.path.name}", quiet=quiet or as_json) as progress:
        result, plan = relight(
            s, loaded, out, matte=matte, feather=feather, start=start, end=end, workers=workers, progress=progress,
            **args,
        )  # fmt: skip
    _export(plan, cdl, cube, s.info.path.stem)
    body = result.as_json()
    record_entries(ws, slug, [DirectEdit.of(body)])
    if as_json:
        print(
            json.dumps(result.as_json() | {"warnings": list(plan.warnings), "notes": list(plan.notes)}, sort_keys=True)
        )
    else:
        _warn(plan)
        r, o = result.region, result.output
        console.print(
            f"wrote {esc(o.path)} ({esc(o.codec)}, audio {esc(', '.join(o.audio) or 'none')}"
            f", timecode {esc(o.timecode or 'none')}); frames {result.frames.start}–{result.frames.end}, "
            f"region {r.x},{r.y},{r.width},{r.height}; output {result.output_hash[:16]}…"
        )


def edit_export_grade(
    ctx: typer.Context,
    shot: Annotated[str, typer.Argument(help="Shot the grade is for.")],
    reference: Annotated[str | None, typer.Option(help="Reference SHOT or SHOT@FRAME to match.")] = None,
    reference_original: ReferenceOriginal = None,
    exposure: Exposure = 0.0,
    temperature: Annotated[float, typer.Option()] = 0.0,
    tint: Annotated[float, typer.Option()] = 0.0,
    contrast: Annotated[float, typer.Option()] = 1.0,
    saturation: Annotated[float, typer.Option()] = 1.0,
    lift: Annotated[float, typer.Option()] = 0.0,
    gamma: Annotated[float, typer.Option()] = 1.0,
    gain: Annotated[float, typer.Option()] = 1.0,
    model: Annotated[str | None, typer.Option(help="Lighting model id (default: the newest).")] = None,
    cdl: Annotated[Path | None, typer.Option(help="Write ASC CDL (.cdl/.cc).")] = None,
    cube: Annotated[Path | None, typer.Option(help="Write a 33³ .cube LUT.")] = None,
    project: ProjectOpt = None,
) -> None:
    """Compute the grade relight would apply and export it for a colourist (no video is written)."""
    from editor.lighting import plan_relight

    if cdl is None and cube is None:
        raise EditParameterError("give --cdl FILE and/or --cube FILE")
    _check_exports(cdl, cube)
    ws = ready_workspace(ctx)
    args = _relight_args(
        ws,
        shot,
        reference,
        None,
        original=reference_original,
        exposure=exposure,
        temperature=temperature,
        tint=tint,
        contrast=contrast,
        saturation=saturation,
        lift=lift,
        gamma=gamma,
        gain=gain,
    )
    loaded = _lighting_model(ws, model, project_slug(ws, project))
    s = args.pop("shot")
    plan = plan_relight(s, loaded, **args)
    _warn(plan)
    _export(plan, cdl, cube, s.info.path.stem)
    console.print(f"CDL residual against the full grade: ΔE {plan.cdl_residual_delta_e}")


def _warn(plan: Any) -> None:
    for w in plan.warnings:
        console.print(f"[yellow]warning:[/yellow] {esc(w)}")
    for n in plan.notes:
        console.print(f"note: {esc(n)}")


def _check_exports(cdl: Path | None, cube: Path | None) -> None:
    if cdl is not None and cdl.suffix.lower() not in (".cdl", ".cc"):
        raise EditParameterError(f"{cdl.name}: a CDL is written as .cdl or .cc")
    if cube is not None and cube.suffix.lower() != ".cube":
        raise EditParameterError(f"{cube.name}: a LUT is written as .cube")


def _export(plan: Any, cdl: Path | None, cube: Path | None, name: str) -> None:
    if cdl is not None:
        plan.cdl.write(cdl, name)
        console.print(f"wrote {esc(cdl)}")
    if cube is not None:
        plan.lut.write_cube(cube, f"Cutproof {name}")
        console.print(f"wrote {esc(cube)}")


def train_dialogue_cmd(
    ctx: typer.Context,
    performer: Annotated[str, typer.Option("--performer", help="Whose mouth bank this is (performer id).")],
    clips: Annotated[
        list[str],
        typer.Option(
            "--clips",
            help="The performer's sync takes (repeat or comma-separate); the last one "
            "is held out to measure the sync scorer.",
        ),
    ],
    steps: Annotated[int, typer.Option(help="Sync-scorer training steps.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed (same seed + clips + code → same model).")] = 0,
    project: ProjectOpt = None,
) -> None:
    """Build a performer's dialogue model: mouth bank across their sync takes + a SyncNet-style sync scorer."""
    ws = ready_workspace(ctx)
    refs = [r.strip() for arg in clips for r in arg.split(",") if r.strip()]
    spec = build_spec(kind="dialogue", performer=performer, clips=refs, steps=steps, seed=seed)
    record = train_with_bar(ws, optional_project(ws, project), spec)
    m = record.metrics
    held = (
        f"held-out AV offset residual ≤ {m['heldout_av_offset_residual_max_frames']:.0f} frames "
        f"({'meets' if m['heldout_av_offset_target_met'] else 'BELOW'} the ≤ 1 frame target)"
        if "heldout_av_offset_target_met" in m
        else "no held-out take (give ≥ 2 takes to measure the scorer)"
    )
    parts = sorted(k.removeprefix("heldout_line_frames_") for k in m if k.startswith("heldout_line_frames_"))
    if parts:  # editor.dialogue.line_check: the held-out take whole and cut into a dub's lines
        held += "; lines read right: " + ", ".join(
            f"{m[f'heldout_line_frames_{p}']:.0f} frames {m[f'heldout_line_right_{p}']:.0%}" for p in parts
        )
    console.print(
        f"model {record.model_id} (dialogue, {esc(performer)}), file {record.model_file_hash[:16]}…, "
        f"{int(m['bank_frames'])} bank frames; {held}"
    )


def _dialogue_model_pair(ws: Workspace, ref: str | None, project: str | None, performer: str) -> Any:
    """``((model id, file hash), DialogueModel)`` — the given model, or the performer's newest."""
    from editor.dialogue import load_dialogue

    registry = ModelRegistry(ws.engine, ws.blobs)
    if ref is None:
        models = [
            r
            for r in registry.list(kind="dialogue", project=project)
            if r.manifest.hyperparameters.get("performer") == performer
        ]
        if not models:
            raise ModelNotFoundError(
                f"no dialogue model for performer {performer!r}; run `cutproof model train dialogue` first"
            )
        ref = models[0].model_id
    record, model_file = registry.load(ref)
    return (record.model_id, record.model_file_hash), load_dialogue(model_file)


def edit_dialogue(
    ctx: typer.Context,
    shot: Annotated[str, typer.Argument(help="Shot to edit (clip reference).")],
    performer: Annotated[str, typer.Option("--performer", help="Whose line it is.")],
    audio: Annotated[Path, typer.Option("--audio", help="The new line (WAV, 16–192 kHz).")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.mov for ProRes/DNxHR, .mp4/.mov otherwise).")],
    start: Annotated[int, typer.Option(help="First frame of the line.")] = 0,
    end: Annotated[int | None, typer.Option(help="Frame after the line (default: start + the line's length).")] = None,
    retime_only: Annotated[
        bool, typer.Option("--retime-only", help="Only slip the picture to the line's timing (no mouth synthesis).")
    ] = False,
    replace_pauses: Annotated[
        bool,
        typer.Option(
            "--replace-pauses",
            help="Place a mouth on every frame; by default where neither line is spoken the mouth is left as shot.",
        ),
    ] = False,
    model: Annotated[str | None, typer.Option(help="Dialogue model id (default: the performer's newest).")] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
    workers: WorkersOpt = 1,
    quiet: QuietOpt = False,
) -> None:
    """Replace the line in SHOT with a re-recorded one and re-sync the mouth (or only re-time the picture)."""
    from editor.dialogue import dub, fit_note, retime
    from editor.notes import flop_note, pauses_note, sync_note

    ws = ready_workspace(ctx)
    slug = project_slug(ws, project)
    clip = Catalogue(ws.engine).get(shot)
    bar = render_bar(f"{'re-timing' if retime_only else 'dubbing'} {clip.path.name}", quiet=quiet or as_json)
    if retime_only:
        loaded = None
        ref = None
        if model is not None or ModelRegistry(ws.engine, ws.blobs).list(kind="dialogue", project=slug):
            try:
                ref, loaded = _dialogue_model_pair(ws, model, slug, performer)
            except ModelNotFoundError:
                if model is not None:
                    raise
        with bar as progress:
            result = retime(
                clip.path, audio, out, performer=performer, model=loaded, model_ref=ref, start=start, end=end,
                workers=workers, progress=progress,
            )  # fmt: skip
    else:
        ref, loaded = _dialogue_model_pair(ws, model, slug, performer)
        with bar as progress:
            result = dub(
                clip.path, loaded, audio, out, performer=performer, model_ref=ref, start=start, end=end,
                keep_pauses=not replace_pauses, workers=workers, progress=progress,
            )  # fmt: skip
    body = result.as_json()
    record_entries(ws, slug, [DirectEdit.of(body)])
    if as_json:
        print(json.dumps(body, sort_keys=True))
        return
    r, m, o = result.region, result.metrics, result.output
    sync = (
        f"AV offset {m['before_av_offset_frames']:+.0f} → {m['after_av_offset_frames']:+.0f} frames "
        f"({'meets' if m['av_offset_target_met'] else 'BELOW'} the ≤ 1 frame target), "
        f"LSE-D {m['after_lse_d']}, LSE-C {m['after_lse_c']}"
        if "after_av_offset_frames" in m
        else "sync not scored (no dialogue model)"
    )
    console.print(
        f"wrote {esc(o.path)} ({esc(o.codec)}, audio {esc(', '.join(o.audio))}); frames "
        f"{result.frames.start}–{result.frames.end}, region {r.x},{r.y},{r.width},{r.height}; {sync}"
    )
    for note in (sync_note(m), flop_note(result.parameters), fit_note(m)):
        if note:
            console.print(note)
    if result.parameters.get("keep_pauses") is False:
        console.print("a mouth placed on every frame of the range, pauses included (--replace-pauses)")
    elif "mouth_kept_frames" in m:
        why = result.parameters.get("pauses_not_kept")
        console.print(
            f"mouth left as shot on {m['mouth_kept_frames']:.0f} pause frame(s) where neither line is spoken"
            + (f" (none could be told: {esc(str(why))})" if why else "")
        )
        if note := pauses_note(result.parameters):
            console.print(note)
