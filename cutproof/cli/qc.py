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
from cutproof.qc.plain import EXPLAIN, TITLES
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
