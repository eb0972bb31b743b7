"""Credits: per person under the project's profile, the credit year, and the yearly cap.

The cap across projects is the platform's ledger: for each attendee only the credits left under
the cap before this project and what it cut from this project's grant are shown.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.core.credits.amounts import show
from kiosk.core.credits.calendar import credit_year_bounds, project_credit_year
from kiosk.core.credits.compute import AttendeeCredits
from kiosk.core.ids import mask_number
from kiosk.services.organizer_view import WorkspaceView
from kiosk.ui.organizer.common import TextRows, label, text_table, title
from kiosk.ui.texts import translate


class CreditsPage(QWidget):
    """The year and its caps on top, the people below."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = title()
        self.year = label()
        self.people = TextRows(self._headers)
        self.table = text_table(self.people)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.year)
        layout.addWidget(self.table, 1)
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.heading.setText(translate("Organizer", "Credits"))
        self.people.retranslate()

    @staticmethod
    def _headers() -> list[str]:
        return [
            translate("Organizer", "Name"), translate("Organizer", "ID number"),
            translate("Organizer", "Credits"), translate("Organizer", "Provisional"),
            translate("Organizer", "Left under the cap before this project"),
            translate("Organizer", "Cut by the cap"),
        ]  # fmt: skip

    def show_view(self, view: WorkspaceView) -> None:
        """The credit year, the requirement, the cap, and each person's figures."""
        p, profile = view.table.project, view.table.profile
        year = project_credit_year(p, profile)
        first, last = credit_year_bounds(year, profile.credit_year)
        need = profile.annual.credits
        cap = view.ledger.cap if view.ledger is not None else None
        lines = [
            translate("Organizer", "Credit year %1 (%2 to %3); %4 credits a year required (%5)")
            .replace("%1", str(year)).replace("%2", first.isoformat())
            .replace("%3", last.isoformat()).replace("%4", show(need.value))
            .replace("%5", need.source),
        ]  # fmt: skip
        if view.ledger is None:
            lines.append(translate("Organizer", "Yearly cap across projects: unknown offline"))
        elif cap is None:
            lines.append(translate("Organizer", "No yearly cap for this project's form"))
        else:
            text = translate(
                "Organizer",
                "Yearly cap: %1 credits (%2), applied by the platform in order of activity date",
            )
            lines.append(text.replace("%1", show(cap)).replace("%2", view.ledger.cap_source))
        self.year.setText("\n".join(lines))
        by_ref = {ln.attendee_id: ln for ln in (view.ledger.lines if view.ledger else [])}
        provisional = translate("Organizer", "provisional")

        def cells(row: AttendeeCredits) -> list[str]:
            standing = by_ref.get(view.refs.get(row.person.id_number, ""))
            left = (
                "—"
                if standing is None or standing.left_before is None
                else show(standing.left_before)
            )
            cut = Decimal(0)
            if standing is not None:
                if standing.granted is not None:
                    cut = standing.cut
                elif standing.left_before is not None:
                    cut = max(Decimal(0), row.credits - standing.left_before)
            return [row.person.name or "?", mask_number(row.person.id_number), show(row.credits),
                    provisional if row.credits_provisional else "", left, show(cut)]  # fmt: skip

        self.people.set_rows(view.table.rows, cells)
