"""Performers and consent over HTTP: legal records and queries them; every project member can list performers.

Writes (legal or admin role) go through ``consent.ConsentRegistry`` exactly as the CLI does, so each is one ledger
entry and bad input writes nothing. Signed documents travel base64-encoded inside the JSON body, so a grant and its
document are accepted or refused together. Unknown performers, grants and suspensions answer 404; a second
revocation or lift, or a duplicate guild id, 409; any other invalid record 422 with the registry's message.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from consent import (
    AlreadyLiftedError,
    AlreadyRevokedError,
    ConsentEvent,
    ConsentGrant,
    ConsentRegistry,
    ConsentState,
    Coverage,
    DuplicatePerformerError,
    Performer,
    Proof,
    Suspension,
    UnknownGrantError,
    UnknownPerformerError,
    UnknownSuspensionError,
)
from cutproof.api.deps import AnyMember, ProjectAccess, WorkspaceDep, project_access
from cutproof.auth import Role
from cutproof.projects import project_log
from cutproof.workspace import Workspace

router = APIRouter(tags=["consent"])

LegalOrAdmin = Annotated[ProjectAccess, project_access(Role.LEGAL, Role.ADMIN)]
Id = Annotated[str, Path(pattern=r"^[a-z]{2,4}_[0-9a-z]{8,40}$")]
MAX_DOCUMENT_BASE64 = 90 * 1024 * 1024

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


def _document(field: str, value: str | None) -> bytes | None:
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{field} is not valid base64") from None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PerformerCreate(_Body):
    name: str = Field(max_length=500)
    kind: str = "principal"
    guild: str | None = None
    guild_id: str | None = None
    minor: bool = False
    deceased: bool = False
    died_at: AwareDatetime | None = None
    representative_name: str | None = None
    representative_document_base64: str | None = Field(default=None, max_length=MAX_DOCUMENT_BASE64)
    representation: str = "none"


class PerformerAmend(_Body):
    reason: str
    name: str | None = None
    deceased: bool | None = None
    died_at: AwareDatetime | None = None
    minor: bool | None = None
    representative_name: str | None = None
    representative_document_base64: str | None = Field(default=None, max_length=MAX_DOCUMENT_BASE64)
    representation: str | None = None


class GrantCreate(_Body):
    performer_id: str
    category: str
    edit_kinds: list[str]
    purposes: list[str]
    shots: list[str] | Literal["all"] = "all"
    scenes: list[str] | Literal["all"] = "all"
    use_description: str
    document_base64: str = Field(max_length=MAX_DOCUMENT_BASE64)
    signed_by: str = "performer"
    signed_at: AwareDatetime | None = None
    notice_given_at: AwareDatetime | None = None
    contract_edition: str
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None
    separately_signed: bool = True
    governing_law: str | None = None
    compensation_ref: str | None = None
    languages: list[str] | None = None


class RevocationCreate(_Body):
    reason: str
    effective_at: AwareDatetime | None = None


class SuspensionCreate(_Body):
    performer_id: str | None = Field(default=None, description="None: every consent of the project (e.g. a strike)")
    reason: str
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    categories: list[str] | None = None
    strike: bool = False


class LiftCreate(_Body):
    reason: str
    end: AwareDatetime | None = None


class ConsentStatePublic(BaseModel):
    state: ConsentState
    proofs: list[Proof]
    checkpoint: str
    verifier_keys: list[str]


@router.get("/projects/{project}/performers", response_model=list[Performer])
def get_performers(ws: WorkspaceDep, access: AnyMember) -> list[Performer]:
    """The project's performers (any member: editors declare them in edit requests)."""
    return _registry(ws, access).performers()


@router.post("/projects/{project}/performers", response_model=Performer, status_code=status.HTTP_201_CREATED)
def post_performer(ws: WorkspaceDep, access: LegalOrAdmin, body: PerformerCreate) -> Performer:
    """Register a performer (ledger entry performer.registered/1, no personal data in it)."""
    doc = _document("representative_document_base64", body.representative_document_base64)
    fields = body.model_dump(exclude={"representative_document_base64"})
    return _call(
        lambda: _registry(ws, access).register_performer(
            **fields, representative_document=doc, identity=access.principal.identity
        )
    )


@router.post("/projects/{project}/performers/{performer_id}/amendments", response_model=Performer)
def post_amendment(ws: WorkspaceDep, access: LegalOrAdmin, performer_id: Id, body: PerformerAmend) -> Performer:
    """Record a change to a performer: death, representative, age, name (performer.amended/1)."""
    doc = _document("representative_document_base64", body.representative_document_base64)
    fields = body.model_dump(exclude={"representative_document_base64"})
    return _call(
        lambda: _registry(ws, access).amend_performer(
            performer_id, **fields, representative_document=doc, identity=access.principal.identity
        )
    )


@router.post("/projects/{project}/consents", response_model=ConsentGrant, status_code=status.HTTP_201_CREATED)
def post_grant(ws: WorkspaceDep, access: LegalOrAdmin, body: GrantCreate) -> ConsentGrant:
    """Record a consent grant with its signed document (consent.granted/1)."""
    doc = _document("document_base64", body.document_base64)
    fields: dict[str, Any] = body.model_dump(exclude={"document_base64", "performer_id"})
    return _call(
        lambda: _registry(ws, access).grant(
            body.performer_id, **fields, document=doc, identity=access.principal.identity
        )
    )


@router.get("/projects/{project}/consents", response_model=ConsentStatePublic)
def get_consents(
    ws: WorkspaceDep,
    access: LegalOrAdmin,
    performer: Annotated[list[str] | None, Query(description="Only these performers (repeat).")] = None,
    at: Annotated[AwareDatetime | None, Query(description="Evaluate at this time (default now).")] = None,
    known_at: Annotated[AwareDatetime | None, Query(description="Only what was recorded by then.")] = None,
) -> ConsentStatePublic:
    """The consent state at a time, with a receipt for every ledger entry it rests on."""
    reg = _registry(ws, access)
    state = _call(lambda: reg.state_at(performer or None, at, known_at=known_at))
    return ConsentStatePublic(
        state=state,
        proofs=reg.state_proofs(state),
        checkpoint=reg.log.checkpoint(),
        verifier_keys=reg.log.verifier_keys(),
    )


@router.get("/projects/{project}/consents/{grant_id}/history", response_model=list[ConsentEvent])
def get_history(ws: WorkspaceDep, access: LegalOrAdmin, grant_id: Id) -> list[ConsentEvent]:
    """Everything recorded about a grant, in ledger order."""
    return _call(lambda: _registry(ws, access).history(grant_id))


@router.post("/projects/{project}/consents/{grant_id}/revocation", response_model=ConsentEvent)
def post_revocation(ws: WorkspaceDep, access: LegalOrAdmin, grant_id: Id, body: RevocationCreate) -> ConsentEvent:
    """Revoke a grant (consent.revoked/1); a revocation is final."""
    return _call(
        lambda: _registry(ws, access).revoke(
            grant_id, reason=body.reason, effective_at=body.effective_at, identity=access.principal.identity
        )
    )


@router.post("/projects/{project}/suspensions", response_model=Suspension, status_code=status.HTTP_201_CREATED)
def post_suspension(ws: WorkspaceDep, access: LegalOrAdmin, body: SuspensionCreate) -> Suspension:
    """Suspend one performer's consents, or the whole project's (consent.suspended/1)."""
    fields = body.model_dump(exclude={"performer_id"})
    return _call(lambda: _registry(ws, access).suspend(body.performer_id, **fields, identity=access.principal.identity))


@router.post("/projects/{project}/suspensions/{suspension_id}/lift", response_model=ConsentEvent)
def post_lift(ws: WorkspaceDep, access: LegalOrAdmin, suspension_id: Id, body: LiftCreate) -> ConsentEvent:
    """End a suspension (consent.suspension_lifted/1)."""
    return _call(
        lambda: _registry(ws, access).lift_suspension(
            suspension_id, reason=body.reason, end=body.end, identity=access.principal.identity
        )
    )


@router.get("/projects/{project}/coverage", response_model=Coverage)
def get_coverage(
    ws: WorkspaceDep,
    access: Annotated[ProjectAccess, project_access(Role.LEGAL, Role.ADMIN, Role.QC)],
    performer: Annotated[str, Query(description="Performer id.")],
    edit_kind: Annotated[str, Query()],
    purpose: Annotated[str, Query()],
    shot: Annotated[str | None, Query()] = None,
    scene: Annotated[str | None, Query()] = None,
    at: Annotated[AwareDatetime | None, Query()] = None,
    known_at: Annotated[AwareDatetime | None, Query()] = None,
    language: Annotated[str | None, Query()] = None,
) -> Coverage:
    """What consent covered the performer for this use at this time — every grant judged, with receipts."""
    return _call(
        lambda: _registry(ws, access).covering(
            performer, edit_kind, purpose, shot, scene, at, known_at=known_at, language=language
        )
    )


@router.get("/projects/{project}/consent-documents/{sha256}", response_class=Response)
def get_document(
    ws: WorkspaceDep, access: LegalOrAdmin, sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
) -> Response:
    """A signed document recorded in the project (bytes checked against the hash)."""
    from consent import DocumentError

    try:
        data = _registry(ws, access).document(sha256)
    except DocumentError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return Response(data, media_type="application/octet-stream")
