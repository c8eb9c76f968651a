"""The edit flow — one path whatever the entry point (API, CLI, demo).

submit → who is in the region (editor) → gate decision (policies + consent) → ``policy.decided/1`` (and
``request.resubmitted/1`` when it submits a failed, cancelled, denied or rejected request again) →
[``review`` → legal sign-off → ``review.signed/1``] → render job (editor) → ``edit.applied/1`` → label
(watermark keyed to that entry, C2PA manifest with its receipt, required disclosure) → ``label.applied/1`` →
deliverable + receipt in the project's output folder.

A denied request renders nothing. Nothing reaches the output folder unlabelled: renders live in the workspace's
``renders/`` and ``staging/`` folders, and only the last step moves a labelled deliverable (with its sidecars
and receipt) into ``deliverables/<project>/``. The render job runs as resumable steps (``cutproof.core.jobs``): a
crash at any point resumes at the first unfinished step, and a ledger append interrupted by a crash is found
again (by its job id) rather than appended twice.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

from cutproof.cast.presence import Presence
from cutproof.core import recorded
from cutproof.core.access import check_not_submitter
from cutproof.core.errors import CutproofError
from cutproof.core.jobs import CleaningHandler, Job, JobContext, JobQueue, LeaseLost
from cutproof.core.projects import Project, get_project, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.decided import resubmitted_record, review_record
from cutproof.edits.gate import GateResult, evaluate, reevaluate, review_questions
from cutproof.edits.label import EditFacts, label_output
from cutproof.edits.public import private_terms, probed_format, public_title
from cutproof.edits.references import check_model_available
from cutproof.edits.render import GateFacts, render_edit
from cutproof.edits.requests import EditRequestRecord, RequestStore, mark_resubmitted, update_request
from cutproof.edits.segmented import ONE_PIECE, Segmented
from cutproof.edits.submission import EditSubmission
from cutproof.training.jobs import training_handlers
from editor import Catalogue
from labeler.disclosure import BadgeSpec
from labeler.manifest import EditAction, IngredientRef, TimeRange
from ledger import Appended, Log
from ledger.merkle import leaf_hash
from media import Region
from policies import Decision, ReviewError, ReviewSignoff, check_answers, effective_outcome
from records import EditApplied, EditResultFacts, LabelApplied, Obligations

RENDER_JOB = "render-edit"


class FlowError(CutproofError):
    """An edit request cannot move on (wrong state, not approved, …)."""


def job_handlers(ws: Workspace, segmented: Callable[[], Segmented] | None = None) -> dict[str, Any]:
    """The job kinds this application runs, bound to a workspace (for the embedded worker pool); ``segmented``
    makes, per render job, where its video is rendered and labelled (default: in one piece, in the job's thread)."""
    make = segmented or (lambda: ONE_PIECE)
    render = CleaningHandler(
        lambda ctx, payload: run_render_job(ws, ctx, payload, make()),
        # a job given up after lost workers ran no handler to the end: its files go as a failed one's do
        lambda job: discard_render_files(ws, str(job.payload.get("request_id", "")), job.job_id),
    )
    return {RENDER_JOB: render, **training_handlers(ws)}


def deliverables_dir(ws: Workspace, project: str) -> Path:
    """Where labelled deliverables of a project are delivered."""
    return ws.home / "deliverables" / project


def submit(
    ws: Workspace,
    project: Project,
    submission: EditSubmission,
    *,
    identity: str,
    presence: Presence | None = None,
    resubmits: EditRequestRecord | None = None,
) -> tuple[GateResult, Job | None]:
    """Gate a submission; queue its render job when the decision is ``allow``.

    Refused before anything is recorded (besides the gate's own checks): parameters the kind does not take, and an
    edit that needs a trained model the project does not have yet (``check_model_available``) — its request would
    be decided, perhaps reviewed, and its render fail at once.

    ``presence``: who is in the region when already established (e.g. by the project's cast model in an earlier
    step); by default the gate asks the editor.

    The job is queued in the transaction that records the decision: an allowed request is never left without its
    job, and one decision costs one commit. ``resubmits``: the request this one submits again, as read
    (``resubmit``); it records the new request's id in that transaction too, unless it already names one (then
    nothing is recorded), and ``request.resubmitted/1`` is appended with the new decision, in its batch.
    """
    queue = JobQueue(ws.engine)
    queued: list[Job] = []

    def queue_render(conn: Any, request_id: str, decision: Decision) -> dict[str, Any]:
        if resubmits is not None and not mark_resubmitted(conn, resubmits.request_id, request_id):
            raise FlowError(f"edit request {resubmits.request_id} was submitted again meanwhile; nothing was recorded")
        if decision.outcome != "allow":
            return {}
        job = queue.insert(conn, project.slug, RENDER_JOB, {"request_id": request_id}, created_by=identity)
        queued.append(job)  # a retried batch runs this again; the last run is the one that committed
        return {"state": "queued", "job_id": job.job_id}

    def model_available() -> None:  # else a decision for a dead render; once the parameters are checked
        check_model_available(ws, project.slug, submission.kind, submission.params)

    result = evaluate(
        ws,
        project,
        submission,
        identity=identity,
        presence=presence,
        also=queue_render,
        precheck=model_available,
        follow=partial(resubmitted_record, resubmits.request_id, resubmits.state) if resubmits is not None else None,
    )
    return result, (queued[-1] if result.decision.outcome == "allow" else None)


def sign_review(
    ws: Workspace,
    project: Project,
    request_id: str,
    *,
    approve: bool,
    note: str,
    reviewer: str,
    answers: Mapping[str, bool] | None = None,
) -> tuple[EditRequestRecord, Job | None]:
    """Record a legal user's sign-off on a ``review`` decision; an approval queues the render.

    An approval answers every question the review was opened for (``review_questions``: e.g. ``deep_fake``); the
    gate re-decides with the answers as facts, and the obligations it reaches (e.g. the Art. 50(4) disclosure of a
    deep fake) are recorded with the sign-off and govern the deliverable. Answers that make the gate deny cannot be
    approved.

    The ledger entry (``review.signed/1``), the request's new state and the render job commit in one transaction:
    a sign-off that loses the race to another leaves no entry, and an approval never leaves a request without its
    job.

    Raises:
        FlowError: the request is not awaiting review.
        SeparationOfDutiesError: ``reviewer`` submitted the request.
    """
    store = RequestStore(ws.engine)
    req = store.get(request_id, project.slug)
    if req.state != "awaiting_review":
        raise FlowError(f"edit request {request_id} is {req.state}, not awaiting review; nothing to sign")
    check_not_submitter(req.submitted_by, reviewer)  # separation of duties: nobody approves their own change
    decision = Decision.from_json(req.decision)
    questions = review_questions(project, decision)
    given: dict[str, bool] | None = None
    obligations = None
    if approve and questions:
        try:
            given = check_answers(questions, answers)
        except ReviewError as exc:
            raise FlowError(f"edit request {request_id}: {exc}") from None
        again = reevaluate(ws, project, req, given, note)
        if again.outcome == "deny":
            why = "; ".join(r.explanation for r in again.deciding_reasons())
            raise FlowError(f"with these answers the gate denies edit request {request_id}: {why}")
        obligations = again.obligations
    elif answers:
        given = check_answers(questions, answers) if questions else None
        if given is None:
            raise FlowError(f"edit request {request_id}: the review asked no question; sign without answers")
    signoff = ReviewSignoff(
        decision_id=decision.decision_id,
        reviewer=reviewer,
        verdict="approve" if approve else "reject",
        note=note,
        time=datetime.now(UTC),
        answers=given,
        obligations=obligations,
    )
    outcome = effective_outcome(decision, signoff)
    entry = review_record(signoff, request_id=request_id, decision_index=req.decision_index).entry()
    review = json.loads(signoff.model_dump_json())
    queue = JobQueue(ws.engine)
    queued: list[Job] = []

    def record(conn: Any, appended: list[Appended]) -> None:  # commits with the sign-off's entry, or nothing does
        queued.clear()  # a retried transaction runs this again
        values: dict[str, Any] = {"state": "rejected", "review": review, "review_index": appended[0].index}
        if outcome == "allow":
            job = queue.insert(conn, project.slug, RENDER_JOB, {"request_id": request_id}, created_by=reviewer)
            queued.append(job)
            values.update(state="queued", job_id=job.job_id)
        if not update_request(conn, request_id, expect_state="awaiting_review", **values):
            raise FlowError(f"edit request {request_id} was signed by someone else meanwhile; nothing was recorded")

    project_log(ws, project).append([entry], identity=reviewer, also=record)
    return store.get(request_id, project.slug), (queued[-1] if queued else None)


def _append_once(
    ctx: JobContext, log: Log, step: str, record: EditApplied | LabelApplied, identity: str
) -> dict[str, Any]:
    """Append ``record`` (stamped with the job id) exactly once across crashes: find it again by job id if an
    earlier attempt got it in."""
    size_before = ctx.step(f"{step}:size-before", log.size)
    job_id = ctx.job.job_id

    def append() -> dict[str, Any]:
        for found in recorded.scan(log, size_before):
            rec = found.record
            if isinstance(rec, type(record)) and rec.job_id == job_id:
                return {"index": found.index, "leaf_hash": _leaf_hex(log, found.index)}
        a = log.append([record.model_copy(update={"job_id": job_id}).entry()], identity=identity)[0]
        return {"index": a.index, "leaf_hash": a.leaf_hash_hex}

    return dict(ctx.step(step, append))


def _leaf_hex(log: Log, index: int) -> str:
    return leaf_hash(log.entry(index)).hex()


def _clean_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def run_render_job(
    ws: Workspace, ctx: JobContext, payload: Mapping[str, Any], segmented: Segmented = ONE_PIECE
) -> dict[str, Any]:
    """The render job: render → ``edit.applied/1`` → label → ``label.applied/1`` → deliver. The render and the
    watermark pass run in segments as ``segmented`` says (local processes or Ray tasks; the same output).

    A job that ends without a deliverable — its render or labelling raised, or it was cancelled — takes its files
    with it: the render's work folder and the labelling's staging folder are removed (``discard_render_files``), so
    nothing it rendered outlives it unlabelled. The request reads as failed or cancelled and is submitted again as a
    new one (``cutproof.edits.resubmit``). A worker that lost its lease leaves them to the one that took the job
    over, and a crash leaves them to the attempt that resumes it, or, once the queue gives the job up after
    ``max_attempts`` lost workers, to the worker that gives it up (``job_handlers``' ``given_up``).
    """
    try:
        return _render_label_deliver(ws, ctx, payload, segmented)
    except LeaseLost:
        raise
    except Exception:
        discard_render_files(ws, str(payload.get("request_id", "")), ctx.job.job_id)
        raise


def discard_render_files(ws: Workspace, request_id: str, job_id: str | None) -> None:
    """Remove what a render job that ended without a deliverable left in the workspace: its render's work folder
    and its labelling's staging folder (unlabelled files: they must not outlive it)."""
    if re.fullmatch(r"[0-9a-f]{32}", request_id):  # the folder is named by it: nothing else is removed
        shutil.rmtree(_work_dir(ws, request_id), ignore_errors=True)
    if job_id is not None and re.fullmatch(r"[0-9a-f]{32}", job_id):
        shutil.rmtree(_stage_dir(ws, job_id), ignore_errors=True)


def _work_dir(ws: Workspace, request_id: str) -> Path:
    """Where a request's render is written, before it is labelled."""
    return ws.home / "renders" / request_id


def _stage_dir(ws: Workspace, job_id: str) -> Path:
    """Where a render job labels its render, before the deliverable is moved out."""
    return ws.home / "staging" / job_id


def _render_label_deliver(
    ws: Workspace, ctx: JobContext, payload: Mapping[str, Any], segmented: Segmented
) -> dict[str, Any]:
    store = RequestStore(ws.engine)
    project = get_project(ws, ctx.job.project)
    req = store.get(str(payload["request_id"]), project.slug)
    decision = Decision.from_json(req.decision)
    if effective_outcome(decision, ReviewSignoff.model_validate(req.review) if req.review else None) != "allow":
        raise FlowError(f"edit request {req.request_id} is not allowed ({req.state}); refusing to render")
    store.update(req.request_id, state="rendering")
    log = project_log(ws, project)
    submission = EditSubmission.model_validate(req.submission)
    clip = Catalogue(ws.engine).get(req.clip_hash, project=project.slug)
    work = _work_dir(ws, req.request_id)
    gate = GateFacts.from_entry(log.entry_json(req.decision_index).get("request") or {})

    def render() -> dict[str, Any]:
        _clean_dir(work)
        ctx.progress(0.05, "rendering")
        result = render_edit(
            ws,
            project,
            clip,
            submission,
            work,
            progress=lambda f: ctx.progress(0.05 + 0.6 * f, "rendering"),
            gate=gate,
            segmented=segmented,
        )
        return {"result": result.as_json(), "path": str(result.output.path)}

    rendered = ctx.step("render", render)
    res = rendered["result"]
    edit_record = EditApplied(
        request_id=req.request_id,
        decision_index=req.decision_index,
        review_index=req.review_index,
        consent=tuple(req.decision.get("relied_on", [])),
        result=EditResultFacts.model_validate(res),
    )
    edit_ref = _append_once(ctx, log, "edit.applied", edit_record, req.submitted_by)
    ctx.progress(0.7, "labelling")
    stage = _stage_dir(ws, ctx.job.job_id)
    render_path = Path(rendered["path"])
    out_name = f"{clip.slate.shot or clip.short_id}_{submission.kind}_{req.request_id[:8]}{render_path.suffix}"

    def label() -> dict[str, Any]:
        _clean_dir(stage)
        appended = Appended(
            index=edit_ref["index"], leaf_hash=bytes.fromhex(edit_ref["leaf_hash"]), checkpoint=log.checkpoint()
        )
        obligations = governing_obligations(req)
        labelled = label_output(
            ws,
            log,
            render=render_path,
            output=stage / out_name,
            edit=appended,
            facts=_facts(clip, submission, res),
            obligations=obligations,
            redact_terms=private_terms(ws, project),
            badge=BadgeSpec(breaks=tuple(Fraction(str(b)) for b in submission.ad_breaks)),
            segmented=segmented,
            progress=lambda f: ctx.progress(0.7 + 0.2 * f, "labelling"),
        )
        return {"entry": labelled.ledger_entry(), "files": [str(p) for p in (labelled.path, *labelled.sidecars)]}

    labelled = ctx.step("label", label)
    label_record = LabelApplied.model_validate(labelled["entry"])
    label_ref = _append_once(ctx, log, "label.applied", label_record, req.submitted_by)
    ctx.progress(0.95, "delivering")

    def deliver() -> dict[str, Any]:
        target = deliverables_dir(ws, project.slug)
        target.mkdir(parents=True, exist_ok=True)
        moved = []
        for f in map(Path, labelled["files"]):
            dest = target / f.name
            if f.exists():
                os.replace(f, dest)
            moved.append(str(dest))
        receipt = target / (out_name + ".tlog-proof")
        tmp = receipt.with_suffix(".tmp")
        tmp.write_text(log.prove(label_ref["index"]))
        os.replace(tmp, receipt)
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
        return {"deliverable": moved[0], "files": [*moved, str(receipt)]}

    delivered = ctx.step("deliver", deliver)
    store.update(
        req.request_id,
        state="delivered",
        edit_index=edit_ref["index"],
        label_index=label_ref["index"],
        deliverable=delivered["deliverable"],
    )
    return {
        "request_id": req.request_id,
        "edit_index": edit_ref["index"],
        "label_index": label_ref["index"],
        **delivered,
    }


def governing_obligations(req: EditRequestRecord) -> Obligations:
    """What the deliverable owes: the obligations recomputed from legal's answers when the review recorded them,
    else the gate's."""
    recomputed = (req.review or {}).get("obligations")
    return Obligations.model_validate(recomputed if recomputed is not None else req.decision.get("obligations") or {})


def _facts(clip: Any, submission: EditSubmission, res: Mapping[str, Any]) -> EditFacts:
    """The public facts of a rendered edit: a model only when a trained one made it (``trained_model``)."""
    start_s, end_s = (Fraction(x) for x in res["frames"]["seconds"])
    region = res.get("region")
    action = {"dialogue": EditAction.DUBBED}.get(submission.kind, EditAction.EDITED)
    trained = bool(res.get("trained_model", res.get("model_id") is not None)) and res.get("model_id") is not None
    size = res.get("frame_size") or {}
    return EditFacts(
        shot=clip.slate.shot or clip.short_id,
        source=IngredientRef(title=public_title(clip), format=probed_format(clip), sha256=clip.content_hash),
        action=action,
        operation=submission.kind,
        time_range=TimeRange(start_s, end_s),
        region=Region(region["x"], region["y"], region["width"], region["height"]) if region else None,
        model_id=res["model_id"] if trained else None,
        training_manifest_sha256=(res.get("training_manifest_hash") or res["model_id"]) if trained else None,
        frame_size=(int(size["width"]), int(size["height"])) if size else None,
    )
