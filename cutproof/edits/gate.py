"""The gate: an edit submission → who is in the region → consent state → policy decision → ledger.

Steps 1–3 of the edit flow (see ``cutproof/edits/flow.py`` for the rest):

1. find the shot in the project's catalogue and ask the editor who is in the edited region and time range
   (face tracks matched by the project's latest cast model; faces it cannot match — or every face, when no cast
   model was trained — are unidentified, so declaring nobody does not make a face disappear);
2. take the consent state of every declared or detected performer from the registry as of now, judged by the
   consent clock (``cutproof.edits.consent_facts``: the policies never compare consent times themselves);
3. evaluate the project's policy packs and append ``policy.decided/1`` (translated from the decision at
   ``cutproof.edits.decided``) with the inputs hash, policy-set hash, outcome, reasons, reliances, obligations and
   the request; the request row points at that entry and commits in the same transaction (one group commit:
   concurrent decisions share one fsync and one signed checkpoint).

Nothing is written for a submission that fails validation (unknown shot, unknown performer, bad region, …).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from consent import ConsentRegistry
from cutproof.cast.presence import Presence, RegionError, who_is_there
from cutproof.core.models import EditRequestRecord
from cutproof.core.projects import Project, project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.consent_facts import from_registry
from cutproof.edits.decided import decision_record
from cutproof.edits.params import check_params
from cutproof.edits.references import ReferenceNotFoundError, check_references
from cutproof.edits.render import check_supported
from cutproof.edits.requests import insert_request
from cutproof.edits.submission import EditSubmission, SubmissionError
from editor import Catalogue, Clip
from ledger import Appended
from ledger.group import group_committer
from policies import ConsentState, Decision, Edit, EditRequest, PolicySet, answered, open_questions
from policies import ProjectContext as PolicyProject
from records import EditAsked, GateRequest, Record

__all__ = ["EditSubmission", "GateResult", "SubmissionError", "evaluate", "reevaluate", "review_questions"]
NO_SCENE = "-"  # the policies' request needs a scene; a clip without a slate scene matches no scene-scoped grant


@dataclass(frozen=True)
class GateResult:
    """The recorded decision for a submission."""

    request_id: str
    decision: Decision
    decision_index: int
    clip: Clip
    presence: Presence


RecordHook = Callable[[Any, str, Decision], dict[str, Any]]
"""Writes that commit with a decision: called with the open connection, the request id and the decision; returns
values for the request row (``state``, ``job_id``), or ``{}``."""


@lru_cache(maxsize=16)
def _policy_set(packs: tuple[str, ...]) -> PolicySet:
    return PolicySet.load(list(packs) or None)


def _policy_project(project: Project, output_role: str) -> PolicyProject:
    ctx = project.context
    if ctx.principal_photography_start is None:
        raise SubmissionError(
            f"project {project.slug!r} has no start of principal photography; the SAG-AFTRA rules depend on it — "
            "recreate the project with --principal-photography YYYY-MM-DD"
        )
    return PolicyProject(
        name=project.slug,  # consent grants name the project by slug
        agreement=ctx.agreement,
        principal_photography_start=ctx.principal_photography_start,
        distribution_territories=list(ctx.distribution_territories),
        evidently_artistic=ctx.evidently_artistic,
        output_role=output_role,
    )


def evaluate(
    ws: Workspace,
    project: Project,
    submission: EditSubmission,
    *,
    identity: str,
    presence: Presence | None = None,
    at: datetime | None = None,
    also: RecordHook | None = None,
    precheck: Callable[[], None] | None = None,
    follow: Callable[[str], Record] | None = None,
) -> GateResult:
    """Decide a submission and record the decision (``policy.decided/1``) and the request row.

    ``follow(request_id)``: an entry to append right after the decision, in the same batch (e.g.
    ``request.resubmitted/1``), so the two land together or not at all.

    ``precheck`` runs once the submission's kind and parameters are checked, before anything is read for the
    decision (e.g. that the model the edit needs exists); what it raises is raised, and nothing is recorded.

    ``also`` runs inside the transaction that records them (e.g. to queue the render of an allowed edit), so what
    it writes commits with the decision, in the same fsync, or not at all; it may run more than once (a retried
    batch) and returns values for the request row (``state``, ``job_id``).

    Raises:
        SubmissionError: unknown shot, bad region/range, parameters the kind does not take or of a wrong type
            (``InvalidParametersError``), project without the dates the rules need.
        ConsentError: a declared performer is not registered in the project.
        PolicyError: the project's packs are malformed.
    """
    when = at or datetime.now(UTC)
    check_supported(submission.kind)
    check_params(submission.kind, submission.params)  # every parameter of the kind, typed, before anything
    if precheck is not None:
        precheck()
    try:
        clip = Catalogue(ws.engine).get(submission.shot, project=project.slug)
    except Exception as exc:  # the catalogue's own error names the shot and how to list clips
        raise ReferenceNotFoundError(str(exc)) from None
    check_references(ws, project.slug, submission.kind, submission.params)  # nothing of another production
    try:
        presence = presence or who_is_there(
            clip, submission.region, submission.start, submission.end, ws=ws, project=project
        )
    except RegionError as exc:
        raise SubmissionError(str(exc)) from None
    log = project_log(ws, project)
    request, policy_state = _inputs(ws, project, clip, submission, presence.detected, presence.unidentified_faces, when)
    decision = _policy_set(tuple(project.context.policy_packs)).evaluate(request, policy_state)
    request_id = uuid.uuid4().hex
    record = decision_record(
        decision,
        GateRequest(
            id=request_id,
            project=project.slug,
            clip=clip.content_hash,
            scene=clip.slate.scene,
            shot=request.shot,
            edit=EditAsked(kind=submission.kind, purpose=submission.purpose),
            region=submission.region,
            frames=(submission.start or 0, submission.end),
            declared=tuple(submission.performers),
            detected=tuple(presence.detected),
            unidentified_faces=presence.unidentified_faces,
            detection_method=presence.method,
            cast_model=presence.evidence.get("model_id"),
        ),
    )
    submitted = submission.model_dump(mode="json")
    decided = decision.to_json()

    def record_request(conn: Any, appended: Appended) -> None:  # commits with the entry, in the same fsync
        extra = also(conn, request_id, decision) if also is not None else {}
        insert_request(
            conn,
            request_id=request_id,
            project=project.slug,
            clip_hash=clip.content_hash,
            submission=submitted,
            decision=decided,
            decision_index=appended.index,
            submitted_by=identity,
            at=when,
            **extra,
        )

    if follow is None:  # concurrent decisions share one batch: one transaction, one fsync, one signed checkpoint
        appended = group_committer(log).append(record.entry(), identity=identity, also=record_request)
    else:  # two entries that must land together: their own batch
        appended = log.append(
            [record.entry(), follow(request_id).entry()],
            identity,
            also=lambda conn, landed: record_request(conn, landed[0]),
        )[0]
    return GateResult(request_id, decision, appended.index, clip, presence)


def _inputs(
    ws: Workspace,
    project: Project,
    clip: Clip,
    submission: EditSubmission,
    detected: tuple[str, ...] | list[str],
    unidentified_faces: int,
    when: datetime,
) -> tuple[EditRequest, ConsentState]:
    """The policy request and the judged consent state for a submission, as of ``when``."""
    performer_ids = sorted(set(submission.performers) | set(detected))
    registry = ConsentRegistry(ws.engine, ws.blobs, project_log(ws, project))
    state = registry.state_at(performer_ids, when) if performer_ids else None
    policy_state = from_registry(state, when) if state else ConsentState()
    request = EditRequest(
        project=_policy_project(project, submission.output_role),
        shot=clip.slate.shot or clip.short_id,
        scene=clip.slate.scene or NO_SCENE,
        edit=Edit(
            kind=submission.kind,
            purpose=submission.purpose,
            target_language=submission.target_language,
            claimed_exemption=submission.claimed_exemption,
            is_deep_fake=submission.is_deep_fake,
            not_deep_fake_reason=submission.not_deep_fake_reason,
        ),
        performers=list(submission.performers),
        detected_performers=list(detected),
        unidentified_faces=unidentified_faces,
        time=when,
        photoreal=True,  # catalogued dailies are live-action camera footage (Cutproof ingests no animation)
    )
    return request, policy_state


def reevaluate(
    ws: Workspace, project: Project, req: EditRequestRecord, answers: dict[str, bool], note: str
) -> Decision:
    """The decision the gate reaches for a request under review once legal's ``answers`` are facts.

    Same policy packs, same submission, the presence the gate recorded (``policy.decided/1``'s request) and the
    consent state as of the original decision: only the answers differ (``policies.answered``).
    """
    clip = Catalogue(ws.engine).get(req.clip_hash, project=project.slug)
    recorded = project_log(ws, project).entry_json(req.decision_index).get("request") or {}
    submission = EditSubmission.model_validate(req.submission)
    request, state = _inputs(
        ws,
        project,
        clip,
        submission,
        tuple(recorded.get("detected") or ()),
        int(recorded.get("unidentified_faces") or 0),
        req.created_at,
    )
    return _policy_set(tuple(project.context.policy_packs)).evaluate(answered(request, answers, note), state)


def review_questions(project: Project, decision: Decision) -> tuple[str, ...]:
    """The questions a review decision was opened for (``policies.open_questions``)."""
    return open_questions(_policy_set(tuple(project.context.policy_packs)), decision)
