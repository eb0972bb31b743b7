"""Today's session list: not yet arrived / in / out / flagged / everyone, with times, paged.

The desk thread reads the list (kiosk.services.staff_search.StaffLists); a page of rows comes
back as a SessionList through the bridge. Only the answer to the latest request is shown: each
request carries a token, and an answer with an older one (a slow read of a page already turned
past) is dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.services.desk import DeskService
from kiosk.services.staff_search import ListFilter, SessionList
from kiosk.ui.staff_common import (
    ROW_PX,
    count_line,
    person_line,
    section_title,
    state_line,
    text_label,
    touch_button,
    touch_list,
)
from kiosk.ui.texts import QT_TRANSLATE_NOOP, reason_text, translate

PAGE = 50
FILTERS: tuple[tuple[ListFilter, str], ...] = (
    (ListFilter.NOT_ARRIVED, QT_TRANSLATE_NOOP("Sessions", "Not yet arrived")),
    (ListFilter.IN, QT_TRANSLATE_NOOP("Sessions", "In")),
    (ListFilter.OUT, QT_TRANSLATE_NOOP("Sessions", "Out")),
    (ListFilter.FLAGGED, QT_TRANSLATE_NOOP("Sessions", "Flagged")),
    (ListFilter.ALL, QT_TRANSLATE_NOOP("Sessions", "Everyone")),
)


class SessionsPage(QWidget):
    """Filter buttons, a page of people with their times, previous / next."""

    def __init__(self, desk: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.filter = ListFilter.NOT_ARRIVED
        self.offset = 0
        self.listed: SessionList | None = None
        self.asked = 0  # the token of the latest request; answers to older ones are stale
        self.title = section_title()
        self.group = QButtonGroup(self)
        self.filter_buttons: dict[ListFilter, QPushButton] = {}
        grid = QGridLayout()
        for i, (kind, _source) in enumerate(FILTERS):
            button = touch_button(px=18)
            button.setCheckable(True)
            self.group.addButton(button, i)
            self.filter_buttons[kind] = button
            grid.addWidget(button, i // 3, i % 3)
        self.group.idClicked.connect(lambda i: self.show_filter(FILTERS[i][0]))
        self.count_label = text_label(bold=True)
        self.rows = touch_list()
        self.previous_button = touch_button()
        self.next_button = touch_button()
        self.refresh_button = touch_button()
        self.previous_button.clicked.connect(lambda: self.turn(-1))
        self.next_button.clicked.connect(lambda: self.turn(1))
        self.refresh_button.clicked.connect(self.refresh)
        pager = QHBoxLayout()
        pager.addWidget(self.previous_button)
        pager.addWidget(self.refresh_button)
        pager.addWidget(self.next_button)
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addLayout(grid)
        column.addWidget(self.count_label)
        column.addWidget(self.rows, 1)
        column.addLayout(pager)
        self.filter_buttons[self.filter].setChecked(True)
        self._pager()
        self.retranslate()

    def show_filter(self, which: ListFilter) -> None:
        """Show one filter's first page."""
        self.filter = which
        self.offset = 0
        self.filter_buttons[which].setChecked(True)
        self.refresh()

    def turn(self, step: int) -> None:
        """The previous or the next page."""
        total = self.listed.total if self.listed else 0
        offset = self.offset + step * PAGE
        if 0 <= offset < max(total, 1):
            self.offset = offset
            self.refresh()

    def refresh(self) -> None:
        """Ask the desk thread for the page now chosen."""
        self.asked += 1
        self.desk.session_list(self.filter, limit=PAGE, offset=self.offset, request=self.asked)

    def show_list(self, listed: SessionList) -> None:
        """A page from the desk thread, if it answers the latest request."""
        if listed.request != self.asked or listed.filter is not self.filter:
            return
        self._show(listed)

    def _show(self, listed: SessionList) -> None:
        self.listed = listed
        self.rows.clear()
        if listed.refused:
            self.count_label.setText(reason_text(listed.refused))
        else:
            for row in listed.rows:
                item = QListWidgetItem(f"{person_line(row)}\n{state_line(row)}")
                item.setSizeHint(QSize(0, ROW_PX + 12))
                self.rows.addItem(item)
            if listed.total:
                self.count_label.setText(
                    count_line(len(listed.rows), listed.total, offset=self.offset)
                )
            else:
                self.count_label.setText(translate("Sessions", "Nobody in this list"))
        self._pager()

    def _pager(self) -> None:
        total = self.listed.total if self.listed else 0
        self.previous_button.setEnabled(self.offset > 0)
        self.next_button.setEnabled(self.offset + PAGE < total)

    def retranslate(self) -> None:
        """Texts in the language now installed."""
        self.title.setText(translate("Sessions", "Today's list"))
        for kind, source in FILTERS:
            self.filter_buttons[kind].setText(translate("Sessions", source))
        self.previous_button.setText(translate("Sessions", "◀ Previous"))
        self.next_button.setText(translate("Sessions", "Next ▶"))
        self.refresh_button.setText(translate("Sessions", "Refresh"))
        if self.listed is not None:
            self._show(self.listed)
