"""The platform schema as metadata.create_all made it before migrations.

Revision ID: 0001
Revises: (none: the first revision)
Created: 2026-12-03

A platform database created before migrations has exactly this schema and no alembic_version
table: `cme-kiosk server migrate` stamps it 0001 and goes on from there (sync.server.schema).
Timestamps are sa.DateTime(timezone=True), the storage type of sync.server.db.UtcDateTime.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table of the platform as it was before migrations."""
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "device_seqs",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("device_id", "seq"),
    )
    op.create_table(
        "projects",
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("last_day", sa.String(length=10), nullable=False),
        sa.Column("denied_hmac_key", sa.LargeBinary(), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.Column("definition_rev", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    op.create_table(
        "rejected",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("uuid", "device_id", name="rejected_once"),
    )
    op.create_table(
        "rejected_bodies",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("uuid", "device_id"),
    )
    op.create_table(
        "relay_forwarded",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "uuid"),
    )
    op.create_table(
        "relay_links",
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("upstream_url", sa.Text(), nullable=False),
        sa.Column("ca_bundle", sa.Text(), nullable=True),
        sa.Column("pinned_sha256", sa.String(length=64), nullable=True),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bundle_etag", sa.String(length=80), nullable=True),
        sa.Column("pull_cursor", sa.String(length=20), nullable=False),
        sa.Column("last_attempt", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("project"),
    )
    op.create_table(
        "relay_registered",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("upstream_state", sa.String(length=16), nullable=False),
        sa.Column("reported_latest", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_table(
        "attendees",
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("id_type", sa.String(length=32), nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("card_uids", sa.Text(), nullable=False),
        sa.Column("qr_secret", sa.LargeBinary(), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("project", "ref"),
        sa.UniqueConstraint("project", "id_type", "id_number", name="attendees_document"),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
    )
    op.create_index("attendees_by_rev", "attendees", ["project", "rev"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("made_by", sa.String(length=100), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("corrections_by_project", "corrections", ["project", "made_at"])
    op.create_table(
        "denied",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("credential_hmac", sa.String(length=64), nullable=True),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utc_offset_minutes", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.PrimaryKeyConstraint("uuid"),
    )
    op.create_table(
        "desk_pins",
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.PrimaryKeyConstraint("project", "role"),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("desk_name", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("seq_start", sa.BigInteger(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=False),
        sa.Column("reported_latest", sa.BigInteger(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("highest_contiguous", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "enroll_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_table(
        "events",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("attendee_id", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("scanned_at_text", sa.String(length=40), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utc_offset_minutes", sa.Integer(), nullable=False),
        sa.Column("server_offset_ms", sa.BigInteger(), nullable=True),
        sa.Column("evidence_ref", sa.String(length=100), nullable=True),
        sa.Column("flags", sa.Text(), nullable=False),
        sa.Column("server_flags", sa.Text(), nullable=False),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rev", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.PrimaryKeyConstraint("uuid"),
    )
    op.create_index("events_by_attendee", "events", ["project", "attendee_id"])
    op.create_index("events_by_device", "events", ["device_id", "seq"])
    op.create_index("events_by_rev", "events", ["project", "rev"])
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ticket_keys",
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("private_key", sa.LargeBinary(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.PrimaryKeyConstraint("project", "key_id"),
    )
    op.create_table(
        "walk_ins",
        sa.Column("project", sa.String(length=64), nullable=False),
        sa.Column("attendee_id", sa.String(length=64), nullable=False),
        sa.Column("id_type", sa.String(length=32), nullable=False),
        sa.Column("id_number", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("roster_ref", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project"], ["projects.number"]),
        sa.PrimaryKeyConstraint("project", "attendee_id"),
    )
    op.create_table(
        "relay_devices",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("relay_id", sa.String(length=64), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["device_id"], ["devices.id"]),
        sa.ForeignKeyConstraint(["relay_id"], ["devices.id"]),
        sa.PrimaryKeyConstraint("device_id"),
    )


def downgrade() -> None:
    """Drop every table (an empty database)."""
    op.drop_table("relay_devices")
    op.drop_table("walk_ins")
    op.drop_table("ticket_keys")
    op.drop_table("submissions")
    op.drop_index("events_by_rev", table_name="events")
    op.drop_index("events_by_device", table_name="events")
    op.drop_index("events_by_attendee", table_name="events")
    op.drop_table("events")
    op.drop_table("enroll_codes")
    op.drop_table("devices")
    op.drop_table("desk_pins")
    op.drop_table("denied")
    op.drop_index("corrections_by_project", table_name="corrections")
    op.drop_table("corrections")
    op.drop_index("attendees_by_rev", table_name="attendees")
    op.drop_table("attendees")
    op.drop_table("relay_registered")
    op.drop_table("relay_links")
    op.drop_table("relay_forwarded")
    op.drop_table("rejected_bodies")
    op.drop_table("rejected")
    op.drop_table("projects")
    op.drop_table("device_seqs")
    op.drop_table("audit")
