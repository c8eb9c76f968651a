"""``cutproof demo``: the whole product end to end, on the embedded SQLite database, in a few minutes.

A fresh workspace (``./demo-output`` unless ``--home``) → a project → the dailies in ``../shared/footage`` (or, when
absent, clips the demo generates, and it says so) → performers and consents → a lighting model trained on the
dailies → three gated edit requests: one allowed (a relight of a region with nobody in it), one denied (no
consent), one that needs review and is approved by a legal user → render and label → QC on the deliverables
(pass), on a tampered copy (fail) and on a metadata-stripped transcode (recovered via the watermark) → the legal
audit → the ledger checked end to end (fsck, consistency, tiles export).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from consent import ConsentRegistry
from cutproof.audit import build_audit
from cutproof.audit_report import write_report
from cutproof.cli._common import console
from cutproof.demo_footage import generate_footage
from cutproof.flow import job_handlers, sign_review, submit
from cutproof.gate import EditSubmission
from cutproof.jobs import JobQueue, WorkerPool
from cutproof.projects import ProjectContext, create_project, project_log
from cutproof.qc import verify_deliverable
from cutproof.requests import RequestStore
from cutproof.workspace import MARKER, Workspace
from editor import Catalogue, ModelRegistry, ingest_folder
from editor.video_io import transcode
from ledger.export import export_tiles
from ledger.fsck import fsck

DEMO_HOME = Path("demo-output")
FOOTAGE = Path(__file__).resolve().parents[1].parent / "shared" / "footage"
IDENTITY = "demo:editor@cutproof"
LEGAL = "demo:legal@cutproof"


@dataclass
class DemoResult:
    """What the demo produced (the test checks it; the console shows it)."""

    home: Path
    used_real_footage: bool
    outcomes: dict[str, str] = field(default_factory=dict)
    deliverables: list[Path] = field(default_factory=list)
    qc: dict[str, str] = field(default_factory=dict)
    audit_html: Path | None = None
    seconds: float = 0.0


def _step(n: int, title: str) -> None:
    console.rule(f"[bold]{n}. {title}")


def _fresh(home: Path) -> Workspace:
    if home.exists():
        if not (home / MARKER).is_file() and any(home.iterdir()):
            raise typer.BadParameter(f"{home} exists and is not a Cutproof workspace; move it or pass another --home")
        shutil.rmtree(home)
    ws = Workspace(home)
    ws.init()
    return ws


def _dailies(ws: Workspace, footage: Path | None) -> tuple[dict[str, Any], bool]:
    src = ws.home / "camera-cards"
    src.mkdir()
    real = footage is not None and footage.is_dir() and any(footage.glob("*.mp4"))
    if real:
        assert footage is not None
        for f in sorted(footage.iterdir()):
            if f.suffix.lower() in (".mp4", ".mpg", ".flv"):
                (src / f.name).symlink_to(f.resolve())
        console.print(f"Ingesting the real footage in {footage} (3 people, 8 takes).")
    else:
        console.print(f"[yellow]No footage at {footage}: generating synthetic clips instead (no real faces).[/]")
        generate_footage(src)
    report = ingest_folder(src, Catalogue(ws.engine), project="demo-film")
    table = Table("clip", "codec", "size", "frames", "rate", "outcome")
    for f in report.files:
        info = f.clip.info if f.clip else None
        table.add_row(
            f.path.name,
            info.codec if info else "",
            f"{info.width}x{info.height}" if info else "",
            str(info.frame_count) if info else "",
            str(info.frame_rate) if info else "",
            f.outcome + (f" ({f.reason})" if f.reason else ""),
        )
    console.print(table)
    return {c.path.name: c for c in report.clips}, real


def _consents(ws: Workspace, log: Any) -> dict[str, str]:
    reg = ConsentRegistry(ws.engine, ws.blobs, log)
    docs = ws.home / "signed-documents"
    docs.mkdir()
    now = datetime.now(UTC)
    people = {
        "grid": reg.register_performer(
            name="GRID talker",
            kind="principal",
            guild="SAG-AFTRA",
            guild_id="DEMO-2",
            representation="union",
            identity=LEGAL,
        ),
        "crema": reg.register_performer(
            name="CREMA-D actor 1001", kind="principal", guild="SAG-AFTRA", guild_id="DEMO-1", identity=LEGAL
        ),
        "obama": reg.register_performer(name="Weekly-address speaker", kind="principal", identity=LEGAL),
    }
    doc = docs / "grid-background-consent.pdf"
    doc.write_bytes(b"%PDF-1.4 demo: separately signed consent of the GRID talker to background replacement\n")
    grant = reg.grant(
        people["grid"].performer_id, category="digital_alteration", edit_kinds=["background"],
        purposes=["continuity"], document=doc, signed_by="performer", contract_edition="sag-aftra-tv-theatrical-2026",
        use_description="Replace the background of the GRID talker's take with the plate of the other set-up, "
                        "for continuity between the two takes", valid_from=now - timedelta(days=30), identity=LEGAL,
    )  # fmt: skip
    table = Table("performer", "id", "consent on file")
    table.add_row("GRID talker", people["grid"].performer_id, f"{grant.grant_id}: background / continuity")
    table.add_row("CREMA-D actor 1001", people["crema"].performer_id, "none")
    table.add_row("Weekly-address speaker", people["obama"].performer_id, "none")
    console.print(table)
    console.print("Each registration and grant is a ledger entry carrying ids and the document hash, no names.")
    return {k: p.performer_id for k, p in people.items()}


def _train_lighting(ws: Workspace, clips: dict[str, Any], steps: int) -> str:
    from cutproof.cli.main import app

    names = sorted(clips)[:3]
    args = ["--home", str(ws.home), "model", "train", "lighting", "--project", "demo-film", "--steps", str(steps)]
    for n in names:
        args += ["--clips", clips[n].short_id]
    app(args, standalone_mode=False)
    return ModelRegistry(ws.engine, ws.blobs).list(kind="lighting", project="demo-film")[0].model_id


def _run_jobs(ws: Workspace) -> None:
    pool = WorkerPool(JobQueue(ws.engine), job_handlers(ws))
    while (job := pool.run_one()) is not None:
        colour = "green" if job.state == "succeeded" else "red"
        console.print(f"  render job {job.job_id[:12]}: [{colour}]{job.state}[/] {job.error or ''}")


def _decide(ws: Workspace, project: Any, label: str, sub: EditSubmission, result: DemoResult) -> Any:
    gate, _job = submit(ws, project, sub, identity=IDENTITY)
    d = gate.decision
    colour = {"allow": "green", "deny": "red", "review": "yellow"}[d.outcome]
    console.print(
        f"[bold]{label}[/]: {sub.kind} / {sub.purpose} on {sub.shot} → [{colour} bold]{d.outcome}[/] "
        f"(ledger entry {gate.decision_index})"
    )
    for r in d.deciding_reasons()[:3]:
        console.print(f"    {r.rule_id}: {r.explanation}")
    result.outcomes[label] = d.outcome
    return gate


def _qc(ws: Workspace, origin: str, path: Path, label: str, result: DemoResult) -> None:
    report = verify_deliverable(ws, path, origin=origin)
    colour = "green" if report.passed else "red"
    how = " — manifest stripped, recovered from watermark" if report.recovered_via_watermark else ""
    console.print(f"QC {label}: [{colour} bold]{report.verdict}[/]{how}")
    for c in report.failures()[:2]:
        console.print(f"    failed: {c.name}: {c.reason}")
    result.qc[label] = report.verdict + (" (watermark)" if report.recovered_via_watermark else "")


def run_demo(home: Path = DEMO_HOME, footage: Path | None = FOOTAGE, *, train_steps: int = 150) -> DemoResult:
    """Run the whole demo in a fresh workspace at ``home``."""
    t0 = time.perf_counter()
    _step(1, "Workspace and project")
    ws = _fresh(home)
    ctx = ProjectContext(
        principal_photography_start=date(2026, 9, 7), distribution_territories=("US", "EU"), evidently_artistic=True
    )
    project = create_project(ws, "demo-film", "Demo Film", ctx, identity=IDENTITY)
    log = project_log(ws, project)
    console.print(f"Workspace {ws.home} (SQLite), project demo-film, ledger log {project.origin}")

    _step(2, "Dailies")
    clips, real = _dailies(ws, footage)
    result = DemoResult(ws.home, real)

    _step(3, "Performers and consent (legal)")
    people = _consents(ws, log)

    _step(4, "Per-project model, trained only on these dailies")
    model_id = _train_lighting(ws, clips, train_steps)
    console.print(f"lighting model {model_id[:16]}… (its id is the hash of its training manifest)")

    _step(5, "Gated edit requests")
    names = sorted(clips)
    wide = next((n for n in names if n.startswith("obama")), names[-1])
    grid = next((n for n in names if n.startswith("grid_pwij")), names[0])
    plate = next((n for n in names if n.startswith("grid_id2")), names[1])
    crema = next((n for n in names if n.startswith("crema")), names[0])
    w = clips[wide].info
    corner = f"0,0,{w.width // 4},{w.height // 4}"
    allowed = _decide(ws, project, "allowed", EditSubmission(
        shot=clips[wide].short_id, kind="relight", purpose="continuity", region=corner, end=min(w.frame_count, 48),
        params={"exposure": 0.4, "model": model_id}), result)  # fmt: skip
    _decide(ws, project, "denied", EditSubmission(
        shot=clips[crema].short_id, kind="background", purpose="story_change", performers=(people["crema"],),
        params={"plate": clips[plate].short_id}), result)  # fmt: skip
    reviewed = _decide(ws, project, "review", EditSubmission(
        shot=clips[grid].short_id, kind="background", purpose="continuity", performers=(people["grid"],),
        end=min(clips[grid].info.frame_count, 50), params={"plate": clips[plate].short_id}), result)  # fmt: skip
    if reviewed.decision.outcome == "review":
        record, _ = sign_review(
            ws,
            project,
            reviewed.request_id,
            approve=True,
            reviewer=LEGAL,
            note="Background only; the performer's picture is unchanged; consent on file.",
        )
        console.print(f"legal sign-off: approved (ledger entry {record.review_index})")

    _step(6, "Render and label (watermark keyed to the ledger entry, C2PA manifest, disclosure)")
    _run_jobs(ws)
    store = RequestStore(ws.engine)
    for gate in (allowed, reviewed):
        rec = store.get(gate.request_id, project.slug)
        if rec.deliverable:
            result.deliverables.append(Path(rec.deliverable))
            console.print(f"  delivered {rec.deliverable} (edit entry {rec.edit_index}, label entry {rec.label_index})")

    _step(7, "Delivery QC")
    attacks = ws.home / "qc-attacks"
    attacks.mkdir()
    for d in result.deliverables:
        _qc(ws, project.origin, d, d.name, result)
    if result.deliverables:
        src = result.deliverables[-1]
        tampered = attacks / f"tampered-{src.name}"
        shutil.copyfile(src, tampered)
        data = bytearray(tampered.read_bytes())
        data[len(data) // 2] ^= 0xFF
        tampered.write_bytes(bytes(data))
        _qc(ws, project.origin, tampered, "tampered copy (one byte flipped)", result)
        stripped = transcode(src, attacks / f"transcoded-{src.stem}.mp4", crf=28)
        _qc(ws, project.origin, stripped, "metadata stripped + H.264 CRF 28 transcode", result)

    _step(8, "Legal audit")
    report = build_audit(ws, project)
    result.audit_html = ws.home / "audit" / "demo-film.html"
    write_report(report, log, "html", result.audit_html)
    write_report(report, log, "csv", ws.home / "audit" / "demo-film.csv")
    s = report.summary()
    console.print(
        f"{s['shots']} shots · {s['edit_requests']} edit requests · {s['delivered']} delivered · "
        f"{s['denied']} denied · {s['flagged_shots']} shots flagged"
    )
    for shot in report.flagged:
        console.print(f"  {shot.file_name}: {', '.join(shot.flags)}")

    _step(9, "The ledger, checked end to end")
    checks = fsck(ws.engine, [project.origin])
    console.print(f"fsck: {'clean' if all(c.ok for c in checks) else 'CORRUPTION'} — {log.size()} entries re-derived")
    export_tiles(log, ws.home / "tlog-tiles")
    console.print(f"static tlog-tiles export: {ws.home / 'tlog-tiles'}")
    result.seconds = time.perf_counter() - t0
    console.rule("[bold]Done")
    console.print(f"Deliverables: {ws.home / 'deliverables' / 'demo-film'}")
    console.print(f"Audit report (HTML, for lawyers): {result.audit_html}")
    console.print(f"QC reports: run `cutproof --home {ws.home} qc verify FILE --html REPORT.html`")
    console.print(f"Finished in {result.seconds:.0f} s.")
    return result


def demo(
    ctx: typer.Context,
    ledger_only: Annotated[bool, typer.Option("--ledger-only", help="Only the few-second ledger tour.")] = False,
    footage: Annotated[Path, typer.Option(help="Folder of camera files to use as dailies.")] = FOOTAGE,
    train_steps: Annotated[int, typer.Option(help="Lighting-model training steps.")] = 150,
) -> None:
    """Run the end-to-end demo in a fresh workspace (./demo-output unless --home is given)."""
    if ledger_only:
        from cutproof.demo_ledger import demo as ledger_demo

        ledger_demo(ctx)
        return
    root = ctx.find_root()
    source = root.get_parameter_source("home")
    home = root.params["home"] if getattr(source, "name", "DEFAULT") != "DEFAULT" else DEMO_HOME
    run_demo(Path(home), footage, train_steps=train_steps)
