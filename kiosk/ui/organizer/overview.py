"""Overview: the countdown and window state, each desk, what blocks submission, and charts."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.credits.submission import WindowState
from kiosk.services.organizer_view import WorkspaceView
from kiosk.ui import theme
from kiosk.ui.organizer.charts import BarChart
from kiosk.ui.organizer.common import TEXT_PX, clock, label, title
from kiosk.ui.organizer.texts import fill, refusal_text, state_text
from kiosk.ui.texts import translate

STATE_COLOURS = {
    WindowState.NOT_OPEN: theme.SLATE,
    WindowState.OPEN: theme.GREEN,
    WindowState.CLOSING: theme.AMBER,
    WindowState.CLOSED: theme.RED,
}


class OverviewPage(QWidget):
    """The project at a glance."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = title()
        self.countdown = label(px=20, bold=True)
        self.desks = label()
        self.blockers = label()
        self.session = QComboBox()
        self.session.setFont(theme.font(TEXT_PX))
        self.session.setMinimumHeight(theme.TOUCH_PX)
        self.session.currentIndexChanged.connect(self._draw_session)
        self.arrivals = BarChart()
        self.present = BarChart(line=True, colour=theme.GREEN)
        self.hours = BarChart(colour=theme.PURPLE)
        self.credits = BarChart(colour=theme.AMBER)
        top = QVBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.countdown)
        row = QHBoxLayout()
        row.addWidget(self.desks, 1)
        row.addWidget(self.blockers, 1)
        top.addLayout(row)
        top.addWidget(self.session)
        grid = QGridLayout()
        grid.addWidget(self.arrivals, 0, 0)
        grid.addWidget(self.present, 0, 1)
        grid.addWidget(self.hours, 1, 0)
        grid.addWidget(self.credits, 1, 1)
        top.addLayout(grid, 1)
        self.setLayout(top)
        self._view: WorkspaceView | None = None

    def show_view(self, view: WorkspaceView) -> None:
        """Fill every part from the view."""
        self._view = view
        self.heading.setText(translate("Organizer", "Overview"))
        w = view.window
        left = w.days_left - 1
        if w.state is WindowState.NOT_OPEN:
            when = fill(translate("Organizer", "opens %1; deadline %2"),
                        clock(w.opens_at), w.deadline_day.isoformat())  # fmt: skip
        elif w.state is WindowState.CLOSED:
            when = fill(translate("Organizer", "the deadline %1 has passed"),
                        w.deadline_day.isoformat())  # fmt: skip
        elif left == 0:
            when = fill(translate("Organizer", "deadline %1: today"), w.deadline_day.isoformat())
        else:
            when = fill(translate("Organizer", "deadline %1: %2 day(s) left"),
                        w.deadline_day.isoformat(), left)  # fmt: skip
        state = fill(translate("Organizer", "Submission window: %1 — %2"), state_text(w.state),
                     when)  # fmt: skip
        if view.submitted_at is not None:
            state += " · " + fill(translate("Organizer", "submitted %1"), clock(view.submitted_at))
        self.countdown.setText(state)
        self.countdown.setStyleSheet(f"color: {STATE_COLOURS[w.state]};")
        self.desks.setText(self._desk_lines(view))
        refusals = [r for r in view.refusals() if r.code != "offline"]
        lines = [translate("Organizer", "What still blocks submission:")]
        lines += [f"• {refusal_text(r)}" for r in refusals] or [
            "• " + translate("Organizer", "nothing: the report can be submitted")
        ]
        self.blockers.setText("\n".join(lines))
        current = self.session.currentIndex()
        self.session.blockSignals(True)
        self.session.clear()
        for s in view.charts.sessions:
            self.session.addItem(f"{s.session.id} {clock(s.session.start)}–"
                                 f"{clock(s.session.end, '%H:%M')} {s.session.title}")  # fmt: skip
        self.session.setCurrentIndex(max(0, min(current, self.session.count() - 1)))
        self.session.blockSignals(False)
        sessions = view.charts.sessions
        self.hours.set_data(
            translate("Organizer", "Hours attended (mean) against session length"),
            [float(s.mean_hours) for s in sessions],
            behind=[float(s.scheduled_hours) for s in sessions],
        )
        self.credits.set_data(
            translate("Organizer", "Credits: people per amount"),
            [float(n) for _, n in view.charts.credits],
        )
        self._draw_session()

    def _desk_lines(self, view: WorkspaceView) -> str:
        lines = [translate("Organizer", "Desks:")]
        if view.desks is None:
            lines.append("• " + translate("Organizer", "unknown offline: refresh when online"))
        for d in view.desks or ():
            if d.role != "desk":
                continue  # the organizer's own tool records nothing
            if d.complete:
                state = translate("Organizer", "complete")
            elif not d.reported:
                state = translate("Organizer", "has never reported")
            else:
                state = fill(translate("Organizer", "missing %1"), d.missing)
            lines.append(f"• {d.desk_name}: {state}")
        return "\n".join(lines)

    def _draw_session(self) -> None:
        view = self._view
        i = self.session.currentIndex()
        if view is None or not (0 <= i < len(view.charts.sessions)):
            return
        s = view.charts.sessions[i]
        self.arrivals.set_data(
            fill(translate("Organizer", "Arrivals per 10 min (%1)"), s.session.id),
            [float(n) for n in s.arrivals],
        )
        self.present.set_data(
            fill(translate("Organizer", "People present (%1)"), s.session.id),
            [float(n) for n in s.present],
        )
