"""Staff: the project's named desk staff (names and roles, never PIN hashes) and what they did.

Read-only: staff are named on the platform (`cme-kiosk server staff`); the desks' voids,
disputes and manual records are listed as `organizer report` prints them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.reports.pulled import StaffMember
from kiosk.reports.staff_review import StaffNote
from kiosk.services.organizer_view import WorkspaceView
from kiosk.ui.organizer.common import TextRows, clock, label, text_table, title
from kiosk.ui.organizer.texts import about_line, fill, role_text, staff_kind_text
from kiosk.ui.texts import translate


class StaffPage(QWidget):
    """Who staffs the desks, and their records the organizer should look at."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = title()
        self.members_title = label(bold=True)
        self.members = TextRows(self._member_headers)
        self.members_table = text_table(self.members)
        self.notes_title = label(bold=True)
        self.notes = TextRows(self._note_headers)
        self.notes_table = text_table(self.notes)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.members_title)
        layout.addWidget(self.members_table, 1)
        layout.addWidget(self.notes_title)
        layout.addWidget(self.notes_table, 2)
        self._view: WorkspaceView | None = None
        self.retranslate()

    @staticmethod
    def _member_headers() -> list[str]:
        return [translate("Organizer", "Staff id"), translate("Organizer", "Name"),
                translate("Organizer", "Role")]  # fmt: skip

    @staticmethod
    def _note_headers() -> list[str]:
        return [
            translate("Organizer", "Time (desk clock)"), translate("Organizer", "Kind"),
            translate("Organizer", "Desk"), translate("Organizer", "Staff"),
            translate("Organizer", "Attendee"), translate("Organizer", "Note"),
        ]  # fmt: skip

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.heading.setText(translate("Organizer", "Staff"))
        self.members.retranslate()
        self.notes.retranslate()
        if self._view is not None:
            self.show_view(self._view)

    def show_view(self, view: WorkspaceView) -> None:
        """The named staff and their records in the new view."""
        self._view = view
        if view.members:
            self.members_title.setText(
                fill(translate("Organizer", "Named desk staff: %1"), len(view.members))
            )
        else:
            self.members_title.setText(
                translate("Organizer", "No named staff: the desks use the shared PIN only")
            )
        self.notes_title.setText(
            fill(translate("Organizer", "The desks' voids, disputes and manual records: %1"),
                 len(view.staff))
        )  # fmt: skip

        def member(m: StaffMember) -> list[str]:
            return [m.staff_id, m.name, role_text(m.role)]

        def note(n: StaffNote) -> list[str]:
            about = f" [{about_line(n.about)}]" if n.about else ""
            return [clock(n.at), ("! " if n.anomaly else "") + staff_kind_text(n.kind), n.desk,
                    n.staff, n.who, n.note + about]  # fmt: skip

        self.members.set_rows(view.members, member)
        self.notes.set_rows(view.staff, note)
