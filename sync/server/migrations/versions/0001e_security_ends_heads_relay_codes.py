"""Security (issue 14): frozen seqs, signed chain heads, relay-carried codes, refusal stubs.

Revision ID: sec1
Revises: ledger1
Created: 2026-12-03

- devices: `frozen_seq` (set when a device is retired or revoked: records above it are
  refused), the signed chain head `head_seq`, `head_hash`, `head_signature`, `head_at`.
  Devices already retired or revoked get frozen at the highest seq received or reported.
- enroll_codes: `relay_verifier` (what a venue relay checks a desk code against offline) and
  `mirrored_at` (when a relay of the project first received it).
- relay_devices: `code_hash`, the platform-issued code each relayed kiosk was traced to (kiosks
  registered before this revision have none and stay untraced).
- new tables `refusal_stubs` (desks' signed dead-letter stubs) and `relay_codes` (on a relay:
  the upstream codes it carries).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sec1"
down_revision = "ledger1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns and tables; freeze the devices that have already ended."""
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("frozen_seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("head_seq", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("head_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("head_signature", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("head_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("enroll_codes") as batch:
        batch.add_column(sa.Column("relay_verifier", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("mirrored_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("relay_devices") as batch:
        batch.add_column(sa.Column("code_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "refusal_stubs",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "uuid"),
    )
    op.create_table(
        "relay_codes",
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("verifier", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("project", "verifier"),
    )
    # A device that already ended keeps what it had delivered or announced, nothing more.
    op.execute(
        "UPDATE devices SET frozen_seq = (SELECT MAX(seq) FROM device_seqs"
        " WHERE device_seqs.device_id = devices.id) WHERE state <> 'active'"
    )
    op.execute(
        "UPDATE devices SET frozen_seq = reported_latest WHERE state <> 'active'"
        " AND (frozen_seq IS NULL OR frozen_seq < reported_latest)"
    )
    op.execute(
        "UPDATE devices SET frozen_seq = seq_start - 1 WHERE state <> 'active'"
        " AND (frozen_seq IS NULL OR frozen_seq < seq_start - 1)"
    )


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_table("relay_codes")
    op.drop_table("refusal_stubs")
    with op.batch_alter_table("relay_devices") as batch:
        batch.drop_column("code_hash")
    with op.batch_alter_table("enroll_codes") as batch:
        batch.drop_column("mirrored_at")
        batch.drop_column("relay_verifier")
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("head_at")
        batch.drop_column("head_signature")
        batch.drop_column("head_hash")
        batch.drop_column("head_seq")
        batch.drop_column("frozen_seq")
