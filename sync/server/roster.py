"""The roster on the platform: import (all rows or none), lookups, rotating-code secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from kiosk.core.ids import mask_number
from sync import signing
from sync.server import db as t
from sync.server.platform import Platform, PlatformError, lock_project, reserve_revs

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One validated roster line from an import file."""

    line: int
    id_type: str
    id_number: str
    name: str
    unit: str = ""
    department: str = ""
    title: str = ""
    role: str = "participant"
    card_uids: tuple[str, ...] = ()


def import_roster(
    platform: Platform, number: str, rows: Sequence[RosterRow], *, actor: str
) -> dict[str, int]:
    """Add or update roster entries in one transaction; return counts added/updated."""
    added = updated = 0
    with platform.db.write() as conn:
        if lock_project(conn, number) is None:
            raise PlatformError(404, "unknown_project", f"no project {number}")
        existing: dict[tuple[str, str], str] = {}
        uid_owner: dict[str, tuple[str, str]] = {}
        for got in conn.execute(
            select(t.attendees.c.id_type, t.attendees.c.id_number, t.attendees.c.ref,
                   t.attendees.c.card_uids).where(t.attendees.c.project == number)
        ):  # fmt: skip
            existing[(got.id_type, got.id_number)] = got.ref
            for uid in json.loads(got.card_uids):
                uid_owner[uid] = (got.id_type, got.id_number)
        clashes = [
            f"line {r.line}: card_uid {uid} belongs to attendee {existing[uid_owner[uid]]}"
            for r in rows for uid in r.card_uids
            if uid in uid_owner and uid_owner[uid] != (r.id_type, r.id_number)
        ]  # fmt: skip
        if clashes:
            raise PlatformError(409, "card_uid_in_use", "\n".join(clashes))
        next_ref = _next_ref_number([*existing.values()])
        rev = reserve_revs(conn, number, max(len(rows), 1))
        for i, r in enumerate(rows):
            values = dict(
                name=r.name, unit=r.unit, department=r.department, title=r.title,
                role=r.role, card_uids=json.dumps(list(r.card_uids)), rev=rev + i,
            )  # fmt: skip
            ref = existing.get((r.id_type, r.id_number))
            if ref is None:
                conn.execute(
                    insert(t.attendees).values(
                        project=number, ref=f"A{next_ref}", id_type=r.id_type,
                        id_number=r.id_number, qr_secret=signing.new_secret(), **values,
                    )
                )  # fmt: skip
                next_ref += 1
                added += 1
            else:
                conn.execute(
                    update(t.attendees)
                    .where(t.attendees.c.project == number, t.attendees.c.ref == ref)
                    .values(**values)
                )
                updated += 1
        platform.audit(
            conn, actor=actor, action="roster_import", project=number,
            detail=f"{added} added, {updated} updated",
        )  # fmt: skip
    log.info("roster %s: %d added, %d updated", number, added, updated)
    return {"added": added, "updated": updated}


def attendee_ref(platform: Platform, number: str, key: str) -> str:
    """An attendee's reference from its reference or document number; 404 if unknown."""
    c = t.attendees.c
    with platform.db.read() as conn:
        row = conn.execute(
            select(c.ref).where(c.project == number, (c.ref == key) | (c.id_number == key))
        ).first()
    if row is None:
        shown = key if key.startswith("A") else mask_number(key)
        raise PlatformError(404, "unknown_attendee", f"no attendee {shown} in {number}")
    return str(row[0])


def attendee_qr_secret(platform: Platform, number: str, attendee_ref: str) -> bytes:
    """The attendee's 32-byte rotating-code secret (shipped to enrolled kiosks)."""
    c = t.attendees.c
    with platform.db.read() as conn:
        secret = conn.execute(
            select(c.qr_secret).where(c.project == number, c.ref == attendee_ref)
        ).scalar()
    if secret is None:
        raise PlatformError(404, "unknown_attendee", f"no attendee {attendee_ref} in {number}")
    return bytes(secret)


def _next_ref_number(refs: Sequence[str]) -> int:
    numbers = [int(r[1:]) for r in refs if r.startswith("A") and r[1:].isdigit()]
    return max(numbers, default=0) + 1
