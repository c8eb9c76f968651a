"""``cutproof audit``: the legal audit per shot (HTML for lawyers, CSV, JSON), optionally over an OTIO timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cutproof.audit import FORMATS
from cutproof.cli import _plain
from cutproof.cli._common import ready_workspace


def audit(
    ctx: typer.Context,
    timeline: Annotated[Path | None, typer.Option(help="OpenTimelineIO timeline: audit the clips it uses.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, csv or json.")] = "html",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Report file (default: audit/<project>.<format> in --home; csv/json go to stdout when --out is '-')."
        ),
    ] = None,
    export_timeline: Annotated[
        Path | None, typer.Option(help="Write the timeline back with markers on AI-altered ranges.")
    ] = None,
    project: Annotated[str | None, typer.Option("--project", envvar="CUTPROOF_PROJECT")] = None,
) -> None:
    """Audit consent per shot: edits, performers, basis (with document hashes), sign-offs, labels, flags."""
    # the audit: loaded when an audit runs, not by --help; it reads the workspace as plain SQL (on the embedded
    # SQLite file without SQLAlchemy)
    from cutproof.audit.build import build_audit
    from cutproof.audit.report import to_csv, to_json, write_report
    from cutproof.core.project_logs import find_project, open_project_log

    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    if export_timeline and not timeline:
        raise typer.BadParameter("--export-timeline needs --timeline")
    ws = ready_workspace(ctx)
    p = find_project(ws, project)
    log = open_project_log(ws, p)
    if timeline:
        from cutproof.audit.timeline import audit_timeline  # OpenTimelineIO: only for an audit over a timeline

        report, tl = audit_timeline(ws, p, timeline, log=log)
    else:
        report, tl = build_audit(ws, p, log=log), None
    if out is not None and str(out) == "-" and fmt != "html":
        print(to_csv(report) if fmt == "csv" else to_json(report), end="")
        return
    target = out or ws.home / "audit" / f"{p.slug}.{fmt}"
    written = write_report(report, log, fmt, target)
    s = report.summary()
    _plain.console.print(
        f"Audit of [bold]{p.slug}[/]: {s['shots']} shots, {s['edit_requests']} edit requests, "
        f"{s['delivered']} delivered, {s['denied']} denied, {s['awaiting_review']} awaiting review, "
        f"[{'red' if s['flagged_shots'] else 'green'}]{s['flagged_shots']} shots flagged[/]"
    )
    _plain.console.print(
        f"Report: {_plain.esc(target)}" + (f" (+ {len(written) - 1} receipts)" if len(written) > 1 else "")
    )
    if tl is not None and export_timeline:
        from cutproof.audit.timeline import footage_rate, mark_timeline, write_timeline
        from editor import ClipReader  # the footage's frame rate: only when a timeline is written

        n = mark_timeline(tl, report)
        write_timeline(tl, export_timeline, rate=footage_rate(ClipReader(ws.database).list(project=p.slug)))
        _plain.console.print(f"Timeline with {n} AI-edit markers: {_plain.esc(export_timeline)}")
