"""Consent routes beyond the basics in ``resources`` (register, grant, list, revoke, coverage): performer
amendments, suspensions and lifts, a grant's history, the consent state with a receipt for every entry it rests
on, the registry-vs-ledger check, and the signed documents themselves. Legal role throughout.

Writes go through ``consent.ConsentRegistry`` exactly as the CLI does: each is one ledger entry, and bad input
writes nothing. Documents are referenced as uploads (``blob:<sha256>`` from ``POST /uploads``). Unknown
performers, grants and suspensions answer 404; a second lift 409; any other invalid record 422 with the
registry's message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from consent import (
    AlreadyLiftedError,
    AlreadyRevokedError,
    ConsentEvent,
    ConsentRegistry,
    ConsentState,
    DocumentError,
    DuplicatePerformerError,
    Performer,
    Proof,
    ReconcileReport,
    Suspension,
    UnknownGrantError,
    UnknownPerformerError,
    UnknownSuspensionError,
)
from cutproof.api.deps import LegalOf, ProjectAccess, WorkspaceDep
from cutproof.core.projects import project_log
from cutproof.core.uploads import resolve_upload
from cutproof.core.workspace import Workspace

router = APIRouter(tags=["consent"])

Id = Annotated[str, Path(pattern=r"^[a-z]{2,4}_[0-9a-z]{8,40}$")]

T = TypeVar("T")


def _registry(ws: Workspace, access: ProjectAccess) -> ConsentRegistry:
    return ConsentRegistry(ws.engine, ws.blobs, project_log(ws, access.project), project=access.project.slug)


def _call(fn: Callable[[], T]) -> T:
    """Run a registry call, answering 404 for unknown records and 409 for conflicts (other errors: 422)."""
    try:
        return fn()
    except (UnknownPerformerError, UnknownGrantError, UnknownSuspensionError) as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except (AlreadyRevokedError, AlreadyLiftedError, DuplicatePerformerError) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PerformerAmend(_Body):
    reason: str
    name: str | None = Field(default=None, max_length=200)
    deceased: bool | None = None
    died_at: AwareDatetime | None = None
    minor: bool | None = None
    representative_name: str | None = None
    representative_document: str | None = Field(default=None, description="blob:<sha256> of the authority")
    representation: str | None = None


class SuspensionCreate(_Body):
    performer_id: str | None = Field(default=None, description="None: every consent of the project (e.g. a strike)")
    reason: str
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    categories: list[str] | None = Field(default=None, description="grant categories suspended (default: all)")
    strike: bool = False


class LiftCreate(_Body):
    reason: str
    end: AwareDatetime | None = None


class ConsentStatePublic(BaseModel):
    state: ConsentState
    proofs: list[Proof]
    checkpoint: str
    verifier_keys: list[str]


@router.post("/projects/{project}/performers/{performer_id}/amendments", response_model=Performer)
def post_amendment(ws: WorkspaceDep, access: LegalOf, performer_id: Id, body: PerformerAmend) -> Performer:
    """Record a change to a performer: death, representative, age, name (performer.amended/1)."""
    fields = body.model_dump(exclude={"representative_document"})
    doc = body.representative_document
    document = resolve_upload(ws, access.project.slug, doc) if doc else None
    return _call(
        lambda: _registry(ws, access).amend_performer(
            performer_id, **fields, representative_document=document, identity=access.principal.identity
        )
    )


@router.get("/projects/{project}/suspensions", response_model=list[Suspension])
def get_suspensions(ws: WorkspaceDep, access: LegalOf) -> list[Suspension]:
    """Every suspension of the project, past, present and future, with ends as lifted."""
    return _registry(ws, access).suspensions()


@router.post("/projects/{project}/suspensions", response_model=Suspension, status_code=status.HTTP_201_CREATED)
def post_suspension(ws: WorkspaceDep, access: LegalOf, body: SuspensionCreate) -> Suspension:
    """Suspend one performer's consents, or the whole project's (consent.suspended/1)."""
    fields = body.model_dump(exclude={"performer_id"})
    return _call(lambda: _registry(ws, access).suspend(body.performer_id, **fields, identity=access.principal.identity))


@router.post("/projects/{project}/suspensions/{suspension_id}/lift", response_model=ConsentEvent)
def post_lift(ws: WorkspaceDep, access: LegalOf, suspension_id: Id, body: LiftCreate) -> ConsentEvent:
    """End a suspension (consent.suspension_lifted/1)."""
    return _call(
        lambda: _registry(ws, access).lift_suspension(
            suspension_id, reason=body.reason, end=body.end, identity=access.principal.identity
        )
    )


@router.get("/projects/{project}/consents/{grant_id}/history", response_model=list[ConsentEvent])
def get_history(ws: WorkspaceDep, access: LegalOf, grant_id: Id) -> list[ConsentEvent]:
    """Everything recorded about a grant, in ledger order."""
    return _call(lambda: _registry(ws, access).history(grant_id))


@router.get("/projects/{project}/consent-state", response_model=ConsentStatePublic)
def get_consent_state(
    ws: WorkspaceDep,
    access: LegalOf,
    performer: Annotated[list[str] | None, Query(description="Only these performers (repeat).")] = None,
    at: Annotated[AwareDatetime | None, Query(description="Evaluate at this time (default now).")] = None,
    known_at: Annotated[AwareDatetime | None, Query(description="Only what was recorded by then.")] = None,
) -> ConsentStatePublic:
    """The consent state at a time (as the gate sees it), with a receipt for every ledger entry it rests on."""
    reg = _registry(ws, access)
    state = _call(lambda: reg.state_at(performer or None, at, known_at=known_at))
    return ConsentStatePublic(
        state=state,
        proofs=reg.state_proofs(state),
        checkpoint=reg.log.checkpoint(),
        verifier_keys=reg.log.verifier_keys(),
    )


@router.get("/projects/{project}/consent-check", response_model=ReconcileReport)
def get_consent_check(ws: WorkspaceDep, access: LegalOf) -> ReconcileReport:
    """Registry rows against the ledger (read-only; `cutproof consent check --repair` completes interrupted writes)."""
    return _registry(ws, access).reconcile()


@router.get("/projects/{project}/consent-documents/{sha256}", response_class=Response)
def get_document(
    ws: WorkspaceDep, access: LegalOf, sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
) -> Response:
    """A signed document recorded in the project (bytes checked against the hash)."""
    try:
        data = _registry(ws, access).document(sha256)
    except DocumentError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return Response(data, media_type="application/octet-stream")
