"""Harvest control from the API: a request to abort a running job, and the withdrawals a job held.

``harvest_jobs.abort_requested_at`` is set by ``POST /api/jobs/{id}/abort``; the running harvest notices
it at its next heartbeat and ends ``aborted``. ``harvest_jobs.held_withdrawals`` is how many records a
complete run did not withdraw because they were more than the allowed share (0 or None: none held), so a
steward can confirm that withdrawal later.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("harvest_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("abort_requested_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("held_withdrawals", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("harvest_jobs", schema=None) as batch_op:
        batch_op.drop_column("held_withdrawals")
        batch_op.drop_column("abort_requested_at")
