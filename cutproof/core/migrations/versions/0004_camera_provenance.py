"""Camera provenance of dailies (EU Code of Practice, Measure 1.2).

``app_camera_provenance``: one row per catalogued daily that carries a C2PA manifest its camera signed — the
validation state at ingest (trusted / valid-untrusted / invalid, with the failing codes), the signer, the claim
generator, the active manifest's label and the SHA-256 of the manifest store (kept in the blob store). Dailies
without a manifest have no row.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_camera_provenance",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("signer_issuer", sa.String(length=255), nullable=True),
        sa.Column("signer", sa.String(length=255), nullable=True),
        sa.Column("claim_generator", sa.String(length=255), nullable=True),
        sa.Column("manifest_label", sa.String(length=255), nullable=True),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("content_hash"),
    )


def downgrade() -> None:
    op.drop_table("app_camera_provenance")
