"""The legal audit per shot: for every shot, what was done, on what basis, who signed off, and what is wrong now.

Built from the project's ledger (the proof) plus the consent registry (the grants' documents and current state):
for each shot (a catalogued clip, or each clip of an OpenTimelineIO timeline matched by source file and range)
every edit request with its decision, the performers it touched, the consent grants or exemption relied on
(with the signed document's hash), the sign-off, the edit and label entries — each with its ledger index, so
the reports can link every claim to a receipt — and flags:

- ``consent-revoked`` / ``consent-expired`` / ``consent-suspended``: a grant relied on is no longer valid now;
- ``no-valid-basis``: an edit was applied without an allow decision or an approved review;
- ``label-missing``: an edit was applied but no ``label.applied`` entry follows it;
- ``unidentified-faces``: the gate saw faces it could not match to a performer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from consent import ConsentGrant, RegistryReader, clock
from consent.errors import ConsentError
from cutproof.core import recorded
from cutproof.core.errors import CutproofError
from cutproof.core.project_logs import ProjectRef, open_project_log
from cutproof.core.workspace import Workspace
from cutproof.edits.request_rows import select_requests
from editor.clips import Clip, select_clips
from records import ConsentGranted, EditApplied, LabelApplied, PolicyDecided, RequestResubmitted, ReviewSigned

if TYPE_CHECKING:
    from cutproof.core.models import Project
    from ledger import Log

SCHEMA = "cutproof.audit.build/1"


class AuditError(CutproofError):
    """The ledger does not hold what the audit needs to read (an entry that is not the record it must be)."""


@dataclass
class BasisRef:
    """A consent grant or exemption an edit relied on, and its state now."""

    kind: str
    performer_id: str | None
    grant_id: str | None = None
    document_sha256: str | None = None
    grant_index: int | None = None
    exemption: str | None = None
    justification: str | None = None
    status_now: str = "valid"

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class EditAudit:
    """One edit request on a shot, as the ledger proves it."""

    request_id: str
    kind: str
    purpose: str
    frames: list[int | None]
    region: str | None
    outcome: str
    state: str
    decision_index: int
    performers: list[str]
    unidentified_faces: int
    basis: list[BasisRef] = field(default_factory=list)
    reasons: list[dict[str, Any]] = field(default_factory=list)
    review: dict[str, Any] | None = None
    review_index: int | None = None
    edit_index: int | None = None
    label_index: int | None = None
    deliverable: str | None = None
    resubmits: str | None = None
    """The request this one submitted again, by the ``request.resubmitted/1`` at ``resubmits_index``."""
    resubmits_index: int | None = None
    resubmitted_as: str | None = None
    """The request this one was submitted again as, by the ``request.resubmitted/1`` at ``resubmitted_index``."""
    resubmitted_index: int | None = None
    flags: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["basis"] = [b.as_json() for b in self.basis]
        return data


@dataclass
class ShotAudit:
    """Everything done to one shot (clip), optionally restricted to a timeline's range of it."""

    clip_hash: str
    file_name: str
    scene: str | None
    shot: str | None
    take: int | None
    edits: list[EditAudit] = field(default_factory=list)
    timeline_ranges: list[list[int]] = field(default_factory=list)

    @property
    def flags(self) -> list[str]:
        return sorted({f for e in self.edits for f in e.flags})

    def as_json(self) -> dict[str, Any]:
        return {
            "clip_hash": self.clip_hash,
            "file_name": self.file_name,
            "scene": self.scene,
            "shot": self.shot,
            "take": self.take,
            "timeline_ranges": self.timeline_ranges,
            "flags": self.flags,
            "edits": [e.as_json() for e in self.edits],
        }


@dataclass
class AuditReport:
    """The audit of one project at one moment, against one signed checkpoint."""

    project: str
    origin: str
    generated_at: str
    checkpoint: str
    log_size: int
    shots: list[ShotAudit]
    timeline: str | None = None
    performers: dict[str, str] = field(default_factory=dict)  # registered name by performer id

    def name(self, performer_id: str | None) -> str:
        """A performer's registered name, or the id when the registry has no such performer."""
        return self.performers.get(performer_id or "", performer_id or "")

    @property
    def flagged(self) -> list[ShotAudit]:
        return [s for s in self.shots if s.flags]

    def summary(self) -> dict[str, int]:
        edits = [e for s in self.shots for e in s.edits]
        return {
            "shots": len(self.shots),
            "shots_edited": sum(1 for s in self.shots if s.edits),
            "edit_requests": len(edits),
            "delivered": sum(1 for e in edits if e.state == "delivered"),
            "denied": sum(1 for e in edits if e.outcome == "deny"),
            "awaiting_review": sum(1 for e in edits if e.state == "awaiting_review"),
            "flagged_shots": len(self.flagged),
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "project": self.project,
            "origin": self.origin,
            "generated_at": self.generated_at,
            "log_size": self.log_size,
            "checkpoint": self.checkpoint,
            "timeline": self.timeline,
            "performers": dict(sorted(self.performers.items())),
            "summary": self.summary(),
            "shots": [s.as_json() for s in self.shots],
        }


_INDEXED = frozenset(
    r.KIND.partition("/")[0] for r in (ReviewSigned, EditApplied, LabelApplied, ConsentGranted, RequestResubmitted)
)
"""The names of the kinds ``_ledger_index`` reads (``review.signed`` …): entries of other kinds go unparsed."""


def _ledger_index(log: Any) -> dict[str, dict[Any, tuple[int, Any]]]:
    """Records of interest keyed by kind → request id (or edit index, grant id), with their index.

    Raises:
        RecordError: an entry of those kinds is not a record this release can read (the audit would be incomplete).
    """
    by: dict[str, dict[Any, tuple[int, Any]]] = {
        "review": {},
        "edit": {},
        "label_by_edit": {},
        "grant": {},
        "resubmitted": {},  # by the request submitted again
        "resubmits": {},  # by the request it was submitted again as
    }
    for found in recorded.scan(log, names=_INDEXED):
        rec = found.record
        if isinstance(rec, ReviewSigned):
            by["review"][rec.request_id] = (found.index, rec)
        elif isinstance(rec, EditApplied):
            by["edit"][rec.request_id] = (found.index, rec)
        elif isinstance(rec, LabelApplied):
            by["label_by_edit"][rec.edit_index] = (found.index, rec)
        elif isinstance(rec, ConsentGranted):
            by["grant"][rec.grant_id] = (found.index, rec)
        elif isinstance(rec, RequestResubmitted):
            by["resubmitted"][rec.request_id] = (found.index, rec)
            by["resubmits"][rec.resubmitted_as] = (found.index, rec)
    return by


def grant_judgement(
    registry: RegistryReader, performer_id: str | None, grant_id: str | None, at: datetime
) -> tuple[ConsentGrant | None, clock.Judgement | None]:
    """A grant as the registry holds it at ``at``, and the consent clock's judgement of it then (None, None when
    the registry does not hold it)."""
    try:
        grants = {g.grant_id: g for g in registry.grants(performer_id, at=at)}
    except ConsentError:
        return None, None
    g = grants.get(grant_id or "")
    return (g, g.judge(at)) if g is not None else (None, None)


def status_of(judged: clock.Judgement) -> str:
    """The audit's word for a grant's state: ``valid``, ``revoked``, ``expired``, ``suspended`` or
    ``not-yet-valid`` (a revocation named first, as the strongest withdrawal)."""
    if judged.revoked_since is not None:
        return "revoked"
    if judged.expired_since is not None:
        return "expired"
    if judged.suspensions:
        return "suspended"
    if judged.not_yet_valid:
        return "not-yet-valid"
    return "valid"


def _basis(
    registry: RegistryReader, reliances: list[dict[str, Any]], grants_idx: dict[Any, Any], now: datetime
) -> list[BasisRef]:
    out: list[BasisRef] = []
    for r in reliances:
        if r.get("kind") == "exemption":
            out.append(
                BasisRef(
                    "exemption",
                    r.get("performer_id"),
                    exemption=r.get("exemption"),
                    justification=r.get("justification"),
                )
            )
            continue
        ref = BasisRef("consent", r.get("performer_id"), grant_id=r.get("grant_id"), grant_index=r.get("ledger_index"))
        g, judged = grant_judgement(registry, ref.performer_id, ref.grant_id, now)
        if g is None or judged is None:
            ref.status_now = "unknown"
        else:
            ref.document_sha256 = g.document_sha256
            ref.status_now = status_of(judged)
        if ref.grant_index is None and ref.grant_id in grants_idx:
            ref.grant_index = grants_idx[ref.grant_id][0]
        out.append(ref)
    return out


def build_audit(
    ws: Workspace, project: ProjectRef | Project, *, clips: list[Clip] | None = None, log: Log | None = None
) -> AuditReport:
    """Audit every shot of the project (or the given clips); ``log``: the project's log, when the caller has it.

    Every read is plain SQL on ``ws.database`` (the catalogue, the request table, the consent registry, the log): on
    the embedded SQLite file the audit loads no SQLAlchemy.

    Raises:
        RecordError: an entry of the project's log is not a record this release can read.
        AuditError: the log and the request table disagree about a decision.
    """
    now = datetime.now(UTC)
    if log is None:
        log = open_project_log(ws, ProjectRef(project.slug, project.origin))
    checkpoint = log.checkpoint()
    size = log.size()
    idx = _ledger_index(log)
    registry = RegistryReader(ws.database, ws.blobs, log, project.slug)
    with ws.database.read() as sql:  # the catalogue and the requests in one snapshot
        requests = select_requests(sql, project.slug)
        shots_clips = clips if clips is not None else select_clips(sql, "project = ?", (project.slug,))
    shots: list[ShotAudit] = []
    for clip in shots_clips:
        shot = ShotAudit(clip.content_hash, clip.path.name, clip.slate.scene, clip.slate.shot, clip.slate.take)
        for req in (r for r in requests if r["clip_hash"] == clip.content_hash and r["decision_index"] < size):
            sub, dec, request_id = req["submission"], req["decision"], req["request_id"]
            edit = EditAudit(
                request_id=request_id,
                kind=sub["kind"],
                purpose=sub["purpose"],
                frames=[sub.get("start") or 0, sub.get("end")],
                region=sub.get("region"),
                outcome=req["outcome"],
                state=req["state"],
                decision_index=req["decision_index"],
                performers=sorted(set(sub.get("performers") or [])),
                unidentified_faces=0,
                reasons=[
                    {k: r.get(k) for k in ("rule_id", "effect", "citation", "explanation")}
                    for r in dec.get("reasons", [])
                ],
            )
            decided = recorded.read(log, edit.decision_index)
            if decided is None or not isinstance(decided.record, PolicyDecided):
                what = decided.record.kind if decided else "an entry of the ledger's own"
                raise AuditError(
                    f"entry {edit.decision_index} of {log.origin} should record the decision on request "
                    f"{request_id} but is {what}; the log and the request table disagree (run `cutproof "
                    "ledger fsck`)"
                )
            gate_request = decided.record.request
            edit.performers = sorted(set(edit.performers) | set(gate_request.detected))
            edit.unidentified_faces = gate_request.unidentified_faces
            edit.basis = _basis(registry, dec.get("relied_on", []), idx["grant"], now)
            if request_id in idx["review"]:
                edit.review_index, review = idx["review"][request_id]
                edit.review = review.model_dump(mode="json", include={"reviewer", "verdict", "note", "time"})
            if request_id in idx["edit"]:
                edit.edit_index = idx["edit"][request_id][0]
                label = idx["label_by_edit"].get(edit.edit_index)
                edit.label_index = label[0] if label else None
            edit.deliverable = req["deliverable"]
            if request_id in idx["resubmits"]:
                edit.resubmits_index, link = idx["resubmits"][request_id]
                edit.resubmits = link.request_id
            if request_id in idx["resubmitted"]:
                edit.resubmitted_index, link = idx["resubmitted"][request_id]
                edit.resubmitted_as = link.resubmitted_as
            _flag(edit)
            shot.edits.append(edit)
        shots.append(shot)
    try:
        names = {p.performer_id: p.name for p in registry.performers()}
    except ConsentError:
        names = {}
    generated = now.isoformat(timespec="seconds")
    return AuditReport(project.slug, project.origin, generated, checkpoint, size, shots, performers=names)


def _flag(edit: EditAudit) -> None:
    for b in edit.basis:
        if b.status_now in ("revoked", "expired", "suspended"):
            edit.flags.append(f"consent-{b.status_now}")
    if edit.edit_index is not None:
        approved = edit.outcome == "allow" or (edit.review or {}).get("verdict") == "approve"
        if not approved:
            edit.flags.append("no-valid-basis")
        if edit.label_index is None:
            edit.flags.append("label-missing")
    if edit.unidentified_faces:
        edit.flags.append("unidentified-faces")
