"""The registry's tables (SQLAlchemy Core), all prefixed ``consent_``.

Rows are only ever inserted: a grant row is never updated; revocations, suspensions and lifts are rows of
``consent_events``. Every row of ``consent_performers``, ``consent_grants`` and ``consent_events`` carries the
index and leaf hash of the ledger entry that recorded it. ``consent_pending`` is a write-ahead intent: it holds an
operation between the moment it is validated and the moment its rows are inserted, so a crash between the ledger
append and the row insert can be completed later (``ConsentRegistry.reconcile``).

Times are stored as fixed-width UTC strings (``2026-11-23T20:55:26.123456Z``), which sort correctly and read back
identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Dialect,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

from records import format_utc, parse_utc  # the one fixed-width UTC form (also in ledger entries)


class UTCText(TypeDecorator[datetime]):
    """An aware datetime stored as fixed-width UTC text."""

    impl = String(27)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        return None if value is None else format_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else parse_utc(value)


metadata = MetaData()

_ID = 48

performers = Table(
    "consent_performers",
    metadata,
    Column("performer_id", String(_ID), primary_key=True),
    Column("project", String(200), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("guild_member", Boolean, nullable=False),
    Column("guild", String(100)),
    Column("guild_id", String(100)),
    Column("minor", Boolean, nullable=False),
    Column("deceased", Boolean, nullable=False),
    Column("died_at", UTCText),
    Column("representative_name", Text),
    Column("representative_document_sha256", String(64)),
    Column("representation", String(16), nullable=False),
    Column("salt", String(64), nullable=False),
    Column("recorded_at", UTCText, nullable=False),
    Column("identity", String(200), nullable=False),
    Column("ledger_index", Integer, nullable=False),
    Column("leaf_hash", String(64), nullable=False),
    UniqueConstraint("project", "ledger_index", name="uq_consent_performers_entry"),
)

grants = Table(
    "consent_grants",
    metadata,
    Column("grant_id", String(_ID), primary_key=True),
    Column("project", String(200), nullable=False),
    Column("performer_id", String(_ID), ForeignKey("consent_performers.performer_id"), nullable=False),
    Column("category", String(32), nullable=False),
    Column("edit_kinds", JSON, nullable=False),
    Column("purposes", JSON, nullable=False),
    Column("shots", JSON, nullable=False),
    Column("scenes", JSON, nullable=False),
    Column("use_description", Text, nullable=False),
    Column("separately_signed", Boolean, nullable=False),
    Column("signed_by", String(16), nullable=False),
    Column("signed_at", UTCText, nullable=False),
    Column("notice_given_at", UTCText),
    Column("document_sha256", String(64), nullable=False),
    Column("governing_law", String(16)),
    Column("contract_edition", String(64), nullable=False),
    Column("valid_from", UTCText, nullable=False),
    Column("valid_until", UTCText),
    Column("compensation_ref", Text),
    Column("languages", JSON),
    Column("salt", String(64), nullable=False),
    Column("recorded_at", UTCText, nullable=False),
    Column("identity", String(200), nullable=False),
    Column("ledger_index", Integer, nullable=False),
    Column("leaf_hash", String(64), nullable=False),
    UniqueConstraint("project", "ledger_index", name="uq_consent_grants_entry"),
    Index("ix_consent_grants_project_performer", "project", "performer_id"),
)

events = Table(
    "consent_events",
    metadata,
    Column("event_id", String(_ID), primary_key=True),
    Column("project", String(200), nullable=False),
    # revoked | suspended | suspension_lifted | performer_amended | court_approved
    Column("event_kind", String(24), nullable=False),
    Column("grant_id", String(_ID), ForeignKey("consent_grants.grant_id")),
    Column("performer_id", String(_ID), ForeignKey("consent_performers.performer_id")),
    Column("suspension_id", String(_ID)),
    Column("effective_at", UTCText, nullable=False),
    Column("end_at", UTCText),
    Column("categories", JSON),  # suspensions: the grant categories suspended (["*"]: all)
    Column("strike", Boolean),  # suspensions: caused by a strike
    Column("record", JSON),  # amendments: the performer's record after it; court approvals: the order's hash
    Column("reason", Text, nullable=False),
    Column("salt", String(64), nullable=False),
    Column("recorded_at", UTCText, nullable=False),
    Column("identity", String(200), nullable=False),
    Column("ledger_index", Integer, nullable=False),
    Column("leaf_hash", String(64), nullable=False),
    UniqueConstraint("project", "ledger_index", name="uq_consent_events_entry"),
    Index("ix_consent_events_project_kind", "project", "event_kind"),
)

documents = Table(
    "consent_documents",
    metadata,
    Column("project", String(200), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("filename", Text),
    Column("media_type", String(100)),
    Column("first_recorded_at", UTCText, nullable=False),
)

pending = Table(
    "consent_pending",
    metadata,
    Column("op_id", String(_ID), primary_key=True),
    Column("project", String(200), nullable=False, index=True),
    Column("entry_kind", String(64), nullable=False),
    Column("log_size_before", Integer, nullable=False),
    Column("entry", JSON, nullable=False),
    Column("rows", JSON, nullable=False),
    Column("created_at", UTCText, nullable=False),
)


def create_schema(engine: Engine) -> None:
    """Create the registry's tables that do not exist yet (idempotent)."""
    metadata.create_all(engine)
