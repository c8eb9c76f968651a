"""The schema of release 0.1.0 (commit 74c6410): the baseline every later revision builds on.

Every table of every package as 0.1.0's ``create_all`` made it, column for column, constraint for constraint, index
for index (a test compares the SQLite DDL with a database that release wrote). A database made by 0.1.0 has these
tables and no ``alembic_version``; ``cutproof db upgrade`` stamps it at this revision instead of running it.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the ledger (ledger/tables.py): entries, tiles and checkpoints clustered by primary key on SQLite
    op.create_table(
        "ledger_logs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("origin"),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["log_id"], ["ledger_logs.id"]),
        sa.PrimaryKeyConstraint("log_id", "idx"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ledger_tiles",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["log_id"], ["ledger_logs.id"]),
        sa.PrimaryKeyConstraint("log_id", "level", "idx"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["log_id"], ["ledger_logs.id"]),
        sa.PrimaryKeyConstraint("log_id", "size"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ledger_keys",
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("vkey", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=40), nullable=False),
        sa.Column("retired_at", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["log_id"], ["ledger_logs.id"]),
        sa.PrimaryKeyConstraint("log_id", "key_id"),
    )

    # the application (cutproof/core/models.py)
    op.create_table(
        "app_projects",
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slug"),
        sa.UniqueConstraint("origin"),
    )
    op.create_table(
        "app_users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_superuser", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "app_memberships",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("project", sa.String(length=63), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["app_users.username"]),
        sa.PrimaryKeyConstraint("username", "project", "role"),
    )
    op.create_table(
        "app_tokens",
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["username"], ["app_users.username"]),
        sa.PrimaryKeyConstraint("token_id"),
    )
    op.create_table(
        "app_jobs",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("project", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_expires", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_index("ix_app_jobs_project", "app_jobs", ["project"])
    op.create_index("ix_app_jobs_state", "app_jobs", ["state"])
    op.create_table(
        "app_edit_requests",
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("project", sa.String(length=63), nullable=False),
        sa.Column("clip_hash", sa.String(length=64), nullable=False),
        sa.Column("submission", sa.JSON(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("decision_index", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("review", sa.JSON(), nullable=True),
        sa.Column("review_index", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("edit_index", sa.Integer(), nullable=True),
        sa.Column("label_index", sa.Integer(), nullable=True),
        sa.Column("deliverable", sa.String(length=1000), nullable=True),
        sa.Column("submitted_by", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index("ix_app_edit_requests_clip_hash", "app_edit_requests", ["clip_hash"])
    op.create_index("ix_app_edit_requests_project", "app_edit_requests", ["project"])
    op.create_table(
        "app_watermark_keys",
        sa.Column("key_hex", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("edit_index", sa.Integer(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("output_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key_hex"),
    )
    op.create_table(
        "app_presence_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("presence", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "app_uploads",
        sa.Column("project", sa.String(length=63), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.String(length=128), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("project", "sha256"),
    )

    # the consent registry (consent/_tables.py)
    op.create_table(
        "consent_performers",
        sa.Column("performer_id", sa.String(length=48), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("guild_member", sa.Boolean(), nullable=False),
        sa.Column("guild", sa.String(length=100), nullable=True),
        sa.Column("guild_id", sa.String(length=100), nullable=True),
        sa.Column("minor", sa.Boolean(), nullable=False),
        sa.Column("deceased", sa.Boolean(), nullable=False),
        sa.Column("died_at", sa.String(length=27), nullable=True),
        sa.Column("representative_name", sa.Text(), nullable=True),
        sa.Column("representative_document_sha256", sa.String(length=64), nullable=True),
        sa.Column("representation", sa.String(length=16), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.String(length=27), nullable=False),
        sa.Column("identity", sa.String(length=200), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("performer_id"),
        sa.UniqueConstraint("project", "ledger_index", name="uq_consent_performers_entry"),
    )
    op.create_index("ix_consent_performers_project", "consent_performers", ["project"])
    op.create_table(
        "consent_documents",
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("first_recorded_at", sa.String(length=27), nullable=False),
        sa.PrimaryKeyConstraint("project", "sha256"),
    )
    op.create_table(
        "consent_pending",
        sa.Column("op_id", sa.String(length=48), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("entry_kind", sa.String(length=64), nullable=False),
        sa.Column("log_size_before", sa.Integer(), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.String(length=27), nullable=False),
        sa.PrimaryKeyConstraint("op_id"),
    )
    op.create_index("ix_consent_pending_project", "consent_pending", ["project"])
    op.create_table(
        "consent_grants",
        sa.Column("grant_id", sa.String(length=48), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("performer_id", sa.String(length=48), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("edit_kinds", sa.JSON(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("shots", sa.JSON(), nullable=False),
        sa.Column("scenes", sa.JSON(), nullable=False),
        sa.Column("use_description", sa.Text(), nullable=False),
        sa.Column("separately_signed", sa.Boolean(), nullable=False),
        sa.Column("signed_by", sa.String(length=16), nullable=False),
        sa.Column("signed_at", sa.String(length=27), nullable=False),
        sa.Column("notice_given_at", sa.String(length=27), nullable=True),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("governing_law", sa.String(length=16), nullable=True),
        sa.Column("contract_edition", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.String(length=27), nullable=False),
        sa.Column("valid_until", sa.String(length=27), nullable=True),
        sa.Column("compensation_ref", sa.Text(), nullable=True),
        sa.Column("languages", sa.JSON(), nullable=True),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.String(length=27), nullable=False),
        sa.Column("identity", sa.String(length=200), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("grant_id"),
        sa.UniqueConstraint("project", "ledger_index", name="uq_consent_grants_entry"),
        sa.ForeignKeyConstraint(["performer_id"], ["consent_performers.performer_id"]),
    )
    op.create_index("ix_consent_grants_project_performer", "consent_grants", ["project", "performer_id"])
    op.create_table(
        "consent_events",
        sa.Column("event_id", sa.String(length=48), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("event_kind", sa.String(length=24), nullable=False),
        sa.Column("grant_id", sa.String(length=48), nullable=True),
        sa.Column("performer_id", sa.String(length=48), nullable=True),
        sa.Column("suspension_id", sa.String(length=48), nullable=True),
        sa.Column("effective_at", sa.String(length=27), nullable=False),
        sa.Column("end_at", sa.String(length=27), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=True),
        sa.Column("strike", sa.Boolean(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.String(length=27), nullable=False),
        sa.Column("identity", sa.String(length=200), nullable=False),
        sa.Column("ledger_index", sa.Integer(), nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
        sa.UniqueConstraint("project", "ledger_index", name="uq_consent_events_entry"),
        sa.ForeignKeyConstraint(["grant_id"], ["consent_grants.grant_id"]),
        sa.ForeignKeyConstraint(["performer_id"], ["consent_performers.performer_id"]),
    )
    op.create_index("ix_consent_events_project_kind", "consent_events", ["project", "event_kind"])

    # the editor (editor/catalogue.py, editor/models.py, editor/cast/tags.py)
    op.create_table(
        "editor_clips",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("project", sa.String(length=128), nullable=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=512), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("container", sa.String(length=64), nullable=False),
        sa.Column("codec", sa.String(length=64), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("pix_fmt", sa.String(length=32), nullable=False),
        sa.Column("bit_depth", sa.Integer(), nullable=False),
        sa.Column("rate_num", sa.Integer(), nullable=False),
        sa.Column("rate_den", sa.Integer(), nullable=False),
        sa.Column("frame_count", sa.Integer(), nullable=False),
        sa.Column("timecode", sa.String(length=32), nullable=True),
        sa.Column("colour_json", sa.Text(), nullable=False),
        sa.Column("audio_json", sa.Text(), nullable=False),
        sa.Column("scene", sa.String(length=32), nullable=True),
        sa.Column("shot", sa.String(length=32), nullable=True),
        sa.Column("take", sa.Integer(), nullable=True),
        sa.Column("camera_roll", sa.String(length=16), nullable=True),
        sa.Column("camera_clip", sa.String(length=16), nullable=True),
        sa.Column("slate_source", sa.String(length=16), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("content_hash"),
    )
    op.create_index("ix_editor_clips_project", "editor_clips", ["project"])
    op.create_table(
        "editor_models",
        sa.Column("model_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("project", sa.String(length=128), nullable=True),
        sa.Column("manifest_json", sa.Text(), nullable=False),
        sa.Column("model_file_hash", sa.String(length=64), nullable=False),
        sa.Column("model_file_size", sa.BigInteger(), nullable=False),
        sa.Column("metrics_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("model_id"),
    )
    op.create_index("ix_editor_models_kind", "editor_models", ["kind"])
    op.create_index("ix_editor_models_project", "editor_models", ["project"])
    op.create_table(
        "editor_cast_tags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project", sa.String(length=128), nullable=True),
        sa.Column("clip_hash", sa.String(length=64), nullable=False),
        sa.Column("frame", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=128), nullable=False),
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project", "clip_hash", "frame", "label", name="uq_editor_cast_tag"),
    )
    op.create_index("ix_editor_cast_tags_clip_hash", "editor_cast_tags", ["clip_hash"])
    op.create_index("ix_editor_cast_tags_project", "editor_cast_tags", ["project"])


def downgrade() -> None:
    """Drop every table (an empty database: only for a database that holds nothing worth keeping)."""
    op.drop_table("editor_cast_tags")
    op.drop_table("editor_models")
    op.drop_table("editor_clips")
    op.drop_table("consent_events")
    op.drop_table("consent_grants")
    op.drop_table("consent_pending")
    op.drop_table("consent_documents")
    op.drop_table("consent_performers")
    op.drop_table("app_uploads")
    op.drop_table("app_presence_cache")
    op.drop_table("app_watermark_keys")
    op.drop_table("app_edit_requests")
    op.drop_table("app_jobs")
    op.drop_table("app_tokens")
    op.drop_table("app_memberships")
    op.drop_table("app_users")
    op.drop_table("app_projects")
    op.drop_table("ledger_keys")
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_tiles")
    op.drop_table("ledger_entries")
    op.drop_table("ledger_logs")
