"""Perceptual fingerprints of deliverables (EU Code of Practice, Measure 1.1.3).

``app_fingerprints``: one row per labelled deliverable — the PDQ hashes of its sampled frames (``labeler.fingerprint``)
and the ``edit.applied`` entry and manifest it leads to, so delivery QC can find a deliverable's manifest again when
both the manifest and the watermark are gone.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_fingerprints",
        sa.Column("output_sha256", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("edit_index", sa.Integer(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=64), nullable=False),
        sa.Column("hashes", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("output_sha256"),
    )


def downgrade() -> None:
    op.drop_table("app_fingerprints")
