"""runs: the process and heartbeat of a run, so that a dead run's sources are taken over

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 02:15:01.682042
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ingest.store.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("process_start", sa.String(length=80), nullable=True))
        batch_op.add_column(
            sa.Column("heartbeat_at", ingest.store.models.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("process_start")
        batch_op.drop_column("pid")
        batch_op.drop_column("host")
