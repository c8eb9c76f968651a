"""The application's tables: one SQLModel family per entity, all on one metadata (``metadata``).

The shape is the FastAPI full-stack template's ``models.py``: ``<Entity>Base`` declares the fields a stored row and
its public view share (once: name, type, length, nullability, index); ``<Entity>Row`` (``table=True``) is the row
as stored; the public view (``Project``, ``Job``, ``EditRequestRecord``, ``TokenPublic``) is what the rest of the
application reads — frozen, with typed values where the row holds JSON (``Project.context``), and without what must
not leave the database (``TokenPublic`` has no secret digest). Tables read or written by nothing but their own
module have only the ``Row``.

Statements are SQLAlchemy Core on each model's ``__table__`` (a plain ``Table``): the gate's reads are compiled
once and run on SQLite's driver (``store.driver_select``), and a row becomes its public view with
``model_validate``. Every time is stored as UTC; SQLite hands times back without a zone, and the public views read
them as UTC (``UTCDateTime``).

The tables are created and changed only by the migrations (``cutproof.core.schema``); a test checks that the
models and the migrations agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, DateTime, LargeBinary, MetaData, Table, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig


class AppModel(SQLModel, registry=registry()):
    """Base of the application's models: their tables share one metadata of their own (not SQLModel's global
    one, which any other library's models would also fill). Validators are built on a model's first use
    (``defer_build``), which takes a third off the import of this module for commands that validate nothing."""

    model_config = SQLModelConfig(defer_build=True)


metadata: MetaData = AppModel.metadata


class PublicView(AppModel):
    """Base of the public views: frozen, and built by pydantic's own constructor and ``model_validate``.

    SQLModel's constructor, which table models need (it sets up SQLAlchemy's instrumentation), runs the validation
    through Python and costs about three times pydantic's (``bench/app_tables.py``, ``rows_to_views``); a view is
    never a table, and the gate builds one (the job it queues) with every allowed decision.
    """

    model_config = SQLModelConfig(frozen=True)
    __init__ = BaseModel.__init__  # type: ignore[assignment]

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:  # type: ignore[override]
        """``obj`` (a row's mapping, a dict) as a view: pydantic's ``BaseModel.model_validate``."""
        return BaseModel.model_validate.__func__(cls, obj, **options)  # type: ignore[attr-defined,no-any-return]


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UTCDateTime = Annotated[datetime, AfterValidator(_as_utc)]
"""An aware datetime; a naive one (as SQLite returns every stored time) is read as UTC."""


def _timestamp(*, optional: bool = False) -> Any:
    """A time column: ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL, ISO text on SQLite."""
    return Field(default=None, sa_type=DateTime(timezone=True)) if optional else Field(sa_type=DateTime(timezone=True))


def table_of(model: type[AppModel]) -> Table:
    """The Core ``Table`` of a table model (what prebuilt statements and ``DriverSelect`` are built on)."""
    table = model.__table__  # type: ignore[attr-defined]
    if not isinstance(table, Table):  # pragma: no cover - every table model maps one Table
        raise TypeError(f"{model.__name__} is not a table model")
    return table


# -- projects ---------------------------------------------------------------------------------------------------


class ProjectContext(BaseModel):
    """What the gate needs to know about the production (the policy context of every edit request)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agreement: str = PydanticField(default="sag-aftra-tv-theatrical-2026", description="Contract and edition in force.")
    principal_photography_start: date | None = None
    distribution_territories: tuple[str, ...] = ("US",)
    evidently_artistic: bool = True
    policy_packs: tuple[str, ...] = ()

    @field_validator("distribution_territories")
    @classmethod
    def _upper(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t.strip().upper() for t in v if t.strip())


class ProjectBase(AppModel):
    slug: str = Field(primary_key=True, max_length=63)
    name: str = Field(max_length=200)
    origin: str = Field(max_length=300, unique=True)
    created_at: UTCDateTime = _timestamp()
    ledger_index: int


class ProjectRow(ProjectBase, table=True):
    """``app_projects``: one row per project; ``ledger_index`` is its ``project.created/1`` entry."""

    __tablename__ = "app_projects"
    context: dict[str, Any] = Field(sa_type=JSON)


class Project(ProjectBase, PublicView):
    """A project as stored (immutable view)."""

    context: ProjectContext


# -- users, memberships, tokens -----------------------------------------------------------------------------------


class UserRow(AppModel, table=True):
    """``app_users``."""

    __tablename__ = "app_users"
    username: str = Field(primary_key=True, max_length=64)
    created_at: UTCDateTime = _timestamp()
    is_superuser: bool = False


class MembershipRow(AppModel, table=True):
    """``app_memberships``: one row per (user, project, role) held."""

    __tablename__ = "app_memberships"
    username: str = Field(primary_key=True, foreign_key="app_users.username", max_length=64)
    project: str = Field(primary_key=True, max_length=63)
    role: str = Field(primary_key=True, max_length=16)
    granted_at: UTCDateTime = _timestamp()


class TokenBase(AppModel):
    token_id: str = Field(primary_key=True, max_length=32)
    username: str = Field(foreign_key="app_users.username", max_length=64)
    label: str = Field(max_length=200)
    created_at: UTCDateTime = _timestamp()
    expires_at: UTCDateTime = _timestamp()
    revoked_at: UTCDateTime | None = _timestamp(optional=True)


class TokenRow(TokenBase, table=True):
    """``app_tokens``: the HMAC of the secret only, never the secret."""

    __tablename__ = "app_tokens"
    secret_sha256: str = Field(max_length=64)


class TokenPublic(TokenBase, PublicView):
    """A token's metadata as listed (no secret, no digest)."""


# -- jobs -----------------------------------------------------------------------------------------------------------


class JobBase(AppModel):
    job_id: str = Field(primary_key=True, max_length=32)
    project: str = Field(max_length=63, index=True)
    kind: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_type=JSON)
    state: str = Field(max_length=16, index=True)
    progress: float = 0.0
    message: str = Field(default="", sa_type=Text)
    steps: dict[str, Any] = Field(sa_type=JSON)
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    error: str | None = Field(default=None, sa_type=Text)
    cancel_requested: bool = False
    attempts: int = 0
    created_by: str = Field(max_length=128)
    created_at: UTCDateTime = _timestamp()
    updated_at: UTCDateTime = _timestamp()


class JobRow(JobBase, table=True):
    """``app_jobs``: a job plus the lease of the worker running it."""

    __tablename__ = "app_jobs"
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_expires: UTCDateTime | None = _timestamp(optional=True)


class Job(JobBase, PublicView):
    """A job as stored."""


# -- uploads --------------------------------------------------------------------------------------------------------


class UploadRow(AppModel, table=True):
    """``app_uploads``: a blob uploaded to a project (a ``blob:`` reference resolves only in its project)."""

    __tablename__ = "app_uploads"
    project: str = Field(primary_key=True, max_length=63)
    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    filename: str = Field(max_length=255)
    uploaded_by: str = Field(max_length=128)
    uploaded_at: UTCDateTime = _timestamp()


# -- edit requests, watermark keys, who-is-there answers ------------------------------------------------------------


class EditRequestBase(AppModel):
    request_id: str = Field(primary_key=True, max_length=32)
    project: str = Field(max_length=63, index=True)
    clip_hash: str = Field(max_length=64, index=True)
    submission: dict[str, Any] = Field(sa_type=JSON)
    decision: dict[str, Any] = Field(sa_type=JSON)
    outcome: str = Field(max_length=8)
    decision_index: int
    state: str = Field(max_length=16)
    review: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    review_index: int | None = None
    job_id: str | None = Field(default=None, max_length=32)
    edit_index: int | None = None
    label_index: int | None = None
    deliverable: str | None = Field(default=None, max_length=1000)
    submitted_by: str = Field(max_length=128)
    created_at: UTCDateTime = _timestamp()
    updated_at: UTCDateTime = _timestamp()
    resubmitted_as: str | None = Field(default=None, max_length=32)
    """The request this one was submitted again as (``cutproof.edits.resubmit.resubmit``), once it has been."""


class EditRequestRow(EditRequestBase, table=True):
    """``app_edit_requests``: the workflow of an edit request (the ledger holds the proof)."""

    __tablename__ = "app_edit_requests"


class EditRequestRecord(EditRequestBase, PublicView):
    """One edit request and where it stands."""


class WatermarkKeyRow(AppModel, table=True):
    """``app_watermark_keys``: watermark key → the ``edit.applied`` entry and the manifest of its deliverable."""

    __tablename__ = "app_watermark_keys"
    key_hex: str = Field(primary_key=True, max_length=16)
    origin: str = Field(max_length=255)
    edit_index: int
    manifest_sha256: str = Field(max_length=64)
    output_sha256: str = Field(max_length=64)


class FingerprintRow(AppModel, table=True):
    """``app_fingerprints``: a deliverable's perceptual fingerprint → its ``edit.applied`` entry and manifest."""

    __tablename__ = "app_fingerprints"
    output_sha256: str = Field(primary_key=True, max_length=64)
    origin: str = Field(max_length=255)
    edit_index: int
    manifest_sha256: str = Field(max_length=64)
    algorithm: str = Field(max_length=64)
    hashes: bytes = Field(sa_type=LargeBinary)


class CameraProvenanceRow(AppModel, table=True):
    """``app_camera_provenance``: the C2PA manifest a camera signed into a catalogued daily, as validated at ingest
    (``cutproof.dailies.provenance``); no row: the daily carries no manifest. The manifest store is in the blob
    store under ``manifest_sha256``."""

    __tablename__ = "app_camera_provenance"
    content_hash: str = Field(primary_key=True, max_length=64)
    state: str = Field(max_length=16)
    failures: list[str] = Field(sa_type=JSON)
    signer_issuer: str | None = Field(default=None, max_length=255)
    signer: str | None = Field(default=None, max_length=255)
    claim_generator: str | None = Field(default=None, max_length=255)
    manifest_label: str | None = Field(default=None, max_length=255)
    manifest_sha256: str = Field(max_length=64)
    checked_at: UTCDateTime = _timestamp()


class PresenceRow(AppModel, table=True):
    """``app_presence_cache``: stored who-is-there answers (``cutproof.cast.store``)."""

    __tablename__ = "app_presence_cache"
    key: str = Field(primary_key=True, max_length=64)
    presence: dict[str, Any] = Field(sa_type=JSON)
    created_at: UTCDateTime = _timestamp()


# -- the console and delivery QC ------------------------------------------------------------------------------------


class ConsoleSessionRow(AppModel, table=True):
    """``app_console_sessions``: a signed-in browser — the digest of its cookie, the API token it acts with
    (encrypted under a key only the cookie holds) and its CSRF token (``cutproof.console.sessions``)."""

    __tablename__ = "app_console_sessions"
    session_sha256: str = Field(primary_key=True, max_length=64)
    token_id: str = Field(max_length=32, index=True)
    username: str = Field(max_length=64)
    aes_key_hex: str = Field(max_length=64)
    csrf_token: str = Field(max_length=64)
    created_at: UTCDateTime = _timestamp()
    last_seen_at: UTCDateTime = _timestamp()
    idle_expires_at: UTCDateTime = _timestamp()
    expires_at: UTCDateTime = _timestamp()


class QcResultRow(AppModel, table=True):
    """``app_qc_results``: one delivery QC check of one file and its report (``cutproof.qc.history``)."""

    __tablename__ = "app_qc_results"
    check_id: str = Field(primary_key=True, max_length=32)
    batch_id: str = Field(max_length=32, index=True)
    project: str = Field(max_length=63, index=True)
    file_name: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64, index=True)
    origin: str | None = Field(default=None, max_length=300)
    edit_index: int | None = None
    verdict: str = Field(max_length=16)
    report: dict[str, Any] = Field(sa_type=JSON)
    checked_by: str = Field(max_length=128)
    checked_at: UTCDateTime = _timestamp()
