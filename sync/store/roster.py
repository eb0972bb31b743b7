"""Projects and the roster in the kiosk store, looked up only through the keyed index."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from kiosk.core.ids import DocumentType, IdentityDocument, normalise
from kiosk.core.model import Attendee, Project, Role
from kiosk.core.project_file import project_from_dict, project_to_dict
from kiosk.core.timeutil import utc_now
from sync.store.database import LocalDb


def roster_revision_key(project: str) -> str:
    """The meta key counting changes to a project's roster."""
    return f"roster_rev:{project}"


def bump_revision(c: sqlite3.Connection, project: str) -> None:
    """Move the roster's revision on, inside the caller's write transaction."""
    c.execute(
        "INSERT INTO meta (key, value) VALUES (?, '1')"
        " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        (roster_revision_key(project),),
    )


class Roster:
    """Projects (sealed: speakers' ID numbers are in them) and attendees with card UIDs."""

    def __init__(self, db: LocalDb):
        self._db = db

    def save_project(self, project: Project, *, cursor: str | None = None) -> None:
        """Insert or replace a project definition."""
        data = self._db.cipher.seal(json.dumps(project_to_dict(project), ensure_ascii=False))
        with self._db.write("saving project") as c:
            c.execute(
                "INSERT INTO projects (number, data, roster_cursor, updated_at, last_day)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(number) DO UPDATE SET data = excluded.data,"
                " updated_at = excluded.updated_at, last_day = excluded.last_day,"
                " roster_cursor = COALESCE(excluded.roster_cursor, projects.roster_cursor)",
                (project.number, data, cursor, utc_now().isoformat(), project.last_day.isoformat()),
            )

    def load_project(self, number: str) -> Project | None:
        """A stored project, or None (also None once purged)."""
        rows = self._db.read("SELECT data FROM projects WHERE number = ? AND data != ''", (number,))
        if not rows:
            return None
        return project_from_dict(
            json.loads(self._db.cipher.unseal(rows[0][0])), source=f"store:{number}"
        )

    def project_numbers(self) -> list[str]:
        """Numbers of every stored project."""
        return [str(r[0]) for r in self._db.read("SELECT number FROM projects ORDER BY number")]

    def save_roster(self, project: str, attendees: Iterable[Attendee]) -> int:
        """Insert or update roster entries (with their card UIDs) in one transaction."""
        n = 0
        with self._db.write("saving roster") as c:
            for a in attendees:
                self.put_attendee(c, project, a)
                n += 1
        return n

    def put_attendee(self, c: sqlite3.Connection, project: str, a: Attendee) -> None:
        """Insert or replace one person inside the caller's write transaction."""
        bump_revision(c, project)
        seal = self._db.cipher.seal
        c.execute(
            "INSERT OR REPLACE INTO attendees (project, id, doc_type, doc_index, doc_number, name,"
            " unit, department, title_series, role, provisional) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                project, a.id, a.document.type.value, self._db.index(a.document.number),
                seal(a.document.number), seal(a.name), seal(a.unit), seal(a.department),
                a.title_series, a.role.value, int(a.provisional),
            ),
        )  # fmt: skip
        c.execute("DELETE FROM card_uids WHERE project = ? AND attendee_id = ?", (project, a.id))
        for uid in a.card_uids:
            c.execute(
                "INSERT OR REPLACE INTO card_uids (project, uid_index, uid, attendee_id)"
                " VALUES (?,?,?,?)",
                (project, self._db.index(uid), seal(normalise(uid)), a.id),
            )

    def _attendee(self, row: sqlite3.Row) -> Attendee:
        unseal = self._db.cipher.unseal
        uids = self._db.read(
            "SELECT uid FROM card_uids WHERE project = ? AND attendee_id = ? ORDER BY uid_index",
            (row["project"], row["id"]),
        )
        return Attendee(
            id=row["id"],
            document=IdentityDocument(DocumentType(row["doc_type"]), unseal(row["doc_number"])),
            name=unseal(row["name"]),
            unit=unseal(row["unit"]),
            department=unseal(row["department"]),
            title_series=row["title_series"],
            role=Role(row["role"]),
            card_uids=tuple(unseal(u[0]) for u in uids),
            provisional=bool(row["provisional"]),
        )

    def find_by_document(self, project: str, number: str) -> Attendee | None:
        """Look a person up by document number through the HMAC index."""
        rows = self._db.read(
            "SELECT * FROM attendees WHERE project = ? AND doc_index = ?",
            (project, self._db.index(number)),
        )
        return self._attendee(rows[0]) if rows else None

    def find_by_card_uid(self, project: str, uid: str) -> Attendee | None:
        """Look a person up by formatted card UID through the HMAC index."""
        rows = self._db.read(
            "SELECT a.* FROM card_uids u JOIN attendees a"
            " ON a.project = u.project AND a.id = u.attendee_id"
            " WHERE u.project = ? AND u.uid_index = ?",
            (project, self._db.index(uid)),
        )
        return self._attendee(rows[0]) if rows else None

    def get_attendee(self, project: str, attendee_id: str) -> Attendee | None:
        """A roster entry by its reference."""
        rows = self._db.read(
            "SELECT * FROM attendees WHERE project = ? AND id = ?", (project, attendee_id)
        )
        return self._attendee(rows[0]) if rows else None

    def attendees(self, project: str) -> list[Attendee]:
        """Everyone on this project's roster here (including provisional walk-ins)."""
        rows = self._db.read("SELECT * FROM attendees WHERE project = ? ORDER BY id", (project,))
        return [self._attendee(r) for r in rows]

    def people_for_search(self, project: str) -> list[Attendee]:
        """Everyone on the roster with what staff search shows (no card UIDs: one query)."""
        unseal = self._db.cipher.unseal
        rows = self._db.read(
            "SELECT id, doc_type, doc_number, name, unit, provisional FROM attendees"
            " WHERE project = ?",
            (project,),
        )
        return [
            Attendee(id=r[0], document=IdentityDocument(DocumentType(r[1]), unseal(r[2])),
                     name=unseal(r[3]), unit=unseal(r[4]), provisional=bool(r[5]))
            for r in rows
        ]  # fmt: skip

    def revision(self, project: str) -> int:
        """A counter that moves whenever the project's roster changes here (search caches)."""
        return int(self._db.get_meta(roster_revision_key(project)) or "0")

    def roster_size(self, project: str) -> int:
        """How many people (roster and provisional) the project has here."""
        rows = self._db.read("SELECT COUNT(*) FROM attendees WHERE project = ?", (project,))
        return int(rows[0][0])
