"""Walk-ins on the platform: the identity behind a desk's provisional attendee reference.

A desk admits a valid ID card that is not on its roster under a reference like `P-<uuid>` and
uploads the identity before the records that use it, so the organizer can credit the person.
Idempotent per (project, attendee_id): the same identity again is `duplicate`, different
contents under the same reference are refused (`walk_in_conflict`), nothing is stored twice.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, insert, select

from kiosk.core.errors import InvalidDocumentNumber
from kiosk.core.ids import mask_number, validate_document
from sync.protocol import (
    BatchAnswer,
    RecordAnswer,
    RecordStatus,
    WalkIn,
    WalkInBatch,
    WalkInList,
)
from sync.server import db as t
from sync.server.platform import Device, Platform, PlatformError, lock_project

log = logging.getLogger(__name__)

_IDENTITY = ("id_type", "id_number", "name", "unit", "device_id")


def _judge(conn: Connection, device: Device, r: WalkIn) -> tuple[RecordStatus, str]:
    if r.device_id != device.id:
        return "rejected", "wrong_device"
    if r.project != device.project:
        return "rejected", "not_enrolled_for_project"
    if device.role != "desk":
        return "rejected", "not_a_desk"
    try:  # the same checks as the desk's (check digit, date of birth, shape)
        validate_document(r.id_type, r.id_number)
    except (InvalidDocumentNumber, ValueError):
        return "rejected", "invalid_document"
    row = conn.execute(
        select(t.walk_ins).where(
            t.walk_ins.c.project == r.project, t.walk_ins.c.attendee_id == r.attendee_id
        )
    ).first()
    if row is None:
        return "accepted", ""
    same = all(row._mapping[k] == getattr(r, k) for k in _IDENTITY)
    return ("duplicate", "") if same else ("rejected", "walk_in_conflict")


def _roster_ref(conn: Connection, r: WalkIn) -> str | None:
    """The roster entry with the same document (the desk's roster was older than the platform's)."""
    a = t.attendees.c
    found = conn.execute(
        select(a.ref).where(
            a.project == r.project, a.id_type == r.id_type, a.id_number == r.id_number
        )
    ).first()
    return str(found[0]) if found else None


def upload_walk_ins(platform: Platform, device: Device, batch: WalkInBatch) -> BatchAnswer:
    """Store each new walk-in; one answer per record (`uuid` carries the attendee_id)."""
    now = platform.now()
    answers: list[RecordAnswer] = []
    with platform.db.write() as conn:
        lock_project(conn, device.project)
        device = platform.device(device.id, conn)  # its state may have changed since auth
        for r in batch.records:
            status, reason = _judge(conn, device, r)
            if status == "accepted":
                conn.execute(
                    insert(t.walk_ins).values(
                        project=r.project, attendee_id=r.attendee_id, id_type=r.id_type,
                        id_number=r.id_number, name=r.name, unit=r.unit, device_id=r.device_id,
                        roster_ref=_roster_ref(conn, r), received_at=now,
                    )
                )  # fmt: skip
                platform.audit(
                    conn, actor=device.id, action="walk_in", project=r.project,
                    subject=r.attendee_id, detail=f"{r.id_type} {mask_number(r.id_number)}",
                )  # fmt: skip
            elif status == "rejected":
                log.warning("walk-in %s from %s refused: %s", r.attendee_id, device.id, reason)
            answers.append(RecordAnswer(uuid=r.attendee_id, status=status, reason=reason))
    return BatchAnswer(answers=answers, server_time=now)


def stored_walk_ins(platform: Platform, number: str) -> list[dict[str, Any]]:
    """Every walk-in of a project, oldest first (for the organizer and the tests)."""
    with platform.db.read() as conn:
        rows = conn.execute(
            select(t.walk_ins)
            .where(t.walk_ins.c.project == number)
            .order_by(t.walk_ins.c.received_at, t.walk_ins.c.attendee_id)
        )
        return [dict(r._mapping) for r in rows]


def listing(platform: Platform, device: Device, number: str) -> WalkInList:
    """The walk-ins of the project for its organizer, who credits them (full identity: TLS only)."""
    if device.role != "organizer" or device.project != number:
        raise PlatformError(403, "not_organizer", "only the project's organizer may list walk-ins")
    return WalkInList(
        walk_ins=[
            WalkIn(**{k: row[k] for k in WalkIn.model_fields})
            for row in stored_walk_ins(platform, number)
        ]
    )
