"""An edit request submitted again (issue 18).

``app_edit_requests.resubmitted_as``: the id of the request a failed, cancelled, denied or rejected one was submitted
again as (``cutproof.edits.resubmit.resubmit``), set in the transaction that records the new request's decision. A
request is submitted again once; NULL until it is.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("app_edit_requests", sa.Column("resubmitted_as", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_edit_requests") as batch:
        batch.drop_column("resubmitted_as")
