"""``cutproof qc verify FILE``: delivery QC of one file (exit 0 pass, 1 fail, 2 could not check)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from cutproof.cli._common import console, err_console, ready_workspace
from cutproof.core.errors import USER_ERRORS
from cutproof.core.projects import get_project
from cutproof.qc.verify import QcInputError, QcReport, verify_deliverable

app = typer.Typer(help="Delivery QC: verify a deliverable before distribution.", no_args_is_help=True)


@app.command("verify")
def verify(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The deliverable (MP4/MOV; any video for watermark recovery).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a readable HTML report here.")] = None,
    project: Annotated[
        str | None, typer.Option("--project", envvar="CUTPROOF_PROJECT", help="Project slug the file must belong to.")
    ] = None,
) -> None:
    """Check manifest, hard binding, watermark, ledger proof, decision, consent and disclosure of FILE."""
    ws = ready_workspace(ctx)
    try:
        origin = get_project(ws, project).origin if project else None
        report = verify_deliverable(ws, file, origin=origin)
    except QcInputError as exc:
        err_console.print(f"cutproof: could not check: {exc}")
        raise typer.Exit(2) from None
    except USER_ERRORS as exc:
        err_console.print(f"cutproof: could not check {file.name}: {exc}")
        raise typer.Exit(2) from None
    if html is not None:
        write_html(report, html)
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        _print(report)
    raise typer.Exit(0 if report.passed else 1)


def _print(report: QcReport) -> None:
    colour = {"pass": "green", "fail": "red", "skip": "yellow"}
    console.print(f"[bold]{report.file}[/bold] — QC [{colour[report.verdict]}]{report.verdict.upper()}[/]")
    for note in report.notes:
        console.print(f"  note: {note}")
    for c in report.checks:
        line = f"  [{colour[str(c.status)]}]{str(c.status).upper():4}[/] {c.name}"
        console.print(line + (f" — {c.reason}" if c.reason else ""))


def write_html(report: QcReport, dest: Path) -> None:
    """Render the report with ``cutproof/qc/templates/qc_report.html.j2`` and write it atomically."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("cutproof.qc", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    text = env.get_template("qc_report.html.j2").render(r=report.to_json(), explain=EXPLAIN, titles=TITLES)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, dest)


EXPLAIN = {
    "c2pa_manifest": "A signed statement inside the file saying it was edited with AI, "
    "signed by this production's certificate.",
    "hard_binding": "The signature covers the file's exact bytes: any change after delivery is detected.",
    "watermark": "An invisible mark in the pictures that survives re-encoding and points back to the edit record.",
    "audio_watermark": "A mark in the dialogue track carrying the same key: extra evidence, and a way back to "
    "the edit record when the pictures lost theirs. Not applicable to files without sound.",
    "ledger_entry": "The edit is recorded in the production's tamper-evident log.",
    "ledger_receipt": "A cryptographic receipt in the file proves the log contains that record.",
    "ledger_consistency": "The log has only grown since the receipt was issued: nothing was rewritten.",
    "label_recorded": "The log records that this exact label was issued for the edit.",
    "decision": "The consent and policy gate allowed the edit (or legal approved it after review).",
    "consent_at_edit": "The performers' consent relied on was in force when the edit was made.",
    "consent_current": "No consent relied on has been revoked or suspended since the edit.",
    "disclosure": "The AI disclosure required for this release (on-screen badge, end credits, sidecar) is present.",
}

TITLES = {
    "c2pa_manifest": "Content Credentials (C2PA)",
    "hard_binding": "File unchanged since signing",
    "watermark": "Invisible watermark",
    "audio_watermark": "Audio watermark",
    "ledger_entry": "Edit record in the ledger",
    "ledger_receipt": "Ledger receipt",
    "ledger_consistency": "Ledger consistency",
    "label_recorded": "Label recorded",
    "decision": "Gate decision",
    "consent_at_edit": "Consent at the time of the edit",
    "consent_current": "Consent still in force",
    "disclosure": "AI disclosure",
}
