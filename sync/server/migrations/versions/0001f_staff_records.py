"""Staff records: the optional signed fields of events, what voided a record, named staff.

Revision ID: staff1
Revises: sec1
Created: 2026-12-03

Records stored before keep the defaults (kind 'checkin', the rest null), which is exactly what
they signed. The staff list is new and empty.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "staff1"
down_revision = "sec1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the staff-record columns to events and the staff table."""
    with op.batch_alter_table("events") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=12), server_default="checkin", nullable=False)
        )
        batch.add_column(sa.Column("staff_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("refers_to", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("receipt", sa.Text(), nullable=True))
        batch.add_column(sa.Column("voided_by", sa.String(length=36), nullable=True))
    op.create_table(
        "staff",
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.PrimaryKeyConstraint("project", "staff_id"),
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_table("staff")
    with op.batch_alter_table("events") as batch:
        for name in ("voided_by", "receipt", "refers_to", "note", "staff_id", "kind"):
            batch.drop_column(name)
