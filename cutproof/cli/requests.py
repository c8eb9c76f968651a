"""``cutproof request …`` and ``cutproof jobs …``: the gated edit flow from the command line.

The same path as the API: submit → decision (with reasons) → review → render job → labelled deliverable.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from cutproof.cli._app import command_group
from cutproof.cli._common import cli_identity, console, esc, ready_workspace
from cutproof.cli._progress import jobs_bar
from cutproof.core.jobs import Job, JobQueue
from cutproof.core.projects import get_project
from cutproof.core.settings import Settings
from cutproof.edits.flow import sign_review, submit
from cutproof.edits.gate import GateResult
from cutproof.edits.requests import RequestStore
from cutproof.edits.resubmit import resubmit
from cutproof.edits.submission import EditSubmission
from cutproof.scale.engine import run_jobs

request_app = command_group(help="Submit gated edit requests and review them.", no_args_is_help=True)
jobs_app = command_group(help="Render jobs: run, list, cancel.", no_args_is_help=True)
ProjectOpt = Annotated[str | None, typer.Option("--project", envvar="CUTPROOF_PROJECT")]
EXIT = {"allow": 0, "deny": 3, "review": 4}


def _param(text: str) -> tuple[str, Any]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise typer.BadParameter(f"--param {text!r} must be KEY=VALUE (VALUE may be JSON)")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


def _run_jobs(ws: Any, render_workers: int | None = None, *, quiet: bool = False) -> int:
    """Run every runnable job now and wait for it: in this process, or on the Ray cluster of
    ``CUTPROOF_RAY_ADDRESS`` (``cutproof.scale``); ``render_workers`` overrides ``CUTPROOF_RENDER_WORKERS``. A bar
    per running job follows the job table on a terminal (``cutproof.cli._progress``; none with ``quiet``)."""

    def show(job: Job) -> None:
        colour = "green" if job.state == "succeeded" else "red"
        console.print(f"job {job.job_id[:12]} [{colour}]{job.state}[/] {esc(job.error or '')}")
        if job.result and job.result.get("deliverable"):
            console.print(f"  deliverable: {esc(job.result['deliverable'])}")

    settings = Settings()
    if render_workers is not None:
        settings = settings.model_copy(update={"render_workers": render_workers})
    with jobs_bar(ws, quiet=quiet):
        return len(run_jobs(ws, settings, on_done=show))


@request_app.command("submit")
def submit_cmd(
    ctx: typer.Context,
    shot: Annotated[str, typer.Argument(help="Catalogue clip id (prefix) or shot name.")],
    kind: Annotated[str, typer.Option(help="relight, eyeline, background or dialogue.")],
    purpose: Annotated[str, typer.Option(help="e.g. continuity, performance_change, dubbing.")],
    performer: Annotated[list[str] | None, typer.Option(help="Performer id the edit touches (repeat).")] = None,
    region: Annotated[str | None, typer.Option(help="x,y,w,h")] = None,
    start: Annotated[int | None, typer.Option()] = None,
    end: Annotated[int | None, typer.Option()] = None,
    param: Annotated[list[str] | None, typer.Option(help="KEY=VALUE render parameter (repeat).")] = None,
    target_language: Annotated[str | None, typer.Option()] = None,
    output_role: Annotated[str, typer.Option(help="distribution_master or intermediate")] = "distribution_master",
    ad_break: Annotated[
        list[float] | None,
        typer.Option(
            help="Seconds where the programme resumes after an ad break; the AI icon is shown again (repeat)."
        ),
    ] = None,
    wait: Annotated[bool, typer.Option(help="Render an allowed edit now, in this process.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    project: ProjectOpt = None,
) -> None:
    """Submit an edit through the gate; exit 0 allow, 3 deny, 4 review."""
    ws = ready_workspace(ctx)
    p = get_project(ws, project)
    sub = EditSubmission.model_validate({
        "shot": shot, "kind": kind, "purpose": purpose, "performers": performer or [], "region": region,
        "start": start, "end": end, "params": dict(_param(x) for x in param or []),
        "target_language": target_language, "output_role": output_role, "ad_breaks": ad_break or [],
    })  # fmt: skip
    gate, job = submit(ws, p, sub, identity=cli_identity())
    _show_decision(gate, job, as_json=as_json)
    if job and wait:
        _run_jobs(ws, quiet=as_json)
    raise typer.Exit(EXIT[gate.decision.outcome])


@request_app.command("resubmit")
def resubmit_cmd(
    ctx: typer.Context,
    request_id: Annotated[str, typer.Argument(help="The request that ended without a deliverable.")],
    wait: Annotated[bool, typer.Option(help="Render an allowed edit now, in this process.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    project: ProjectOpt = None,
) -> None:
    """Submit a failed, cancelled, denied or rejected request again, as it was: a new request the gate decides
    afresh (consent as it stands now); exit 0 allow, 3 deny, 4 review."""
    ws = ready_workspace(ctx)
    _old, gate, job = resubmit(ws, get_project(ws, project), request_id, identity=cli_identity())
    if not as_json:
        console.print(f"request {esc(request_id)} submitted again as {gate.request_id}")
    _show_decision(gate, job, as_json=as_json)
    if job and wait:
        _run_jobs(ws, quiet=as_json)
    raise typer.Exit(EXIT[gate.decision.outcome])


def _show_decision(gate: GateResult, job: Job | None, *, as_json: bool) -> None:
    """A decision as ``submit`` and ``resubmit`` print it: one JSON object, or the outcome with its reasons."""
    d = gate.decision
    if as_json:
        print(
            json.dumps(
                {
                    "request_id": gate.request_id,
                    "decision_index": gate.decision_index,
                    "job_id": job.job_id if job else None,
                    **d.to_json(),
                },
                sort_keys=True,
            )
        )
    else:
        colour = {"allow": "green", "deny": "red", "review": "yellow"}[d.outcome]
        console.print(f"request {gate.request_id}: [{colour} bold]{d.outcome}[/] (ledger entry {gate.decision_index})")
        for r in d.reasons:
            console.print(f"  {r.effect:6} {esc(r.rule_id)}: {esc(r.explanation)} [dim]({esc(r.citation)})[/]")
        console.print(f"  obligations: {esc(d.obligations.summary())}")


@request_app.command("review")
def review_cmd(
    ctx: typer.Context,
    request_id: str,
    note: Annotated[str, typer.Option(help="Why (recorded in the ledger).")],
    approve: Annotated[bool, typer.Option("--approve/--reject")] = True,
    deep_fake: Annotated[
        bool | None,
        typer.Option(
            "--deep-fake/--not-deep-fake",
            help="Answer the review's deep-fake question (Art. 3(60)); an approval must answer it when asked.",
        ),
    ] = None,
    project: ProjectOpt = None,
) -> None:
    """Approve or reject an edit request awaiting legal review."""
    ws = ready_workspace(ctx)
    answers = {"deep_fake": deep_fake} if deep_fake is not None else None
    record, job = sign_review(
        ws, get_project(ws, project), request_id, approve=approve, note=note, reviewer=cli_identity(), answers=answers
    )
    console.print(
        f"request {esc(request_id)}: {record.state} (ledger entry {record.review_index})"
        + (f"; render job {job.job_id} queued" if job else "")
    )


@request_app.command("list")
def list_cmd(ctx: typer.Context, state: str | None = None, project: ProjectOpt = None) -> None:
    """List edit requests and where they stand."""
    ws = ready_workspace(ctx)
    table = Table("request", "shot clip", "edit", "decision", "state", "deliverable / submitted again as")
    for r in RequestStore(ws.engine).list(get_project(ws, project).slug, state=state):
        table.add_row(
            r.request_id[:12],
            r.clip_hash[:12],
            esc(f"{r.submission['kind']}/{r.submission['purpose']}"),
            r.outcome,
            r.state,
            esc((r.deliverable or "").rsplit("/", 1)[-1] or (r.resubmitted_as or "")[:12]),
        )
    console.print(table)


@jobs_app.command("run")
def jobs_run(
    ctx: typer.Context,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            help="Render and watermark each edit's video in segments on this many worker processes (0: one per "
            "core; default CUTPROOF_RENDER_WORKERS, else 1); the output is the same as in one piece. Ignored "
            "with CUTPROOF_RAY_ADDRESS: the segments are Ray tasks.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress bar (none is drawn unless on a terminal).")
    ] = False,
) -> None:
    """Run every queued job now (render, training, QC batch): in this process, or on the Ray cluster of
    CUTPROOF_RAY_ADDRESS when set (the server does this in its worker pool or through its Ray dispatcher)."""
    n = _run_jobs(ready_workspace(ctx), workers, quiet=quiet)
    console.print(f"{n} job(s) run")


@jobs_app.command("list")
def jobs_list(ctx: typer.Context, project: ProjectOpt = None) -> None:
    """List render jobs."""
    ws = ready_workspace(ctx)
    table = Table("job", "state", "progress", "message", "error")
    for j in JobQueue(ws.engine).list(get_project(ws, project).slug):
        table.add_row(j.job_id[:12], j.state, f"{j.progress:.0%}", esc(j.message), esc(j.error or ""))
    console.print(table)


@jobs_app.command("cancel")
def jobs_cancel(ctx: typer.Context, job_id: str, project: ProjectOpt = None) -> None:
    """Cancel a queued or running render job."""
    ws = ready_workspace(ctx)
    job = JobQueue(ws.engine).cancel(job_id, get_project(ws, project).slug)
    console.print(f"job {job.job_id}: {job.state}{' (cancellation requested)' if job.cancel_requested else ''}")
