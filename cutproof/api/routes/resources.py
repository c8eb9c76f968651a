"""Uploads, performers and consents (legal), dailies, and QC verification of an uploaded file (qc)."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from consent import ConsentGrant, ConsentRegistry, Coverage, Performer
from cutproof.api.deps import AnyMember, EditorOf, LegalOf, QcOf, SettingsDep, WorkspaceDep
from cutproof.api.public import public_clip, scrub
from cutproof.audit.build import build_audit
from cutproof.audit.report import to_csv, to_html
from cutproof.core.inputs import safe_filename
from cutproof.core.projects import project_log
from cutproof.core.uploads import record_upload, resolve_upload
from cutproof.dailies.ingest import ingest_dailies
from cutproof.dailies.provenance import provenance_of
from cutproof.qc.verify import verify_deliverable
from editor import Catalogue
from store.errors import BlobTooLargeError

router = APIRouter()


class UploadPublic(BaseModel):
    ref: str
    sha256: str
    size: int


@router.post("/projects/{project}/uploads", response_model=UploadPublic, status_code=201, tags=["uploads"])
async def upload(
    request: Request,
    ws: WorkspaceDep,
    settings: SettingsDep,
    access: AnyMember,
    x_filename: Annotated[str, Header(max_length=255)] = "upload.bin",
) -> UploadPublic:
    """Stream the request body into the content-addressed store (size-capped); reference it as ``blob:<sha256>``."""
    safe_filename(x_filename)
    fd, tmp = tempfile.mkstemp(dir=ws.home, prefix=".upload-")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.max_request_bytes:
                    raise BlobTooLargeError(f"upload exceeds the limit of {settings.max_request_bytes} bytes")
                out.write(chunk)
        digest = ws.blobs.put_file(Path(tmp))
    finally:
        Path(tmp).unlink(missing_ok=True)
    record_upload(ws, access.project.slug, digest, size=size, filename=x_filename, by=access.principal.identity)
    return UploadPublic(ref=f"blob:{digest}", sha256=digest, size=size)


class PerformerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["principal", "background", "stunt", "stand_in"]
    guild: str | None = None
    guild_id: str | None = None
    minor: bool = False
    deceased: bool = False
    died_at: datetime | None = None
    representative_name: str | None = None
    representative_document: str | None = Field(default=None, description="blob:<sha256> of the authority")
    representation: Literal["counsel", "union", "none"] = "none"


class GrantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    performer_id: str
    category: Literal["digital_alteration", "ebdr", "icdr", "background_replica"]
    edit_kinds: list[str]
    purposes: list[str]
    use_description: str = Field(min_length=1)
    document: str = Field(description="blob:<sha256> of the separately signed writing")
    signed_by: Literal["performer", "representative", "union"]
    contract_edition: Literal["sag-aftra-tv-theatrical-2023", "sag-aftra-tv-theatrical-2026"]
    valid_from: datetime
    valid_until: datetime | None = None
    shots: list[str] | Literal["all"] = "all"
    scenes: list[str] | Literal["all"] = "all"
    separately_signed: bool = True
    governing_law: str | None = None
    compensation_ref: str | None = None
    languages: list[str] | None = None


class RevokeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1)
    effective_at: datetime | None = None


class CourtApprovalCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: str = Field(description="blob:<sha256> of the court's approval order")
    approved_at: datetime
    reason: str = Field(min_length=1, description="Court and case reference (kept in the registry only).")


def _registry(ws: Any, access: Any) -> ConsentRegistry:
    return ConsentRegistry(ws.engine, ws.blobs, project_log(ws, access.project))


@router.post("/projects/{project}/performers", response_model=Performer, status_code=201, tags=["consent"])
def add_performer(ws: WorkspaceDep, access: LegalOf, body: PerformerCreate) -> Performer:
    """Register a performer (legal). Personal data stays in the registry; the ledger entry carries none."""
    data = body.model_dump()
    doc = data.pop("representative_document")
    return _registry(ws, access).register_performer(
        **data,
        representative_document=resolve_upload(ws, access.project.slug, doc) if doc else None,
        identity=access.principal.identity,
    )


@router.get("/projects/{project}/performers", response_model=list[Performer], tags=["consent"])
def list_performers(ws: WorkspaceDep, access: LegalOf) -> list[Performer]:
    """The project's performers (legal)."""
    return _registry(ws, access).performers()


@router.post("/projects/{project}/consents", response_model=ConsentGrant, status_code=201, tags=["consent"])
def grant(ws: WorkspaceDep, access: LegalOf, body: GrantCreate) -> ConsentGrant:
    """Record a consent grant for one specific use with its signed document (legal)."""
    data = body.model_dump()
    document = resolve_upload(ws, access.project.slug, data.pop("document"))
    performer_id = data.pop("performer_id")
    return _registry(ws, access).grant(performer_id, document=document, identity=access.principal.identity, **data)


@router.get("/projects/{project}/consents", response_model=list[ConsentGrant], tags=["consent"])
def list_grants(
    ws: WorkspaceDep, access: LegalOf, performer_id: str | None = None, at: datetime | None = None
) -> list[ConsentGrant]:
    """Grants with their state at ``at`` (default now) (legal)."""
    return _registry(ws, access).grants(performer_id, at=at)


@router.post("/projects/{project}/consents/{grant_id}/revoke", status_code=201, tags=["consent"])
def revoke(ws: WorkspaceDep, access: LegalOf, grant_id: str, body: RevokeCreate) -> dict[str, Any]:
    """Revoke a grant (an event; the grant is never edited) (legal)."""
    event = _registry(ws, access).revoke(
        grant_id, reason=body.reason, effective_at=body.effective_at, identity=access.principal.identity
    )
    return event.model_dump(mode="json")


@router.post("/projects/{project}/consents/{grant_id}/court-approval", status_code=201, tags=["consent"])
def court_approval(ws: WorkspaceDep, access: LegalOf, grant_id: str, body: CourtApprovalCreate) -> dict[str, Any]:
    """Record a court's approval of a minor's consent contract, with the order (legal)."""
    event = _registry(ws, access).approve_by_court(
        grant_id,
        document=resolve_upload(ws, access.project.slug, body.document),
        approved_at=body.approved_at,
        reason=body.reason,
        identity=access.principal.identity,
    )
    return event.model_dump(mode="json")


@router.get("/projects/{project}/coverage", response_model=Coverage, tags=["consent"])
def coverage(
    ws: WorkspaceDep,
    access: LegalOf,
    performer_id: str,
    edit_kind: str,
    purpose: str,
    shot: str | None = None,
    scene: str | None = None,
    at: datetime | None = None,
) -> Coverage:
    """What consent covered performer P for use U in shot S at time T, with ledger receipts (legal)."""
    return _registry(ws, access).covering(performer_id, edit_kind, purpose, shot=shot, scene=scene, at=at)


@router.get("/projects/{project}/dailies", tags=["dailies"])
def list_dailies(ws: WorkspaceDep, access: AnyMember) -> list[dict[str, Any]]:
    """The project's catalogued clips."""
    return [public_clip(c) for c in Catalogue(ws.engine).list(project=access.project.slug)]


class IngestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str = Field(description="blob:<sha256> of an uploaded camera file")
    filename: str = Field(min_length=1, max_length=255, description="name with slate info")

    @field_validator("filename")
    @classmethod
    def _filename(cls, v: str) -> str:
        return safe_filename(v)


@router.post("/projects/{project}/dailies", status_code=201, tags=["dailies"])
def ingest(ws: WorkspaceDep, access: EditorOf, body: IngestCreate) -> dict[str, Any]:
    """Ingest an uploaded camera file into the catalogue (rejected files say why and are not catalogued)."""
    src = resolve_upload(ws, access.project.slug, body.file)
    folder = ws.home / "dailies" / access.project.slug / src.name[:16]
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / body.filename
    placed = not link.exists()
    outcome = None
    try:
        if placed:
            try:
                os.link(src, link)
            except OSError:
                shutil.copyfile(src, link)
        report = ingest_dailies(ws, access.project.slug, folder, identity=access.principal.identity, files=[link])
        outcome = report.files[0]
    finally:
        if placed and (outcome is None or outcome.outcome == "rejected"):  # a failed ingest leaves nothing behind
            link.unlink(missing_ok=True)
            if made:
                with contextlib.suppress(OSError):
                    folder.rmdir()
    camera = provenance_of(ws.engine, outcome.clip.content_hash) if outcome.clip else None
    return {
        "outcome": outcome.outcome,
        "reason": getattr(outcome, "reason", None),
        "clip": public_clip(outcome.clip) if outcome.clip else None,
        "camera_manifest": camera.as_json() if camera else None,
    }


class QcCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str = Field(description="blob:<sha256> of the uploaded deliverable")


@router.post("/projects/{project}/qc", tags=["qc"], status_code=status.HTTP_200_OK)
def qc_verify(ws: WorkspaceDep, access: QcOf, body: QcCreate) -> dict[str, Any]:
    """Verify an uploaded deliverable before distribution: every check with its evidence (qc)."""
    path = resolve_upload(ws, access.project.slug, body.file)
    answer = scrub(verify_deliverable(ws, path, origin=access.project.origin).to_json(), ws.home)  # no server paths
    answer["file"] = body.file  # the reference the caller gave, not where the server keeps it
    return answer


@router.get("/projects/{project}/audit", tags=["audit"], response_model=None)
def audit(
    ws: WorkspaceDep, access: LegalOf, format: Literal["json", "csv", "html"] = "json"
) -> dict[str, Any] | Response:
    """The legal audit per shot (legal). HTML links every claim to its receipt through this API."""
    report = build_audit(ws, access.project)
    if format == "json":
        return report.as_json()
    if format == "csv":
        return Response(to_csv(report), media_type="text/csv")
    base = f"/api/v1/projects/{access.project.slug}/ledger/entries"
    return HTMLResponse(to_html(report, lambda i: f"{base}/{i}/receipt?size={report.log_size}"))
