"""Layout prints of catalogued clips, kept between searches (issue 18).

``editor_layout_prints``: one row per clip content — the grade-blind layout prints of a few frames of it, which a
relight reads when it searches the project's dailies for a graded reference's ungraded original
(``editor.lighting.search``). A row is only ever a cache of what the clip's frames give: it can be dropped.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "editor_layout_prints",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("scan", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("frames", sa.Text(), nullable=False),
        sa.Column("prints", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("content_hash"),
    )


def downgrade() -> None:
    op.drop_table("editor_layout_prints")
