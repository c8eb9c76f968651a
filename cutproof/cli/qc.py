"""``cutproof qc verify FILE``: delivery QC of one file (exit 0 pass, 1 fail, 2 could not check);
``cutproof qc verify-batch DIR|LIST``: every deliverable of a delivery, in parallel, with one summary report."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from cutproof.cli._app import command_group
from cutproof.cli._common import console, err_console, esc, ready_workspace
from cutproof.core.errors import USER_ERRORS
from cutproof.core.projects import get_project
from cutproof.qc.plain import EXPLAIN, TITLES
from cutproof.qc.verify import QcInputError, QcReport, verify_deliverable

app = command_group(help="Delivery QC: verify a deliverable before distribution.", no_args_is_help=True)


@app.command("verify-batch")
def verify_batch(
    ctx: typer.Context,
    source: Annotated[
        Path, typer.Argument(help="A directory of deliverables (video files, recursively) or a text file of paths.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary report as JSON.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(min=0, help="Worker processes (default CUTPROOF_QC_WORKERS, else one per core; ignored on Ray)."),
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", envvar="CUTPROOF_PROJECT", help="Project slug every file must belong to.")
    ] = None,
) -> None:
    """Verify every deliverable of SOURCE in parallel (on the Ray cluster of CUTPROOF_RAY_ADDRESS when set);
    each file's verdict is the one `cutproof qc verify` gives it. Exit 0 all pass, 1 any fail or could not be
    checked, 2 bad input (nothing checked)."""
    from cutproof.core.settings import Settings
    from cutproof.qc.batch import QcBatchInputError, collect_inputs, verify_many
    from cutproof.scale.engine import qc_executors

    ws = ready_workspace(ctx)
    try:
        origin = get_project(ws, project).origin if project else None
        paths = collect_inputs(source)
    except QcBatchInputError as exc:
        err_console.print(f"cutproof: {esc(exc)}")
        raise typer.Exit(2) from None
    except USER_ERRORS as exc:
        err_console.print(f"cutproof: cannot start the batch: {esc(exc)}")
        raise typer.Exit(2) from None
    settings = Settings()
    if workers is not None:
        settings = settings.model_copy(update={"qc_workers": workers})
    report = _run_batch(ws, paths, settings, origin, quiet=as_json, verify_many=verify_many, executors=qc_executors)
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        _print_batch(report)
    raise typer.Exit(0 if report.passed else 1)


def _run_batch(ws: Any, paths: list[Path], settings: Any, origin: str | None, *, quiet: bool, verify_many: Any,
               executors: Any) -> Any:  # fmt: skip
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    executor = executors(settings)()
    columns = (TextColumn("QC"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[last]}", markup=False))
    with Progress(*columns, TimeElapsedColumn(), console=err_console, disable=quiet) as bar:
        task = bar.add_task("qc", total=len(paths), last="")

        def advance(finished: int, _total: int, _i: int, entry: dict[str, Any]) -> None:
            bar.update(task, completed=finished, last=f"{Path(entry['file']).name}: {entry['verdict']}")

        try:
            return verify_many(ws, paths, executor, origin=origin, on_result=advance)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


def _print_batch(report: Any) -> None:
    colour = {"pass": "green", "fail": "red", "could not check": "yellow"}
    for f in report.files:
        console.print(f"[{colour[f['verdict']]}]{f['verdict'].upper():15}[/] {esc(f['file'])}")
        for c in f["failures"]:
            console.print(f"    FAIL {esc(c['name'])}" + (f" — {esc(c['reason'])}" if c["reason"] else ""))
        if f["error"]:
            console.print(f"    {esc(f['error'])}")
    counts = report.counts
    console.print(
        f"[bold]{len(report.files)} files[/]: {counts['pass']} pass, {counts['fail']} fail, "
        f"{counts['could not check']} could not check — batch "
        + ("[green]PASS[/]" if report.passed else "[red]FAIL[/]")
    )


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
        err_console.print(f"cutproof: could not check: {esc(exc)}")
        raise typer.Exit(2) from None
    except USER_ERRORS as exc:
        err_console.print(f"cutproof: could not check {esc(file.name)}: {esc(exc)}")
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
    console.print(f"[bold]{esc(report.file)}[/bold] — QC [{colour[report.verdict]}]{report.verdict.upper()}[/]")
    for note in report.notes:
        console.print(f"  note: {esc(note)}")
    for c in report.checks:
        line = f"  [{colour[str(c.status)]}]{str(c.status).upper():4}[/] {esc(c.name)}"
        console.print(line + (f" — {esc(c.reason)}" if c.reason else ""))


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
