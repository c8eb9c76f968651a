"""The gate: an edit submission → who is in the region → consent state → policy decision → ledger.

Steps 1–3 of the edit flow (see ``cutproof/flow.py`` for the rest):

1. find the shot in the project's catalogue and ask the editor who is in the edited region and time range
   (face tracks matched by the project's latest cast model; faces it cannot match — or every face, when no cast
   model was trained — are unidentified, so declaring nobody does not make a face disappear);
2. take the consent state of every declared or detected performer from the registry as of now;
3. evaluate the project's policy packs and append ``policy.decided/1`` with the inputs hash, policy-set hash,
   outcome, reasons, reliances and obligations; the request row points at that entry and commits in the same
   transaction (one group commit: concurrent decisions share one fsync and one signed checkpoint).

Nothing is written for a submission that fails validation (unknown shot, unknown performer, bad region, …).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from consent import ConsentRegistry
from cutproof.cast import load_cast
from cutproof.errors import CutproofError
from cutproof.presence_store import PresenceStore, presence_key
from cutproof.projects import Project, project_log
from cutproof.renderers import check_supported
from cutproof.requests import insert_request
from cutproof.workspace import Workspace
from editor import Catalogue, Clip, ModelRegistry
from editor.cast import KIND as CAST_KIND
from editor.cast import who
from editor.faces import scan_faces
from editor.results import Region
from editor.video_io import probe
from ledger import Appended
from ledger.group import group_committer
from policies import ClaimedExemption, ConsentState, Decision, Edit, EditRequest, PolicySet
from policies import ProjectContext as PolicyProject

EditKind = Literal["relight", "eyeline", "background", "dialogue"]


class SubmissionError(CutproofError):
    """An edit submission is invalid (nothing was recorded)."""


class EditSubmission(BaseModel):
    """What an editor submits: the shot, the edit, why, and who they say it touches."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    shot: str = Field(min_length=1, max_length=200, description="Catalogue clip id (prefix) or shot name.")
    kind: EditKind
    purpose: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="e.g. continuity, performance_change")
    performers: tuple[str, ...] = Field(default=(), description="Performer ids the editor declares.")
    region: str | None = Field(default=None, description="x,y,w,h in pixels; default the whole frame.")
    start: int | None = Field(default=None, ge=0, description="First frame (default 0).")
    end: int | None = Field(default=None, ge=1, description="One past the last frame (default: clip end).")
    params: dict[str, Any] = Field(default_factory=dict, description="Kind-specific render parameters.")
    target_language: str | None = None
    claimed_exemption: ClaimedExemption | None = None
    is_deep_fake: bool | None = None
    output_role: Literal["intermediate", "distribution_master"] = "distribution_master"

    @field_validator("region")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        if v is not None:
            Region.parse(v)
        return v


@dataclass(frozen=True)
class Presence:
    """Who the editor found in the edited region and time range."""

    detected: tuple[str, ...]
    unidentified_faces: int
    method: str
    evidence: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "detected": list(self.detected),
            "unidentified_faces": self.unidentified_faces,
            "method": self.method,
            "evidence": self.evidence,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Presence:
        return cls(
            detected=tuple(data["detected"]),
            unidentified_faces=int(data["unidentified_faces"]),
            method=str(data["method"]),
            evidence=dict(data["evidence"]),
        )


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


def who_is_there(
    clip: Clip, submission: EditSubmission, *, ws: Workspace | None = None, project: Project | None = None
) -> Presence:
    """Faces in the edited region and range, matched to the project's latest cast model when there is one.

    Without a cast model (or without ``ws``/``project``) every face found is counted as unidentified. Either
    answer is deterministic per (clip content, region, range, cast model id), so it is computed once per
    workspace: kept in this process and in the workspace database (``cutproof.presence_store``, shared by every
    server process and kept across restarts), repeated requests touch no video. Which cast model is the latest is
    looked up on every call (one query), so a newly trained model is used from the next request on.

    Raises:
        SubmissionError: the region or range do not fit the shot.
    """
    model_id = None
    if ws is not None and project is not None:
        model_id = ModelRegistry(ws.engine, ws.blobs).latest_id(CAST_KIND, project.slug)
    key = (clip.content_hash, submission.region, submission.start, submission.end, model_id)
    with _presence_lock:
        found = _presences.get(key)
        if found is not None:
            _presences.move_to_end(key)
            return found
        computing = _computing.setdefault(key, threading.Lock())
    # one thread per key computes (a burst of submissions on a new shot would otherwise scan it once per thread);
    # the others wait for its answer
    with computing:
        try:
            with _presence_lock:
                found = _presences.get(key)
            return found if found is not None else _presence_of(clip, submission, key, ws=ws, project=project)
        finally:
            with _presence_lock:
                _computing.pop(key, None)


def _presence_of(
    clip: Clip, submission: EditSubmission, key: tuple[Any, ...], *, ws: Workspace | None, project: Project | None
) -> Presence:
    model_id = key[-1]
    store = PresenceStore(ws.engine) if ws is not None else None
    stored_key = presence_key(*key)
    stored = store.get(stored_key) if store is not None else None
    if stored is not None:
        presence = Presence.from_json(stored)
    else:
        if ws is not None and model_id is not None:
            presence = _cast_presence(ws, clip, submission, model_id)
        else:
            presence = _scan_presence(clip.path, submission.region, submission.start, submission.end)
        if store is not None:
            store.put(stored_key, presence.as_json())
    with _presence_lock:
        _presences[key] = presence
        while len(_presences) > PRESENCE_CACHE_SIZE:
            _presences.popitem(last=False)
    return presence


PRESENCE_CACHE_SIZE = 256
_presences: OrderedDict[tuple[Any, ...], Presence] = OrderedDict()
_presence_lock = threading.Lock()
_computing: dict[tuple[Any, ...], threading.Lock] = {}  # keys being computed, each with the lock its thread holds


def _cast_presence(ws: Workspace, clip: Clip, submission: EditSubmission, model_id: str) -> Presence:
    cast = load_cast(ws, model_id)
    info, region, start, end = _bounds(clip.path, submission.region, submission.start, submission.end)
    report = who(info, cast.model, start=start, end=end, region=region, model_id=cast.record.model_id)
    return Presence(
        detected=report.labels,
        unidentified_faces=report.unidentified_faces,
        method=f"{report.method} (cast model {cast.record.model_id[:12]})",
        evidence=report.as_json(),
    )


def _bounds(
    path: Any, region_text: str | None, start_at: int | None, end_at: int | None
) -> tuple[Any, Region | None, int, int]:
    info = probe(path)
    region = Region.parse(region_text) if region_text else None
    if region is not None and not region.fits(info.width, info.height):
        raise SubmissionError(f"region {region_text} does not fit the {info.width}x{info.height} frame")
    start, end = start_at or 0, end_at or info.frame_count
    if not 0 <= start < end <= info.frame_count:
        raise SubmissionError(f"frame range {start}-{end} is outside the shot (frames 0-{info.frame_count})")
    return info, region, start, end


def _scan_presence(path: Any, region_text: str | None, start_at: int | None, end_at: int | None) -> Presence:
    """The face scan of one (clip content, region, range) without a cast model."""
    info, region, start, end = _bounds(path, region_text, start_at, end_at)
    scan = scan_faces(info, start=start, end=end, region=region)
    return Presence(
        detected=(),
        unidentified_faces=scan.max_faces_per_frame,
        method="haar-face-scan/1 (no cast model: faces are not matched to performers)",
        evidence=scan.as_json(),
    )


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
) -> GateResult:
    """Decide a submission and record the decision (``policy.decided/1``) and the request row.

    ``also`` runs inside the transaction that records them (e.g. to queue the render of an allowed edit), so what
    it writes commits with the decision, in the same fsync, or not at all; it may run more than once (a retried
    batch) and returns values for the request row (``state``, ``job_id``).

    Raises:
        SubmissionError: unknown shot, bad region/range, project without the dates the rules need.
        ConsentError: a declared performer is not registered in the project.
        PolicyError: the project's packs are malformed.
    """
    when = at or datetime.now(UTC)
    check_supported(submission.kind)
    try:
        clip = Catalogue(ws.engine).get(submission.shot, project=project.slug)
    except Exception as exc:  # the catalogue's own error names the shot and how to list clips
        raise SubmissionError(str(exc)) from None
    presence = presence or who_is_there(clip, submission, ws=ws, project=project)
    performer_ids = sorted(set(submission.performers) | set(presence.detected))
    log = project_log(ws, project)
    registry = ConsentRegistry(ws.engine, ws.blobs, log)
    state = registry.state_at(performer_ids, when) if performer_ids else None
    policy_state = ConsentState.model_validate(state.model_dump()) if state else ConsentState()
    request = EditRequest(
        project=_policy_project(project, submission.output_role),
        shot=clip.slate.shot or clip.short_id,
        scene=clip.slate.scene or "unknown",
        edit=Edit(
            kind=submission.kind,
            purpose=submission.purpose,
            target_language=submission.target_language,
            claimed_exemption=submission.claimed_exemption,
            is_deep_fake=submission.is_deep_fake,
        ),
        performers=list(submission.performers),
        detected_performers=list(presence.detected),
        unidentified_faces=presence.unidentified_faces,
        time=when,
    )
    decision = _policy_set(tuple(project.context.policy_packs)).evaluate(request, policy_state)
    request_id = uuid.uuid4().hex
    entry = {
        **decision.ledger_entry(),
        "request": {
            "id": request_id,
            "project": project.slug,
            "clip": clip.content_hash,
            "scene": request.scene,
            "shot": request.shot,
            "edit": {"kind": submission.kind, "purpose": submission.purpose},
            "region": submission.region,
            "frames": [submission.start or 0, submission.end],
            "declared": list(submission.performers),
            "detected": list(presence.detected),
            "unidentified_faces": presence.unidentified_faces,
            "detection_method": presence.method,
        },
    }
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

    # concurrent decisions share one batch: one transaction, one fsync, one signed checkpoint
    appended = group_committer(log).append(entry, identity=identity, also=record_request)
    return GateResult(request_id, decision, appended.index, clip, presence)
