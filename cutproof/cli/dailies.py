"""``cutproof dailies …``: ingest and catalogue camera files.

App layer: when the workspace has a project (``--project`` / ``CUTPROOF_PROJECT``, or the only project), ingest
appends ``dailies.ingested/1`` entries to that project's log (``cutproof.dailies.ingest``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cutproof.cli._app import command_group
from cutproof.cli._common import cli_identity, console, err_console, esc, ready_workspace
from cutproof.cli._project import JsonOpt, ProjectOpt, project_slug
from cutproof.dailies.ingest import ingest_dailies
from cutproof.dailies.provenance import provenance_of
from editor.catalogue import Catalogue

dailies_app = command_group(help="Ingest and catalogue dailies.", no_args_is_help=True)


# --- dailies ---------------------------------------------------------------------------------------------------
@dailies_app.command("ingest")
def dailies_ingest(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder of camera files (searched recursively).")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify, hash and catalogue every camera file in FOLDER; bad files are reported and left out."""
    ws = ready_workspace(ctx)
    slug = project_slug(ws, project)
    report = ingest_dailies(ws, slug, folder, identity=cli_identity())
    flagged = 0
    for f in report.files:
        camera = provenance_of(ws.engine, f.clip.content_hash) if f.clip else None
        flagged += bool(camera and camera.flagged)
        if as_json:
            print(
                json.dumps(
                    {
                        "file": str(f.path),
                        "outcome": f.outcome,
                        "reason": f.reason,
                        "content_hash": f.clip.content_hash if f.clip else None,
                        "camera_manifest": camera.as_json() if camera else None,
                    },
                    sort_keys=True,
                )
            )
        elif f.outcome == "rejected":
            err_console.print(f"[red]rejected[/] {esc(f.path.name)}: {esc(f.reason)}")
        else:
            assert f.clip is not None
            console.print(f"{f.outcome:>18} {esc(f.path.name)}  {f.clip.short_id}  {esc(f.clip.slate.label or '')}")
            if camera is not None and camera.flagged:
                err_console.print(
                    f"[bold red]FLAGGED[/] {esc(f.path.name)}: {esc(camera.describe())} — catalogued, but its camera "
                    "provenance does not hold (altered after capture, or a bad signature); deliverables carry the "
                    "camera manifest with its failure recorded"
                )
            elif camera is not None:
                console.print(f"{'':>18} {esc(camera.describe())}")
    if not as_json:
        console.print(
            f"{len(report.added)} added, {len(report.files) - len(report.added) - len(report.rejected)} "
            f"already catalogued, {len(report.rejected)} rejected"
            + (f", {flagged} flagged (camera manifest invalid)" if flagged else "")
        )
    if report.rejected:
        raise typer.Exit(1)


@dailies_app.command("list")
def dailies_list(ctx: typer.Context, project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """List the catalogued clips."""
    ws = ready_workspace(ctx)
    clips = Catalogue(ws.engine).list(project)
    if as_json:
        for c in clips:
            print(json.dumps(c.as_dict(), sort_keys=True))
        return
    table = Table("clip", "file", "scene/shot/take", "codec", "size", "fps", "frames", "timecode", "audio")
    for c in clips:
        i = c.info
        table.add_row(
            c.short_id,
            esc(c.path.name),
            esc(c.slate.label or "—"),
            esc(i.codec),
            f"{i.width}×{i.height}",
            f"{i.frame_rate}",
            str(i.frame_count),
            esc(i.timecode or "—"),
            str(len(i.audio)),
        )
    console.print(table)


@dailies_app.command("set")
def dailies_set(
    ctx: typer.Context,
    clip: Annotated[str, typer.Argument(help="Clip: content hash prefix, file name or scene/shot/take.")],
    scene: Annotated[str | None, typer.Option(help="Scene (e.g. 012).")] = None,
    shot: Annotated[str | None, typer.Option(help="Shot/set-up (e.g. A).")] = None,
    take: Annotated[int | None, typer.Option(help="Take number.")] = None,
) -> None:
    """Set a clip's scene/shot/take by hand."""
    c = Catalogue(ready_workspace(ctx).engine).set_slate(clip, scene=scene, shot=shot, take=take)
    console.print(f"{esc(c.path.name)}: {esc(c.slate.label or (c.slate.scene, c.slate.shot, c.slate.take))}")
