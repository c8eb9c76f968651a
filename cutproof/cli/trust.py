"""``cutproof trust camera …``: the camera CAs whose C2PA manifests this workspace trusts.

Dailies from cameras that sign what they record carry a C2PA manifest signed under the camera maker's CA. Ingest
validates it against the roots registered here (``<home>/keys/c2pa/camera-anchors.pem``): signed by a registered
camera CA → ``trusted``; valid but not on this list → ``valid-untrusted``; broken → ``invalid`` (flagged).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cutproof.cli._app import command_group
from cutproof.cli._common import console, esc, ready_workspace
from labeler.camera import add_camera_anchor, list_camera_anchors, remove_camera_anchor
from labeler.errors import IdentityImportError

app = command_group(help="Trust lists: the camera CAs whose signed dailies are trusted.", no_args_is_help=True)
camera_app = command_group(
    help="The camera CAs whose C2PA-signed dailies ingest reports as trusted.", no_args_is_help=True
)
app.add_typer(camera_app, name="camera")


@camera_app.command("add")
def add(
    ctx: typer.Context,
    root: Annotated[Path, typer.Argument(help="PEM root certificate(s) of the camera maker's C2PA CA.")],
) -> None:
    """Trust a camera CA: dailies whose manifest chains to it are ingested as camera-signed, trusted."""
    ws = ready_workspace(ctx)
    try:
        pem = root.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise IdentityImportError(f"cannot read {root}: {getattr(exc, 'strerror', None) or exc}") from None
    added = add_camera_anchor(ws.keys_dir, pem)
    if not added:
        console.print(f"{esc(root.name)}: already trusted")
    for a in added:
        console.print(f"Trusting camera CA {esc(a.subject)} (sha256 {a.sha256[:16]}…, until {a.not_after[:10]})")


@camera_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per line.")] = False,
) -> None:
    """List the trusted camera CAs."""
    anchors = list_camera_anchors(ready_workspace(ctx).keys_dir)
    for a in anchors:
        if as_json:
            print(json.dumps({"subject": a.subject, "sha256": a.sha256, "not_after": a.not_after}, sort_keys=True))
        else:
            console.print(f"{a.sha256}  {esc(a.subject)}  (until {a.not_after[:10]})")
    if not anchors and not as_json:
        console.print("no camera CA is trusted: camera-signed dailies are ingested as valid-untrusted at best")


@camera_app.command("remove")
def remove(
    ctx: typer.Context,
    fingerprint: Annotated[str, typer.Argument(help="SHA-256 fingerprint (8+ hex digits) from `trust camera list`.")],
) -> None:
    """Stop trusting a camera CA (clips already ingested keep the state recorded at their ingest)."""
    gone = remove_camera_anchor(ready_workspace(ctx).keys_dir, fingerprint)
    console.print(f"No longer trusting camera CA {esc(gone.subject)} (sha256 {gone.sha256[:16]}…)")
