"""published precision

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 01:55:00.000000

Adds ``documents.published_precision`` (``day`` or ``minute``). Rows stored before it stay
NULL, read as "unknown" and shown by their instant like a minute: a day-only date was stored
as 00:00 in ``extract.default_timezone`` as configured then (or in the page's own zone), which
the database does not record, so the date cannot be read back with certainty; and a real
publication at 00:00 would be turned into a whole day. Stored as 00:00 WIB, such a date still
shows as its own day in WIB, WITA and WIT. Documents stored from this revision on carry it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_precision", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("published_precision")
