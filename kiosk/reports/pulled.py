"""The organizer's copy of the platform's roster and records: pulled once, then only what changed.

A 5,000-person project holds 60,000 records; pulling them all for every `organizer report` costs
seconds. The copy keeps the pull's cursor, so the next pull asks only for what changed since
(the platform's changes feed; a page applied twice is harmless). It is also what the organizer
works on offline, with the time it was pulled. A SQLite file, mode 0600, in the project's
workspace directory (0700); it holds no QR secret.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from sync.protocol import ChangesPage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attendees (
    ref TEXT PRIMARY KEY, id_number TEXT NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL,
    department TEXT NOT NULL, title TEXT NOT NULL, role TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    uuid TEXT PRIMARY KEY, attendee_id TEXT NOT NULL, direction TEXT NOT NULL,
    method TEXT NOT NULL, desk_name TEXT NOT NULL, scanned_at TEXT NOT NULL,
    flags TEXT NOT NULL, conflict INTEGER NOT NULL,  -- flags: comma-separated Flag values
    kind TEXT NOT NULL, staff_id TEXT, note TEXT, refers_to TEXT, receipt TEXT  -- staff records
);
CREATE TABLE IF NOT EXISTS walk_ins (
    attendee_id TEXT PRIMARY KEY, id_number TEXT NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL
);
"""


class PulledAttendee(NamedTuple):
    """A roster entry as the organizer needs it (the ID number normalised once, on pull)."""

    ref: str
    id_number: str
    name: str
    unit: str
    department: str
    title: str
    role: str


class PulledEvent(NamedTuple):
    """One desk's record as the platform holds it (a tuple: 60,000 are read per report)."""

    uuid: str
    attendee_id: str
    direction: str
    method: str
    desk_name: str
    scanned_at: str
    flags: tuple[str, ...]
    conflict: bool
    # Staff records (docs/protocol.md "Staff records"): a plain check-in leaves them unset.
    kind: str = "checkin"  # checkin | void | dispute | dismiss
    staff_id: str | None = None
    note: str | None = None
    refers_to: str | None = None  # void, dispute: the record it is about
    receipt: str | None = None  # dispute: the receipt the attendee showed


class PulledWalkIn(NamedTuple):
    """A person a desk admitted under a provisional reference, with the document they showed."""

    attendee_id: str
    id_number: str
    name: str
    unit: str


class StaffMember(NamedTuple):
    """A named member of the project's desk staff as the organizer sees them (no PIN hash)."""

    staff_id: str
    name: str
    role: str  # staff | lead


class NotHeld(NamedTuple):
    """A record the platform refused or does not hold (issue #14): the organizer must know."""

    desk_name: str
    seq: int
    uuid: str
    reason: str
    by: str  # platform: refused (its desk had ended); desk: given up by the desk (a stub)


class PulledStore:
    """`<workspace>/<project>/pulled.sqlite3`: the pulled roster and records, and the cursor."""

    def __init__(self, path: Path, *, source: str):
        """Open (or create, 0600) the copy; a copy pulled from another `source` is dropped."""
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)
        self.path = path
        self._db = sqlite3.connect(path)
        if self._before_staff_records():
            # Its records lack the staff fields (a void would read as a check-in): pull again.
            self._db.executescript("DROP TABLE events; DROP TABLE IF EXISTS meta;")
        self._db.executescript(_SCHEMA)
        if self._meta("source") not in (None, source):
            self._reset()
        self._set_meta("source", source)
        self._db.commit()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> PulledStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _before_staff_records(self) -> bool:
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(events)")}
        return bool(columns) and "kind" not in columns

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _reset(self) -> None:
        self._db.execute("DELETE FROM attendees")
        self._db.execute("DELETE FROM events")
        self._db.execute("DELETE FROM walk_ins")
        self._db.execute("DELETE FROM meta")

    @property
    def cursor(self) -> str:
        """Where the next pull resumes ("0": nothing pulled yet)."""
        return self._meta("cursor") or "0"

    @property
    def pulled_at(self) -> datetime | None:
        """The platform's time of the last complete pull (None: never)."""
        value = self._meta("pulled_at")
        return None if value is None else datetime.fromisoformat(value)

    def apply(self, page: ChangesPage) -> None:
        """Store one page and its cursor in one transaction (an interrupted pull resumes)."""
        attendees = [
            (a.id, a.to_attendee().document.number, a.name, a.unit, a.department, a.title,
             a.role)
            for a in page.attendees
        ]  # fmt: skip
        events = [
            (e.uuid, e.attendee_id, e.direction, e.method, e.desk_name, e.scanned_at,
             ",".join(e.flags), int(e.conflict), e.kind, e.staff_id, e.note, e.refers_to,
             e.receipt)
            for e in page.events
        ]  # fmt: skip
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO attendees VALUES (?, ?, ?, ?, ?, ?, ?)", attendees
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                events,
            )
            self._set_meta("cursor", page.cursor)

    def mark_pulled(
        self,
        at: datetime,
        *,
        project: dict[str, object] | None = None,
        walk_ins: list[PulledWalkIn] | None = None,
        staff: dict[str, str] | None = None,
        roles: dict[str, str] | None = None,
        desk_keys: dict[str, str] | None = None,
    ) -> None:
        """Record that the copy is complete as of `at` (the platform's clock), with the project's
        definition, the walk-ins' identities, the named staff (id → name) and the desks' public
        keys (device id → base64, to check receipts) for working offline."""
        with self._db:
            if project is not None:
                self._set_meta("project", json.dumps(project, ensure_ascii=False))
            if staff is not None:
                self._set_meta("staff", json.dumps(staff, ensure_ascii=False))
            if roles is not None:
                self._set_meta("staff_roles", json.dumps(roles))
            if desk_keys is not None:
                self._set_meta("desk_keys", json.dumps(desk_keys))
            if walk_ins is not None:
                self._db.execute("DELETE FROM walk_ins")
                self._db.executemany("INSERT INTO walk_ins VALUES (?, ?, ?, ?)", walk_ins)
            self._set_meta("pulled_at", at.isoformat())

    def project(self) -> dict[str, object] | None:
        """The project's definition at the last pull (None: never pulled with it)."""
        value = self._meta("project")
        return None if value is None else dict(json.loads(value))

    def staff_names(self) -> dict[str, str]:
        """The project's named staff at the last pull, id → name."""
        return dict(json.loads(self._meta("staff") or "{}"))

    def staff_members(self) -> list[StaffMember]:
        """The project's named staff at the last pull with their roles, by staff id."""
        roles = dict(json.loads(self._meta("staff_roles") or "{}"))
        return [
            StaffMember(i, n, roles.get(i, "staff")) for i, n in sorted(self.staff_names().items())
        ]

    def save_not_held(self, records: list[NotHeld]) -> None:
        """Keep the platform's list of records it does not hold, for working offline."""
        with self._db:
            self._set_meta("not_held", json.dumps([list(r) for r in records], ensure_ascii=False))

    def not_held(self) -> list[NotHeld]:
        """The records the platform refused or does not hold, as of the last connection."""
        return [NotHeld(*r) for r in json.loads(self._meta("not_held") or "[]")]

    def revision(self) -> str:
        """A digest of everything pulled except the pull's time: equal digests, equal data.

        The platform's cursor advances with every change of roster or records, so the 60,000
        records need not be read to know whether they changed.
        """
        digest = hashlib.sha256()
        for key, value in self._db.execute("SELECT key, value FROM meta ORDER BY key"):
            if key != "pulled_at":
                digest.update(f"{key}={value}\n".encode())
        for row in self._db.execute("SELECT * FROM walk_ins ORDER BY attendee_id"):
            digest.update(json.dumps(row, ensure_ascii=False).encode())
        return digest.hexdigest()

    def desk_keys(self) -> dict[str, str]:
        """The desks' public keys (base64) kept at the last pull that needed them."""
        return dict(json.loads(self._meta("desk_keys") or "{}"))

    def has_receipts(self) -> bool:
        """Whether a dispute carries a receipt (then the desks' keys are worth fetching)."""
        row = self._db.execute(
            "SELECT 1 FROM events WHERE kind = 'dispute' AND receipt IS NOT NULL LIMIT 1"
        ).fetchone()
        return row is not None

    def walk_ins(self) -> list[PulledWalkIn]:
        """The walk-ins' identities at the last pull."""
        with closing(self._db.execute("SELECT * FROM walk_ins ORDER BY attendee_id")) as rows:
            return [PulledWalkIn(*row) for row in rows]

    def attendees(self) -> list[PulledAttendee]:
        """Every roster entry, by reference."""
        with closing(self._db.execute("SELECT * FROM attendees ORDER BY ref")) as rows:
            return [PulledAttendee(*row) for row in rows]

    def events(self) -> Iterator[PulledEvent]:
        """Every record, in the order they were stored."""
        yield from self._events("SELECT * FROM events ORDER BY rowid")

    def staff_events(self) -> Iterator[PulledEvent]:
        """The staff records (voids, disputes, dismissals, manual records by a named member) and
        the records a void or dispute is about."""
        yield from self._events(
            "SELECT * FROM events WHERE kind != 'checkin' OR (method = 'manual' AND staff_id"
            " IS NOT NULL) OR uuid IN (SELECT refers_to FROM events WHERE refers_to IS NOT NULL)"
            " ORDER BY rowid"
        )

    def _events(self, query: str) -> Iterator[PulledEvent]:
        with closing(self._db.execute(query)) as rows:
            for uuid, ref, direction, method, desk, at, flags, conflict, *staff in rows:
                marks = tuple(flags.split(",")) if flags else ()
                yield PulledEvent(
                    uuid, ref, direction, method, desk, at, marks, bool(conflict), *staff
                )
