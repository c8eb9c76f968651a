"""The console's sessions and delivery QC's history of checks.

``app_console_sessions``: one row per signed-in browser (the cookie's SHA-256, the API token it acts with, encrypted
under a key only the cookie holds, and its CSRF token), expiring after an idle hour or twelve hours at most.
``app_qc_results``: one row per file checked by delivery QC (its verdict and full report), so a deliverable's
history of checks can be listed.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_console_sessions",
        sa.Column("session_sha256", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("aes_key_hex", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idle_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_sha256"),
    )
    op.create_index("ix_app_console_sessions_token_id", "app_console_sessions", ["token_id"])
    op.create_table(
        "app_qc_results",
        sa.Column("check_id", sa.String(length=32), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=False),
        sa.Column("project", sa.String(length=63), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=True),
        sa.Column("edit_index", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("checked_by", sa.String(length=128), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("check_id"),
    )
    op.create_index("ix_app_qc_results_batch_id", "app_qc_results", ["batch_id"])
    op.create_index("ix_app_qc_results_project", "app_qc_results", ["project"])
    op.create_index("ix_app_qc_results_file_sha256", "app_qc_results", ["file_sha256"])


def downgrade() -> None:
    op.drop_table("app_qc_results")
    op.drop_table("app_console_sessions")
