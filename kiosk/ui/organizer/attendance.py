"""Attendance: attendees × sessions, searchable by name, pinyin initials or the ID's end.

Each cell shows the times in and out on the desk clock, the hours counted inside the session,
the role, the method and who entered the record. The table is a model over the view's rows
(5,000 people and more): only the cells on screen are ever formatted.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.credits.amounts import show
from kiosk.core.credits.compute import AttendeeCredits
from kiosk.core.credits.records import CreditFlag
from kiosk.core.ids import mask_number
from kiosk.core.model import Role
from kiosk.services.organizer_view import WorkspaceView
from kiosk.ui import theme
from kiosk.ui.organizer.common import TEXT_PX, clock, label, title
from kiosk.ui.organizer.texts import direction_text, entered_text, fill, flag_text, method_text
from kiosk.ui.texts import translate

Index = QModelIndex | QPersistentModelIndex


def role_text(role: Role) -> str:
    """Participant or speaker."""
    if role is Role.SPEAKER:
        return translate("Organizer", "speaker")
    return translate("Organizer", "participant")


class AttendanceModel(QAbstractTableModel):
    """Rows of the review (filtered), one column per session between the person and the sums."""

    def __init__(self) -> None:
        super().__init__()
        self.view: WorkspaceView | None = None
        self.rows: list[AttendeeCredits] = []
        self._sessions: list[str] = []

    def set_rows(self, view: WorkspaceView, rows: list[AttendeeCredits]) -> None:
        """Show `rows` of `view`."""
        self.beginResetModel()
        self.view = view
        self.rows = rows
        self._sessions = [s.id for s in sorted(view.table.project.sessions, key=lambda s: s.start)]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """People shown."""
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        """Name, ID, role, the sessions, hours, credits, flags."""
        return 0 if parent.isValid() else 6 + len(self._sessions)

    def headerData(  # noqa: N802 - Qt's name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Column titles."""
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        n = len(self._sessions)
        fixed = [translate("Organizer", "Name"), translate("Organizer", "ID number"),
                 translate("Organizer", "Role")]  # fmt: skip
        tail = [translate("Organizer", "Hours"), translate("Organizer", "Credits"),
                translate("Organizer", "Flags")]  # fmt: skip
        if section < 3:
            return fixed[section]
        if section < 3 + n:
            return self._sessions[section - 3]
        return tail[section - 3 - n]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """A cell's text (tooltips carry the same, unabridged)."""
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        col, n = index.column(), len(self._sessions)
        if 3 <= col < 3 + n:
            return self.cell(row, self._sessions[col - 3])
        cells = {
            0: lambda: row.person.name or "?",
            1: lambda: mask_number(row.person.id_number),
            2: lambda: role_text(row.role),
            3 + n: lambda: show(row.hours),
            4 + n: lambda: show(row.credits),
        }
        make = cells.get(col)
        return make() if make else "、".join(flag_text(f) for f in sorted(row.flags))

    def cell(self, row: AttendeeCredits, session: str) -> str:
        """In–out, hours, role, method and who entered it, for one session."""
        assert self.view is not None
        parts = []
        for line in row.lines:
            piece = line.piece
            if piece.session.id != session:
                continue
            out = clock(piece.scan_out, "%H:%M") if piece.scan_out else "?"
            by = self.view.entered_by
            number = row.person.id_number
            authors = [by.get((number, piece.scan_in), "")]
            if piece.scan_out is not None:
                authors.append(by.get((number, piece.scan_out), ""))
            methods = "/".join(method_text(m.value) for m in piece.methods)
            role = role_text(Role.SPEAKER if line.speaking else Role.PARTICIPANT)
            text = (f"{clock(piece.scan_in, '%H:%M')}–{out} · {show(line.hours)} h · {role}"
                    f" · {methods}")  # fmt: skip
            who = [entered_text(a) for a in dict.fromkeys(authors) if a]
            if who:
                text += " · " + " / ".join(who)
            if piece.assumed_end:
                text += " · " + flag_text(CreditFlag.CHECKOUT_ASSUMED)
            parts.append(text)
        return "; ".join(parts) or "—"


class AttendancePage(QWidget):
    """Search, filter by flag, the table, and the selected person's explanation."""

    def __init__(self) -> None:
        super().__init__()
        self.heading = title()
        self.search = QLineEdit()
        self.search.setFont(theme.font(TEXT_PX))
        self.search.setMinimumHeight(theme.TOUCH_PX)
        self.search.textChanged.connect(self.apply_filter)
        self.flag = QComboBox()
        self.flag.setFont(theme.font(TEXT_PX))
        self.flag.setMinimumHeight(theme.TOUCH_PX)
        self.flag.currentIndexChanged.connect(self.apply_filter)
        self.model = AttendanceModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)  # no corner button: not a touch target
        self.table.setMinimumHeight(120)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(260)
        self.table.verticalHeader().setDefaultSectionSize(theme.TOUCH_PX)
        self.table.selectionModel().currentRowChanged.connect(self._selected)
        self.detail = label()
        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.flag, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        holder = QWidget()
        box = QVBoxLayout(holder)
        box.addWidget(self.detail)
        box.addStretch(1)
        split.addWidget(holder)
        split.setSizes([400, 160])
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        self._view: WorkspaceView | None = None
        self.retranslate()

    def retranslate(self) -> None:
        """Texts in the current language."""
        self.heading.setText(translate("Organizer", "Attendance"))
        self.search.setPlaceholderText(
            translate("Organizer", "Search: name, pinyin initials (zw) or the ID number's end")
        )
        current = self.flag.currentData()
        self.flag.blockSignals(True)
        self.flag.clear()
        self.flag.addItem(translate("Organizer", "All flags"), None)
        for f in CreditFlag:
            self.flag.addItem(flag_text(f), f)
        index = self.flag.findData(current)
        self.flag.setCurrentIndex(max(0, index))
        self.flag.blockSignals(False)

    def show_view(self, view: WorkspaceView) -> None:
        """New data: keep the search and the filter."""
        self._view = view
        self.apply_filter()

    def apply_filter(self) -> None:
        """Rows matching the search text and the chosen flag."""
        view = self._view
        if view is None:
            return
        query = self.search.text()
        flag = self.flag.currentData()
        index = view.search
        rows = [
            r for r in view.table.rows
            if (flag is None or flag in r.flags)
            and (not query or (index.matches(r.person.id_number, query) if index is not None
                               else query in r.person.name
                               or r.person.id_number.upper().endswith(query.upper())))
        ]  # fmt: skip
        self.model.set_rows(view, rows)
        self.detail.setText(fill(translate("Organizer", "%1 of %2 attendees shown"),
                                 len(rows), len(view.table.rows)))  # fmt: skip

    def _selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self._view is None:
            return
        row = self.model.rows[current.row()]
        records = self._view.records.get(row.person.id_number, ())
        lines = [f"{row.person.name} ({mask_number(row.person.id_number)})"]
        lines += [f"• {line}" for line in row.explanation]
        for r in records:
            lines.append(f"  {clock(r.at)} {direction_text(r.direction)} {method_text(r.method)}"
                         f" · {entered_text(r.entered_by)}")  # fmt: skip
        self.detail.setText("\n".join(lines))
