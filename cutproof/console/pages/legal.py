"""Legal: the review queue, one review with its sign-off, performers, and their signed documents (legal role).

The sign-off is the API's: the form's verdict and note (with the answers to the review's questions written into
the note) go through ``routes.edits.ReviewCreate`` and ``routes.edits.post_review`` — the same validation, the
same ``flow.sign_review``, the same ``review.signed/1`` entry.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from consent import ConsentError, ConsentGrant, DocumentError, UnknownPerformerError
from cutproof.api.routes.edits import ReviewCreate, post_review
from cutproof.console.access import LegalAction, LegalPage, PageAccess
from cutproof.console.pages._common import get_request, layout, registry, slate_text, workspace
from cutproof.console.web import PREFIX, download, render
from cutproof.core.auth import Role
from cutproof.core.projects import project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.requests import EditRequestRecord, RequestStore
from editor import Catalogue

router = APIRouter()

RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
PerformerId = Annotated[str, Path(pattern=r"^[a-z]{2,4}_[0-9a-z]{8,40}$")]
Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
LEGAL = Role.LEGAL


def parse_region(region: str | None) -> list[int] | None:
    return [int(v) for v in region.split(",")] if region else None


def review_questions(decision: dict[str, Any]) -> list[dict[str, Any]]:
    """What the review must answer: each reason that sent the decision to review."""
    return [r for r in decision.get("reasons", []) if r.get("effect") == "review"]


def compose_note(note: str, questions: list[dict[str, Any]], answers: list[str]) -> str:
    """The sign-off's note: the reviewer's note, then each question with its answer (recorded in the ledger)."""
    lines = [note.strip()]
    if questions:
        lines += ["", "Answers to the review's questions:"]
        for i, (q, a) in enumerate(zip(questions, answers, strict=True), 1):
            lines.append(f"{i}. [{q.get('rule_id')}] {q.get('explanation')} — {a.strip()}")
    return "\n".join(lines)


def _grants_by_id(ws: Workspace, page: PageAccess, performer_ids: list[str]) -> dict[str, ConsentGrant]:
    reg = registry(ws, page)
    out: dict[str, ConsentGrant] = {}
    for pid in performer_ids:
        try:
            out.update({g.grant_id: g for g in reg.grants(pid)})
        except ConsentError:
            continue
    return out


def review_context(ws: Workspace, page: PageAccess, rec: EditRequestRecord) -> dict[str, Any]:
    """Everything the review page shows about a request."""
    log = project_log(ws, page.project)
    decided = log.entry_json(rec.decision_index).get("request", {})
    clip = Catalogue(ws.engine).find(rec.clip_hash)
    reg = registry(ws, page)
    performer_ids = sorted(set(decided.get("declared", [])) | set(decided.get("detected", [])))
    reliances = list(rec.decision.get("relied_on", []))
    performer_ids = sorted(set(performer_ids) | {r["performer_id"] for r in reliances if r.get("performer_id")})
    performers = []
    for pid in performer_ids:
        try:
            performers.append(reg.performer(pid))
        except UnknownPerformerError:
            continue
    names = {p.performer_id: p.name for p in performers}
    start = int(rec.submission.get("start") or 0)
    end = rec.submission.get("end") or (clip.info.frame_count if clip else start + 1)
    frames = sorted({start, (start + int(end) - 1) // 2, int(end) - 1}) if clip else []
    grants = _grants_by_id(ws, page, performer_ids)
    relied_ids = {r.get("grant_id") for r in reliances}
    return {
        "rec": rec,
        "clip": clip,
        "shot_title": slate_text(clip) if clip else f"clip {rec.clip_hash[:12]}",
        "decided": decided,
        "region": parse_region(rec.submission.get("region")),
        "frames": frames,
        "performers": performers,
        "names": names,
        "detected": set(decided.get("detected", [])),
        "declared": set(decided.get("declared", [])),
        "unidentified": int(decided.get("unidentified_faces", 0)),
        "reasons": rec.decision.get("reasons", []),
        "reliances": reliances,
        "grants": grants,
        "other_grants": [g for gid, g in grants.items() if gid not in relied_ids],
        "questions": review_questions(rec.decision),
        "obligations": rec.decision.get("obligations", {}),
    }


@router.get("/p/{project}/reviews", response_class=HTMLResponse)
def queue(request: Request, page: LegalPage) -> Response:
    ws = workspace(request)
    pending = RequestStore(ws.engine).list(page.project.slug, state="awaiting_review")
    items = [review_context(ws, page, rec) for rec in pending]
    return render(request, "reviews.html.j2", **layout(page, "reviews"), items=items)


@router.get("/p/{project}/reviews/{request_id}", response_class=HTMLResponse)
def review(request: Request, page: LegalPage, request_id: RequestId) -> Response:
    ws = workspace(request)
    ctx = review_context(ws, page, get_request(ws, page, request_id))
    return render(request, "review.html.j2", **layout(page, "reviews"), **ctx, item=ctx)


@router.post("/p/{project}/reviews/{request_id}")
async def sign_off(request: Request, page: LegalAction, request_id: RequestId) -> Response:
    ws = workspace(request)
    form = await request.form()
    rec = await run_in_threadpool(get_request, ws, page, request_id)
    questions = review_questions(rec.decision)
    answers = [str(form.get(f"answer_{i}", "")) for i in range(len(questions))]
    verdict = str(form.get("verdict", ""))
    problems = []
    if verdict not in ("approve", "reject"):
        problems.append("choose Approve or Reject")
    if any(not a.strip() for a in answers):
        problems.append("answer every question the review must answer")
    note = str(form.get("note", ""))
    try:
        body = ReviewCreate(approve=verdict == "approve", note=compose_note(note, questions, answers))
    except ValidationError as exc:
        problems.append("the note " + exc.errors()[0]["msg"].lower())
    if not note.strip():
        problems.append("write a note saying why")
    if problems:
        ctx = await run_in_threadpool(review_context, ws, page, rec)
        return render(
            request,
            "review.html.j2",
            422,
            **layout(page, "reviews"),
            **ctx,
            item=ctx,
            problems=problems,
            form={"note": note, "verdict": verdict, "answers": answers},
        )
    await run_in_threadpool(post_review, ws, page.access, request_id, body)
    return RedirectResponse(f"{PREFIX}/p/{page.project.slug}/edits/{request_id}", status_code=303)


@router.get("/p/{project}/performers", response_class=HTMLResponse)
def performers(request: Request, page: LegalPage) -> Response:
    ws = workspace(request)
    reg = registry(ws, page)
    rows = []
    for p in reg.performers():
        grants = reg.grants(p.performer_id)
        rows.append((p, grants, [g for g in grants if _status_now(g) == "in force"]))
    return render(request, "performers.html.j2", **layout(page, "performers"), rows=rows)


def _status_now(g: ConsentGrant) -> str:
    """A grant's state now, in words, from the registry's evaluation (``ConsentGrant.in_force`` and the state the
    grant carries as of now)."""
    now = datetime.now(UTC)
    if g.in_force(now):
        return "in force"
    if g.revoked_at is not None and g.revoked_at <= now:
        return "revoked"
    if any(s.active_at(now) for s in g.suspensions):
        return "suspended"
    return "not yet valid" if g.valid_from > now else "expired"


@router.get("/p/{project}/performers/{performer_id}", response_class=HTMLResponse)
def performer(request: Request, page: LegalPage, performer_id: PerformerId) -> Response:
    ws = workspace(request)
    reg = registry(ws, page)
    try:
        p = reg.performer(performer_id)
    except UnknownPerformerError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no performer {performer_id} in this project") from None
    grants = reg.grants(performer_id)
    histories = {g.grant_id: reg.history(g.grant_id) for g in grants}
    suspensions = [s for s in reg.suspensions() if s.performer_id in (performer_id, None)]
    log = project_log(ws, page.project)
    edits = []
    for rec in RequestStore(ws.engine).list(page.project.slug):
        relied = [r for r in rec.decision.get("relied_on", []) if r.get("performer_id") == performer_id]
        facts = log.entry_json(rec.decision_index).get("request", {})
        touched = performer_id in facts.get("declared", []) or performer_id in facts.get("detected", [])
        if relied or touched:
            edits.append((rec, relied, Catalogue(ws.engine).find(rec.clip_hash)))
    return render(
        request,
        "performer.html.j2",
        **layout(page, "performers"),
        p=p,
        grants=[(g, _status_now(g)) for g in grants],
        histories=histories,
        suspensions=suspensions,
        edits=edits,
    )


_PDF = re.compile(rb"^%PDF-\d\.\d")


@router.get("/p/{project}/documents/{sha256}")
def document(request: Request, page: LegalPage, sha256: Sha256) -> Response:
    """A signed document recorded in the project, checked against its hash: a PDF opens in the browser's viewer,
    anything else downloads."""
    try:
        data = registry(workspace(request), page).document(sha256)
    except DocumentError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    if _PDF.match(data[:16]):
        return Response(
            data,
            media_type="application/pdf",
            headers={
                **download(f"{sha256[:16]}.pdf", inline=True),
                # the browser's PDF viewer runs under no page policy; only framing by other sites is refused
                "Content-Security-Policy": "frame-ancestors 'none'",
            },
        )
    return Response(
        data,
        media_type="application/octet-stream",
        headers=download(f"{sha256[:16]}.bin"),
    )
