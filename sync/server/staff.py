"""A project's named desk staff on the platform: add, list, remove (audited); desks pull them.

Each member has a reference (`S1`, `S2`, … never reused: old records keep naming who made them),
a name, a role (`staff` or `lead`) and an argon2id hash of their PIN. The PIN is hashed on the
server machine by the administration (kiosk.services.pins.hash_pin) and never stored or logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from sync.protocol import DeskKey, DeskKeys, StaffMember, b64
from sync.server import db as t
from sync.server.platform import Device, Platform, PlatformError, lock_project, touch_bundle

log = logging.getLogger(__name__)

ROLES = ("staff", "lead")


@dataclass(frozen=True, slots=True)
class StaffListing:
    """One member as the administration sees it (never the hash)."""

    staff_id: str
    name: str
    role: str
    added_at: datetime
    removed_at: datetime | None


def add_member(
    platform: Platform,
    number: str,
    *,
    name: str,
    role: str,
    pin_hash: str,
    same_pin: Callable[[str], bool],
    actor: str,
) -> str:
    """Add a member (`same_pin(hash)`: is the new PIN that member's?); return the new id."""
    name = name.strip()
    if role not in ROLES:
        raise PlatformError(422, "unknown_role", f"staff role must be one of {', '.join(ROLES)}")
    if not name or len(name) > 100 or any(ord(ch) < 32 for ch in name):
        raise PlatformError(422, "invalid_name", "a staff name is 1 to 100 printable characters")
    if not pin_hash.startswith("$argon2"):
        raise PlatformError(422, "not_argon2", "a staff PIN is stored as an argon2 hash only")
    s = t.staff.c
    with platform.db.write() as conn:
        if lock_project(conn, number) is None:
            raise PlatformError(404, "unknown_project", f"no project {number}")
        rows = conn.execute(select(s.staff_id, s.pin_hash, s.removed_at).where(s.project == number))
        members = list(rows)
        # One PIN, one person: a sign-in must say who it is.
        if any(r.removed_at is None and same_pin(str(r.pin_hash)) for r in members):
            raise PlatformError(409, "pin_in_use", "another member of this project has that PIN")
        numbers = [int(r.staff_id[1:]) for r in members if r.staff_id[1:].isdigit()]
        staff_id = f"S{max(numbers, default=0) + 1}"
        conn.execute(
            insert(t.staff).values(
                project=number, staff_id=staff_id, name=name, role=role, pin_hash=pin_hash,
                added_at=platform.now(),
            )
        )  # fmt: skip
        touch_bundle(conn, number, now=platform.now())
        platform.audit(
            conn, actor=actor, action="staff_add", project=number, subject=staff_id, detail=role
        )
    log.info("staff %s added to %s", staff_id, number)
    return staff_id


def remove_member(platform: Platform, number: str, staff_id: str, *, actor: str) -> None:
    """Take a member off the desks' list (kept: their records still name them)."""
    s = t.staff.c
    with platform.db.write() as conn:
        if lock_project(conn, number) is None:
            raise PlatformError(404, "unknown_project", f"no project {number}")
        done = conn.execute(
            update(t.staff)
            .where(s.project == number, s.staff_id == staff_id, s.removed_at.is_(None))
            .values(removed_at=platform.now())
        )
        if done.rowcount != 1:
            raise PlatformError(
                404, "unknown_staff", f"no active staff member {staff_id} in {number}"
            )
        touch_bundle(conn, number, now=platform.now())
        platform.audit(conn, actor=actor, action="staff_remove", project=number, subject=staff_id)


def listing(platform: Platform, number: str) -> list[StaffListing]:
    """Every member ever added, in order (removed ones with when)."""
    platform.project(number)  # 404 for an unknown project
    s = t.staff.c
    with platform.db.read() as conn:
        rows = conn.execute(
            select(s.staff_id, s.name, s.role, s.added_at, s.removed_at)
            .where(s.project == number)
            .order_by(s.added_at, s.staff_id)
        )
        return [StaffListing(*r) for r in rows]


def active_staff(conn: Connection, number: str, *, with_pins: bool) -> list[StaffMember]:
    """The members devices receive with the bundle; PIN hashes only `with_pins` (desks)."""
    s = t.staff.c
    rows = conn.execute(
        select(s.staff_id, s.name, s.role, s.pin_hash)
        .where(s.project == number, s.removed_at.is_(None))
        .order_by(s.staff_id)
    )
    return [
        StaffMember(staff_id=i, name=n, role=r, pin_hash=h if with_pins else None)
        for i, n, r, h in rows
    ]


def mirror_staff(
    conn: Connection, number: str, members: list[StaffMember], *, now: datetime
) -> None:
    """A relay keeps its upstream's active members for its kiosks (replacing what it had)."""
    s = t.staff.c
    have = {r.staff_id for r in conn.execute(select(s.staff_id).where(s.project == number))}
    upstream = {m.staff_id for m in members}
    for m in members:
        values = {"name": m.name, "role": m.role, "pin_hash": m.pin_hash, "removed_at": None}
        if m.staff_id in have:
            conn.execute(
                update(t.staff).where(s.project == number, s.staff_id == m.staff_id).values(values)
            )
        else:
            conn.execute(
                insert(t.staff).values(project=number, staff_id=m.staff_id, added_at=now, **values)
            )
    gone = sorted(have - upstream)
    if gone:
        conn.execute(
            update(t.staff)
            .where(s.project == number, s.staff_id.in_(gone), s.removed_at.is_(None))
            .values(removed_at=now)
        )


def desk_keys(platform: Platform, device: Device, number: str) -> DeskKeys:
    """The public keys of the project's desks, for the organizer to verify receipts."""
    if device.role != "organizer" or device.project != number:
        raise PlatformError(403, "not_organizer", "only the project's organizer may list desk keys")
    d = t.devices.c
    with platform.db.read() as conn:
        rows = conn.execute(
            select(d.id, d.desk_name, d.state, d.public_key)
            .where(d.project == number, d.role == "desk")
            .order_by(d.enrolled_at)
        )
        return DeskKeys(
            desks=[DeskKey(device_id=i, desk_name=n, state=s, public_key=b64(bytes(k)))
                   for i, n, s, k in rows]
        )  # fmt: skip
