"""Projects with rosters on a platform database: what benches and platform tests set up alike."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.core.model import Attendee, Project
from sync.server.admin import ServerAdmin
from sync.server.roster import RosterRow, import_roster


def roster_rows(people: Sequence[Attendee], *, details: bool = False) -> list[RosterRow]:
    """Roster rows of these people (ID and name; with `details` their unit and department)."""
    return [
        RosterRow(line=i + 2, id_type=a.document.type.value, id_number=a.document.number,
                  name=a.name, unit=a.unit if details else "",
                  department=a.department if details else "")
        for i, a in enumerate(people)
    ]  # fmt: skip


def seed_project(
    admin: ServerAdmin, project: Project, people: Sequence[Attendee], *, actor: str = "test",
    details: bool = False,
) -> None:  # fmt: skip
    """Create the project on the platform and import its roster."""
    admin.create_project(project)
    import_roster(admin.platform, project.number, roster_rows(people, details=details),
                  actor=actor)  # fmt: skip
