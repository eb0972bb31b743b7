"""The project's named desk staff in the kiosk store, as pulled with the project bundle."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.timeutil import to_utc
from sync.store.database import LocalDb


@dataclass(frozen=True, slots=True)
class DeskStaff:
    """One member: reference, name, role and PIN hash (argon2id)."""

    staff_id: str
    name: str
    role: str
    pin_hash: str


class StaffList:
    """Named staff per project (names sealed); replaced whole at each bundle pull."""

    def __init__(self, db: LocalDb):
        self._db = db

    def replace(self, project: str, members: Iterable[DeskStaff]) -> None:
        """The project's list becomes `members` (who signed in last is remembered)."""
        seal = self._db.cipher.seal
        with self._db.write("saving the staff list") as c:
            last = dict(
                c.execute(
                    "SELECT staff_id, last_signed_in FROM staff WHERE project = ?", (project,)
                ).fetchall()
            )
            c.execute("DELETE FROM staff WHERE project = ?", (project,))
            for m in members:
                c.execute(
                    "INSERT INTO staff (project, staff_id, name, role, pin_hash, last_signed_in)"
                    " VALUES (?,?,?,?,?,?)",
                    (project, m.staff_id, seal(m.name), m.role, m.pin_hash, last.get(m.staff_id)),
                )

    def members(self, project: str) -> list[DeskStaff]:
        """The members, whoever signed in most recently first (a sign-in tries them in order)."""
        rows = self._db.read(
            "SELECT staff_id, name, role, pin_hash FROM staff WHERE project = ?"
            " ORDER BY last_signed_in IS NULL, last_signed_in DESC, staff_id",
            (project,),
        )
        unseal = self._db.cipher.unseal
        return [DeskStaff(r[0], unseal(r[1]), r[2], r[3]) for r in rows]

    def count(self, project: str) -> int:
        """How many named members the project has here."""
        return int(self._db.read("SELECT COUNT(*) FROM staff WHERE project = ?", (project,))[0][0])

    def signed_in(self, project: str, staff_id: str, at: datetime) -> None:
        """Remember when a member last signed in here."""
        with self._db.write("saving a sign-in") as c:
            c.execute(
                "UPDATE staff SET last_signed_in = ? WHERE project = ? AND staff_id = ?",
                (to_utc(at).isoformat(), project, staff_id),
            )
