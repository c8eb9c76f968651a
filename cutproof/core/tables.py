"""Tables of the application's later stages (edit requests, the watermark-key index, the who-is-there cache).

They live here, at the floor of the application, so the workspace can create every table without importing the
stages that use them. The earlier stages' tables (projects, users, jobs, uploads) are in their own modules.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Engine, Integer, MetaData, String, Table

metadata = MetaData()
requests_table = Table(
    "app_edit_requests",
    metadata,
    Column("request_id", String(32), primary_key=True),
    Column("project", String(63), nullable=False, index=True),
    Column("clip_hash", String(64), nullable=False, index=True),
    Column("submission", JSON, nullable=False),
    Column("decision", JSON, nullable=False),
    Column("outcome", String(8), nullable=False),
    Column("decision_index", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("review", JSON, nullable=True),
    Column("review_index", Integer, nullable=True),
    Column("job_id", String(32), nullable=True),
    Column("edit_index", Integer, nullable=True),
    Column("label_index", Integer, nullable=True),
    Column("deliverable", String(1000), nullable=True),
    Column("submitted_by", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

watermark_keys = Table(
    "app_watermark_keys",
    metadata,
    Column("key_hex", String(16), primary_key=True),
    Column("origin", String(255), nullable=False),
    Column("edit_index", Integer, nullable=False),
    Column("manifest_sha256", String(64), nullable=False),
    Column("output_sha256", String(64), nullable=False),
)

presence_table = Table(
    "app_presence_cache",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("presence", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def create_schema(engine: Engine) -> None:
    """Create these tables where missing (idempotent)."""
    metadata.create_all(engine)
