"""``cutproof cast …``: tag performers' faces, train the project's cast model, ask who is in a shot.

``cutproof cast train`` trains the cast model; ``cutproof.cli.editing`` also lists it as ``cutproof model train cast``.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table

from cutproof.cast.project import FaceSuggestion, project_cast, suggest_faces, suggest_tags, tag_face, who_in_clip
from cutproof.cli._app import command_group
from cutproof.cli._common import console, esc, ready_workspace
from cutproof.core.errors import CutproofError
from cutproof.core.projects import get_project
from cutproof.training.progress import build_spec, train_with_bar
from editor import Catalogue
from editor.cast import CastTags
from media import Region

app = command_group(
    help="Who is in the shot: tag performers' faces, train the cast model, match faces.", no_args_is_help=True
)

ProjectOpt = Annotated[
    str | None,
    typer.Option("--project", envvar="CUTPROOF_PROJECT", help="Project slug (default: the workspace's only one)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class CastCliError(CutproofError):
    """A ``cutproof cast`` argument is malformed."""


def _shot_frame(text: str) -> tuple[str, int]:
    shot, sep, frame = text.rpartition("@")
    if not sep or not shot or not frame.isdigit():
        raise CastCliError(f"{text!r} must be SHOT@FRAME (e.g. 012/A/3@48 or a clip id prefix @ frame number)")
    return shot, int(frame)


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def _suggestions(rows: list[FaceSuggestion], title: str, shot: str) -> None:
    table = Table("face", "frame", "box", "cast model says", "observations", title=title)
    for r in rows:
        b = r.box
        says = r.identified or (f"unidentified (nearest {r.nearest}, {r.distance:.2f})" if r.nearest else "-")
        table.add_row(str(r.face), str(r.frame), f"{b.x},{b.y},{b.width},{b.height}", esc(says), str(r.observations))
    console.print(table)
    if rows:
        r = rows[0]
        console.print(f"tag one with: cutproof cast tag {shot}@{r.frame} --face {r.face} --performer PERFORMER_ID")


@app.command("tag")
def tag(
    ctx: typer.Context,
    shot_frame: Annotated[str, typer.Argument(metavar="SHOT@FRAME", help="Clip (id prefix, file or slate) and frame.")],
    performer: Annotated[
        str | None,
        typer.Option("--performer", help="Consent performer id of the project (without it: list the faces found)."),
    ] = None,
    face: Annotated[
        int | None, typer.Option("--face", min=0, help="Which face found on the frame (the number the list shows).")
    ] = None,
    box: Annotated[
        str | None, typer.Option("--box", help="Face box x,y,w,h in pixels (default: the face found on the frame).")
    ] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Tag a face on SHOT@FRAME as PERFORMER; without --performer, list the faces found there to choose from."""
    ws = ready_workspace(ctx)
    proj = get_project(ws, project)
    shot, frame = _shot_frame(shot_frame)
    clip = Catalogue(ws.engine).get(shot, project=proj.slug)
    if performer is None:
        found = suggest_faces(ws, proj, clip, frame)
        if as_json:
            _emit([f.as_json() for f in found])
            return
        _suggestions(found, f"faces on {clip.short_id}@{frame}", clip.short_id)
        return
    if box is not None and face is not None:
        raise CastCliError("give --face or --box, not both")
    recorded = tag_face(ws, proj, clip, frame, performer, Region.parse(box) if box else None, face=face)
    b = recorded.box
    console.print(f"tagged {esc(performer)} at {clip.short_id}@{frame} box {b.x},{b.y},{b.width},{b.height}")


@app.command("suggest")
def suggest(
    ctx: typer.Context,
    shot: Annotated[str, typer.Argument(help="Clip id prefix, file name or slate scene/shot/take.")],
    samples: Annotated[int, typer.Option(min=2, max=256, help="Frames sampled to track faces.")] = 16,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose tags from SHOT's face tracks: one face per untagged track, with who the cast model thinks it is."""
    ws = ready_workspace(ctx)
    proj = get_project(ws, project)
    clip = Catalogue(ws.engine).get(shot, project=proj.slug)
    found = suggest_tags(ws, proj, clip, samples=samples)
    if as_json:
        _emit([f.as_json() for f in found])
        return
    _suggestions(found, f"untagged face tracks in {clip.short_id}", clip.short_id)


@app.command("tags")
def tags(ctx: typer.Context, project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """List the project's face tags."""
    ws = ready_workspace(ctx)
    rows = CastTags(ws.engine).list(get_project(ws, project).slug)
    if as_json:
        _emit([t.as_json() for t in rows])
        return
    table = Table("performer", "clip", "frame", "box")
    for t in rows:
        b = t.box
        table.add_row(esc(t.label), t.clip_hash[:12], str(t.frame), f"{b.x},{b.y},{b.width},{b.height}")
    console.print(table)


@app.command("train")
def train_cast_cmd(
    ctx: typer.Context,
    samples: Annotated[int, typer.Option(min=2, max=256, help="Frames sampled per tagged clip.")] = 16,
    project: ProjectOpt = None,
) -> None:
    """Train the project's cast model from its tags (``model train cast``); records ``model.trained/1``."""
    ws = ready_workspace(ctx)
    record = train_with_bar(ws, get_project(ws, project), build_spec(kind="cast", samples=samples))
    m = record.metrics
    console.print(
        f"model {record.model_id} (cast): {m['performers']} performers, {m['tags']} tags, "
        f"{m['seeded_tracks']} tracks, {m['observations']} face observations"
    )
    for label, c in sorted(m.get("calibration", {}).items()):
        console.print(
            f"  {esc(label)}: threshold {c['threshold']:.3f} (bound by {esc(c['bound_by'])}), "
            f"{c['held_out_accepted']:.0%} of {c['held_out_views']} held-out views accepted"
        )


@app.command("who")
def who_cmd(
    ctx: typer.Context,
    shot: Annotated[str, typer.Argument(help="Clip id prefix, file name or slate scene/shot/take.")],
    region: Annotated[str | None, typer.Option("--region", help="x,y,w,h (default: the whole frame).")] = None,
    start: Annotated[int | None, typer.Option("--start", min=0, help="First frame (default 0).")] = None,
    end: Annotated[
        int | None, typer.Option("--end", min=1, help="One past the last frame (default: clip end).")
    ] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Which performers are in SHOT's region and range, and which faces there match nobody."""
    ws = ready_workspace(ctx)
    proj = get_project(ws, project)
    clip = Catalogue(ws.engine).get(shot, project=proj.slug)
    report = who_in_clip(ws, proj, clip, start=start or 0, end=end, region=Region.parse(region) if region else None)
    if as_json:
        _emit({"clip": clip.content_hash, **report.as_json()})
        return
    table = Table("performer", "frames seen", "confidence")
    for p in report.performers:
        table.add_row(esc(p.label), ",".join(map(str, p.frames)), f"{p.confidence:.2f}")
    console.print(table)
    console.print(f"unidentified faces: {report.unidentified_faces}  (model {report.model_id}, {report.method})")


@app.command("model")
def model_cmd(ctx: typer.Context, project: ProjectOpt = None) -> None:
    """Show the project's current cast model (the one the gate uses)."""
    ws = ready_workspace(ctx)
    cast = project_cast(ws, get_project(ws, project))
    if cast is None:
        raise CastCliError("no cast model yet; run `cutproof cast train`")
    _emit(cast.record.as_dict())
