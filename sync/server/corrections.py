"""The organizer's corrections on the platform: stored once per id, listed with the status."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from sqlalchemy import Connection, insert, select

from kiosk.core.timeutil import to_utc
from sync import protocol as p
from sync.server import db as t
from sync.server.platform import Device, Platform, PlatformError, lock_project

log = logging.getLogger(__name__)


def organizer_of(device: Device, number: str) -> None:
    """403 unless the device is this project's organizer."""
    if device.role != "organizer":
        raise PlatformError(403, "not_organizer", "only an organizer device may send corrections")
    if device.project != number:
        raise PlatformError(
            403, "not_enrolled_for_project", f"this device is not enrolled for project {number}"
        )


def _known_people(conn: Connection, number: str, refs: set[str]) -> set[str]:
    """References on the roster or in a record of the project (a walk-in has only records)."""
    on_roster = set(
        conn.execute(
            select(t.attendees.c.ref).where(
                t.attendees.c.project == number, t.attendees.c.ref.in_(refs)
            )
        ).scalars()
    )
    in_records = set(
        conn.execute(
            select(t.events.c.attendee_id)
            .where(t.events.c.project == number, t.events.c.attendee_id.in_(refs))
            .distinct()
        ).scalars()
    )
    return on_roster | in_records


def _problem(entry: p.CorrectionEntry, people: set[str], records: set[str]) -> str:
    """Why a correction cannot be kept ('' when it can)."""
    if entry.kind in ("add_checkout", "add_checkin"):
        if entry.attendee_id not in people:
            return "unknown_attendee"
        if entry.moment is None:
            return "moment_required"
    elif entry.kind == "void_record":
        if entry.record_id not in records:
            return "unknown_record"
    elif entry.attendee_id not in people or entry.into_attendee_id not in people:
        return "unknown_attendee"
    return ""


def store(
    platform: Platform, device: Device, number: str, batch: p.CorrectionBatch
) -> p.BatchAnswer:
    """Keep each correction once: accepted, duplicate (same id and contents) or rejected."""
    organizer_of(device, number)
    now = platform.now()
    entries = batch.corrections
    with platform.db.write() as conn:
        if lock_project(conn, number) is None:
            raise PlatformError(404, "unknown_project", f"no project {number} on this platform")
        known = dict(
            conn.execute(
                select(t.corrections.c.id, t.corrections.c.hash).where(
                    t.corrections.c.id.in_({e.id for e in entries})
                )
            ).all()
        )
        refs = {r for e in entries for r in (e.attendee_id, e.into_attendee_id) if r}
        people = _known_people(conn, number, refs)
        voided = {e.record_id for e in entries if e.kind == "void_record"}
        records = set(
            conn.execute(
                select(t.events.c.uuid).where(
                    t.events.c.project == number, t.events.c.uuid.in_(voided)
                )
            ).scalars()
        )
        answers: list[p.RecordAnswer] = []
        rows = []
        for e in entries:
            body = e.model_dump_json()
            digest = hashlib.sha256(body.encode()).hexdigest()
            if e.id in known:
                same = known[e.id] == digest
                answers.append(
                    p.RecordAnswer(uuid=e.id, status="duplicate")
                    if same
                    else p.RecordAnswer(uuid=e.id, status="rejected", reason="id_conflict")
                )
                continue
            problem = _problem(e, people, records)
            if problem:
                answers.append(p.RecordAnswer(uuid=e.id, status="rejected", reason=problem))
                continue
            known[e.id] = digest
            answers.append(p.RecordAnswer(uuid=e.id, status="accepted"))
            rows.append(
                {"id": e.id, "project": number, "device_id": device.id, "kind": e.kind,
                 "made_by": e.by, "made_at": to_utc(datetime.fromisoformat(e.made_at)),
                 "body": body, "hash": digest, "received_at": now}
            )  # fmt: skip
        if rows:
            conn.execute(insert(t.corrections), rows)
            platform.audit(
                conn, actor=device.id, action="corrections", project=number,
                detail=f"{len(rows)} correction(s) received",
            )  # fmt: skip
    log.info("project %s: %d correction(s) stored", number, len(rows))
    return p.BatchAnswer(answers=answers, server_time=now)


def listing(platform: Platform, number: str) -> p.CorrectionList:
    """Every stored correction of a project, in the order they were made."""
    c = t.corrections.c
    with platform.db.read() as conn:
        platform.project(number, conn)
        rows = conn.execute(
            select(c.body, c.device_id, c.received_at)
            .where(c.project == number)
            .order_by(c.made_at, c.id)
        ).all()
    return p.CorrectionList(
        project=number,
        corrections=[
            p.StoredCorrection(
                entry=p.CorrectionEntry.model_validate_json(body), device_id=dev, received_at=at
            )
            for body, dev, at in rows
        ],
    )
