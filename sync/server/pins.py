"""Desk PINs issued by the platform's administration: the recovery path for a forgotten PIN.

The administrator hashes a new PIN (argon2id) on the server machine; kiosks receive the hash with
the project bundle at their next pull and install it. The PIN itself never leaves that machine.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from sync.protocol import PinRole
from sync.server import db as t
from sync.server.platform import Platform, PlatformError, lock_project, touch_bundle

ROLES = ("staff", "organizer")


def set_pin_hash(platform: Platform, number: str, *, role: str, pin_hash: str, actor: str) -> None:
    """Replace a role's PIN hash for the project; kiosks install it at their next pull."""
    if role not in ROLES:
        raise PlatformError(422, "unknown_role", f"PIN role must be one of {', '.join(ROLES)}")
    if not pin_hash.startswith("$argon2"):
        raise PlatformError(422, "not_argon2", "a desk PIN is stored as an argon2 hash only")
    with platform.db.write() as conn:
        if lock_project(conn, number) is None:
            raise PlatformError(404, "unknown_project", f"no project {number}")
        conn.execute(
            delete(t.desk_pins).where(t.desk_pins.c.project == number, t.desk_pins.c.role == role)
        )
        conn.execute(
            insert(t.desk_pins).values(
                project=number, role=role, pin_hash=pin_hash, set_at=platform.now()
            )
        )
        # The bundle holds the hashes: a new ETag, kiosks holding the old bundle fetch the new one.
        touch_bundle(conn, number, now=platform.now())
        platform.audit(conn, actor=actor, action="desk_pin_set", project=number, subject=role)


def pin_hashes(conn: Connection, number: str) -> dict[PinRole, str]:
    """Role → PIN hash of the project's desks."""
    rows = conn.execute(
        select(t.desk_pins.c.role, t.desk_pins.c.pin_hash).where(t.desk_pins.c.project == number)
    )
    out: dict[PinRole, str] = {}
    for role, pin_hash in rows:
        if role == "staff":
            out["staff"] = str(pin_hash)
        elif role == "organizer":
            out["organizer"] = str(pin_hash)
    return out
