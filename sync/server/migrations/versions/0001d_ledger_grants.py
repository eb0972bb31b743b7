"""The credit ledger: accepted grants per person across projects, and yearly-cap exemptions.

Revision ID: ledger1
Revises: 0001
Created: 2026-12-04

Issue 16: the platform keeps each person's accepted grants so the yearly caps apply across
projects in order of activity date (sync.server.ledger).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ledger1"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ledger_grants and cap_exemptions."""
    op.create_table(
        "ledger_grants",
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("attendee_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("credit_year", sa.Integer(), nullable=False),
        sa.Column("activity_date", sa.String(length=10), nullable=False),
        sa.Column("credits", sa.String(length=12), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"]),
        sa.PrimaryKeyConstraint("project", "id_number"),
    )
    op.create_index("ledger_by_person", "ledger_grants", ["id_number", "credit_year"])
    op.create_table(
        "cap_exemptions",
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_number"),
    )


def downgrade() -> None:
    """Drop the ledger's tables."""
    op.drop_table("cap_exemptions")
    op.drop_index("ledger_by_person", table_name="ledger_grants")
    op.drop_table("ledger_grants")
