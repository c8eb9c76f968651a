"""``cutproof demo``: the whole product end to end, on the embedded SQLite database, in a few minutes.

A fresh workspace (``./demo-output`` unless ``--home``) → a project → the dailies in ``../shared/footage`` (or, when
absent, clips the demo generates, and it says so) → performers and consents → the models the edits use, trained
only on these dailies through the same path as ``cutproof model train`` and ``POST /trainings``: the cast model
(each performer's face tagged on a reference take they are not edited in) and the lighting model → three gated
edit requests, each decided with the cast model identifying who is in the region: one allowed (background
replacement of the performer who consented), one denied (the same edit of a performer without consent), one that
needs review for a policy reason (an EU master relit for a performance change without saying whether it is a deep
fake) and is approved by a legal user → render and label → QC on the deliverables (pass), on a tampered copy
(fail) and on a metadata-stripped transcode (recovered via the watermark) → the legal audit → the ledger checked
end to end (fsck, consistency, tiles export).

Training settings (kept small so the demo stays fast): cast model 8 frames sampled per tagged take; lighting model
150 steps (``--train-steps``) on three takes.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from consent import ConsentRegistry
from cutproof.audit.build import build_audit
from cutproof.audit.report import write_report
from cutproof.cast.project import CastTagError, tag_face
from cutproof.core.console import console
from cutproof.core.jobs import JobQueue, WorkerPool
from cutproof.core.projects import ProjectContext, create_project, project_log
from cutproof.core.workspace import MARKER, Workspace
from cutproof.dailies.ingest import ingest_dailies
from cutproof.demo.footage import generate_footage
from cutproof.demo.plate import LIBRARY, library_plate
from cutproof.demo.tsa import LoopbackTsa
from cutproof.edits.flow import job_handlers, sign_review, submit
from cutproof.edits.requests import RequestStore
from cutproof.edits.submission import EditSubmission
from cutproof.qc.verify import verify_deliverable
from cutproof.training.progress import train_with_bar
from cutproof.training.run import CastSpec, LightingSpec
from labeler.timestamps import trust_tsa
from ledger.export import export_tiles
from ledger.fsck import fsck
from media import transcode
from records import Obligations

DEMO_HOME = Path("demo-output")
FOOTAGE = Path(__file__).resolve().parents[2].parent / "shared" / "footage"
IDENTITY = "demo:editor@cutproof"
CAST_SAMPLES = 8
LEGAL = "demo:legal@cutproof"


@dataclass
class DemoResult:
    """What the demo produced (the test checks it; the console shows it)."""

    home: Path
    used_real_footage: bool
    outcomes: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=dict)
    presence: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # performer id → name (console only)
    deliverables: list[Path] = field(default_factory=list)
    qc: dict[str, str] = field(default_factory=dict)
    disclosures: dict[str, list[str]] = field(default_factory=dict)  # deliverable name → disclosure forms QC found
    review_obligations: dict[str, Any] | None = None  # what legal's answers made the reviewed edit owe
    time_stamps: int = 0  # RFC 3161 time-stamps the demo's loopback TSA issued
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
        console.print(f"Ingesting the real footage in {escape(str(footage))} (3 people, 8 takes).")
    else:
        console.print(
            f"[yellow]No footage at {escape(str(footage))}: generating synthetic clips instead (no real faces).[/]"
        )
        generate_footage(src)
    report = ingest_dailies(ws, "demo-film", src, identity=IDENTITY)
    table = Table("clip", "codec", "size", "frames", "rate", "outcome")
    for f in report.files:
        info = f.clip.info if f.clip else None
        table.add_row(
            escape(f.path.name),
            escape(info.codec) if info else "",
            f"{info.width}x{info.height}" if info else "",
            str(info.frame_count) if info else "",
            str(info.frame_rate) if info else "",
            f.outcome + (f" ({escape(f.reason)})" if f.reason else ""),
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
        purposes=["story_change"], document=doc, signed_by="performer", contract_edition="sag-aftra-tv-theatrical-2026",
        use_description="Replace the background of the GRID talker's take with a still of another set, "
                        "moving the scene there", valid_from=now - timedelta(days=30), identity=LEGAL,
    )  # fmt: skip
    doc2 = docs / "speaker-relight-consent.pdf"
    doc2.write_bytes(b"%PDF-1.4 demo: separately signed consent of the speaker to a mood relight of his address\n")
    grant2 = reg.grant(
        people["obama"].performer_id, category="digital_alteration", edit_kinds=["relight"],
        purposes=["performance_change"], document=doc2, signed_by="performer",
        contract_edition="sag-aftra-tv-theatrical-2026", valid_from=now - timedelta(days=30), identity=LEGAL,
        use_description="Relight the speaker's close-up warmer and brighter to change the mood of the address",
    )  # fmt: skip
    table = Table("performer", "id", "consent on file")
    table.add_row("GRID talker", people["grid"].performer_id, f"{grant.grant_id}: background / story_change")
    table.add_row("CREMA-D actor 1001", people["crema"].performer_id, "none")
    table.add_row(
        "Weekly-address speaker", people["obama"].performer_id, f"{grant2.grant_id}: relight / performance_change"
    )
    console.print(table)
    console.print("Each registration and grant is a ledger entry carrying ids and the document hash, no names.")
    return {k: p.performer_id for k, p in people.items()}


def _reference_takes(clips: dict[str, Any], people: dict[str, str]) -> dict[str, Any]:
    """Each performer's reference footage (a take the demo does not edit) with the frame to tag."""
    refs = {"grid": "grid_id2", "crema": "crema-d_1001_DFA_NEU", "obama": "obama-weekly-address_but"}
    return {key: next((c for n, c in sorted(clips.items()) if n.startswith(refs[key])), None) for key in people}


def _train_models(
    ws: Workspace, project: Any, clips: dict[str, Any], people: dict[str, str], names: dict[str, str], steps: int
) -> dict[str, str]:
    """Train the models the demo's edits use, through the same path as the CLI and the API."""
    models: dict[str, str] = {}
    tagged = 0
    for key, clip in _reference_takes(clips, people).items():
        if clip is None:
            continue
        n = clip.info.frame_count
        tag, why = None, ""
        for frame in (n // 2, n // 3, (2 * n) // 3):  # a frame where the detector finds exactly one face
            try:
                tag = tag_face(ws, project, clip, frame, people[key])
                break
            except CastTagError as exc:
                why = str(exc)
        if tag is None:
            console.print(f"  [yellow]no cast tag for {names[key]}[/]: {escape(why)}")
            continue
        tagged += 1
        b = tag.box
        console.print(
            f"  tagged {names[key]} ({people[key]}) on {escape(clip.path.name)}@{tag.frame}, face {b.width}x{b.height}"
        )
    if tagged:
        cast = train_with_bar(ws, project, CastSpec(kind="cast", samples=CAST_SAMPLES), identity=IDENTITY)
        models["cast"] = cast.model_id
        console.print(
            f"cast model {cast.model_id[:16]}… ({cast.metrics['performers']} performers, "
            f"{cast.metrics['observations']} face observations; {CAST_SAMPLES} frames sampled per tagged take)"
        )
    else:
        console.print(
            "[yellow]No faces to tag (generated footage): no cast model; the gate counts every face it finds in "
            "an edited region as unidentified.[/]"
        )
    picked = sorted(clips)[:3]
    light = LightingSpec(kind="lighting", clips=[clips[n].content_hash for n in picked], steps=steps)
    lighting = train_with_bar(ws, project, light, identity=IDENTITY)
    models["lighting"] = lighting.model_id
    console.print(f"lighting model {lighting.model_id[:16]}… ({steps} steps on {len(picked)} takes)")
    return models


def _run_jobs(ws: Workspace) -> None:
    pool = WorkerPool(JobQueue(ws.engine), job_handlers(ws))
    while (job := pool.run_one()) is not None:
        colour = "green" if job.state == "succeeded" else "red"
        console.print(f"  render job {job.job_id[:12]}: [{colour}]{job.state}[/] {escape(job.error or '')}")


def _decide(ws: Workspace, project: Any, label: str, sub: EditSubmission, result: DemoResult) -> Any:
    gate, _job = submit(ws, project, sub, identity=IDENTITY)
    d = gate.decision
    colour = {"allow": "green", "deny": "red", "review": "yellow"}[d.outcome]
    console.print(
        f"[bold]{label}[/]: {sub.kind} / {sub.purpose} on {sub.shot} → [{colour} bold]{d.outcome}[/] "
        f"(ledger entry {gate.decision_index})"
    )
    p = gate.presence
    found = ", ".join(f"{result.names.get(i, '?')} ({i})" for i in p.detected) or "no known performer"
    console.print(f"    in the region: {found}; unidentified faces: {p.unidentified_faces} — {p.method}")
    for r in d.deciding_reasons()[:4]:
        console.print(f"    {escape(r.rule_id)}: {escape(r.explanation)}")
    result.outcomes[label] = d.outcome
    result.reasons[label] = [r.rule_id for r in d.deciding_reasons()]
    result.presence[label] = p.as_json()
    return gate


def _qc(ws: Workspace, origin: str, path: Path, label: str, result: DemoResult) -> None:
    report = verify_deliverable(ws, path, origin=origin)
    colour = "green" if report.passed else "red"
    how = " — manifest stripped, recovered from watermark" if report.recovered_via_watermark else ""
    console.print(f"QC {escape(label)}: [{colour} bold]{report.verdict}[/]{how}")
    for c in report.failures()[:2]:
        console.print(f"    failed: {c.name}: {escape(str(c.reason))}")
    result.qc[label] = report.verdict + (" (watermark)" if report.recovered_via_watermark else "")
    disclosure = next((c for c in report.checks if c.name == "disclosure"), None)
    if disclosure is not None:
        found = sorted(disclosure.evidence.get("found", {}))
        result.disclosures[label] = found
        if found:
            console.print(f"    disclosure found: {escape(', '.join(found))}")


def run_demo(home: Path = DEMO_HOME, footage: Path | None = FOOTAGE, *, train_steps: int = 150) -> DemoResult:
    """Run the whole demo in a fresh workspace at ``home``, with a loopback RFC 3161 TSA for its signatures."""
    t0 = time.perf_counter()
    _step(1, "Workspace and project")
    ws = _fresh(home)
    with LoopbackTsa(ws.home / "loopback-tsa") as tsa:
        ws.tsa_url = tsa.url
        trust_tsa(ws.keys_dir, tsa.ca_pem)
        console.print(
            f"Started a loopback RFC 3161 time-stamp authority for this demo (openssl ts -reply behind an HTTP "
            f"handler) at {tsa.url}: every C2PA claim signature is time-stamped by it; its root is trusted by "
            "this workspace only. It stops when the demo ends."
        )
        result = _run_demo(ws, footage, train_steps, t0)
        console.print(f"Stopped the loopback time-stamp authority ({tsa.requests} time-stamps issued).")
        result.time_stamps = tsa.requests
    return result


def _run_demo(ws: Workspace, footage: Path | None, train_steps: int, t0: float) -> DemoResult:
    ctx = ProjectContext(
        principal_photography_start=date(2026, 9, 7), distribution_territories=("US", "EU"), evidently_artistic=True
    )
    project = create_project(ws, "demo-film", "Demo Film", ctx, identity=IDENTITY)
    log = project_log(ws, project)
    console.print(f"Workspace {escape(str(ws.home))} (SQLite), project demo-film, ledger log {project.origin}")

    _step(2, "Dailies")
    clips, real = _dailies(ws, footage)
    result = DemoResult(ws.home, real)

    _step(3, "Performers and consent (legal)")
    people = _consents(ws, log)

    _step(4, "Per-project models, trained only on these dailies")
    names = {"grid": "GRID talker", "crema": "CREMA-D actor 1001", "obama": "Weekly-address speaker"}
    result.names = {people[k]: v for k, v in names.items()}
    result.models = _train_models(ws, project, clips, people, names, train_steps)

    _step(5, "Gated edit requests")
    order = sorted(clips)
    speaker = next((n for n in order if n.startswith("obama-weekly-address_a-bad")), order[-1])
    grid = next((n for n in order if n.startswith("grid_pwij")), order[0])
    library = clips.get(LIBRARY[0])
    plate = library_plate(ws, "demo-film", library.path, by=IDENTITY) if library else clips[order[1]].short_id
    crema = next((n for n in order if n.startswith("crema-d_1001_DFA_ANG")), order[0])
    allowed = _decide(ws, project, "allowed", EditSubmission(
        shot=clips[grid].short_id, kind="background", purpose="story_change", performers=(people["grid"],),
        end=min(clips[grid].info.frame_count, 50), params={"plate": plate, "despill": True}), result)  # fmt: skip
    _decide(ws, project, "denied", EditSubmission(
        shot=clips[crema].short_id, kind="background", purpose="story_change", performers=(people["crema"],),
        params={"plate": plate}), result)  # fmt: skip
    reviewed = _decide(ws, project, "review", EditSubmission(
        shot=clips[speaker].short_id, kind="relight", purpose="performance_change", performers=(people["obama"],),
        end=min(clips[speaker].info.frame_count, 48), is_deep_fake=False,
        not_deep_fake_reason="a warmer grade of a consented take; the performance itself is unchanged",
        params={"exposure": 0.3, "temperature": 0.3, "model": result.models["lighting"]}), result)  # fmt: skip
    if reviewed.decision.outcome == "review":
        record, _ = sign_review(
            ws,
            project,
            reviewed.request_id,
            approve=True,
            reviewer=LEGAL,
            note=(
                "The relight changes how an identified, real performer looks in photoreal footage for EU release: "
                "a deep fake (Art. 3(60)); consent does not change that. Approved with the Art. 50(4) disclosure."
            ),
            answers={"deep_fake": True},
        )
        owed = Obligations.model_validate(record.review["obligations"]) if record.review else None
        result.review_obligations = owed.model_dump(mode="json") if owed else None
        console.print(
            f"legal sign-off: approved, answering deep_fake=true (ledger entry {record.review_index}); "
            f"recomputed obligations: {escape(owed.summary()) if owed else 'none'}"
        )

    _step(6, "Render and label (watermark keyed to the ledger entry, C2PA manifest, disclosure)")
    _run_jobs(ws)
    store = RequestStore(ws.engine)
    for gate in (allowed, reviewed):
        rec = store.get(gate.request_id, project.slug)
        if rec.deliverable:
            result.deliverables.append(Path(rec.deliverable))
            console.print(
                f"  delivered {escape(rec.deliverable)} (edit entry {rec.edit_index}, label entry {rec.label_index})"
            )

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
        for sidecar in (".vtt", ".disclosure.json"):  # a distributor ships the transcode with its sidecars
            if (src.parent / f"{src.stem}{sidecar}").is_file():
                shutil.copyfile(src.parent / f"{src.stem}{sidecar}", attacks / f"{stripped.stem}{sidecar}")
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
        console.print(escape(f"  {shot.file_name}: {', '.join(shot.flags)}"))

    _step(9, "The ledger, checked end to end")
    checks = fsck(ws.engine, [project.origin])
    console.print(f"fsck: {'clean' if all(c.ok for c in checks) else 'CORRUPTION'} — {log.size()} entries re-derived")
    export_tiles(log, ws.home / "tlog-tiles")
    console.print(f"static tlog-tiles export: {escape(str(ws.home / 'tlog-tiles'))}")
    result.seconds = time.perf_counter() - t0
    console.rule("[bold]Done")
    console.print(f"Deliverables: {escape(str(ws.home / 'deliverables' / 'demo-film'))}")
    console.print(f"Audit report (HTML, for lawyers): {escape(str(result.audit_html))}")
    console.print(f"QC reports: run `cutproof --home {escape(str(ws.home))} qc verify FILE --html REPORT.html`")
    console.print(f"Finished in {result.seconds:.0f} s.")
    return result
