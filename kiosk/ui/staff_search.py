"""Staff search: find a person by name, pinyin initials (zw → 张伟), ID tail, unit or reference.

A field with the on-screen letters keypad (a hardware keyboard types into the same field). Each
change asks the desk thread after a short pause; its SearchResult comes back through the bridge
and only the answer to the text now in the field is shown, so a fast typist never sees stale
rows. The list shows the first rows (name, unit, masked ID) and "N of M" when there are more.
Choosing a person opens their page (kiosk/ui/staff_person.py).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QListWidgetItem, QStackedWidget, QVBoxLayout, QWidget

from kiosk.services.checkin import Outcome
from kiosk.services.desk import DeskService
from kiosk.services.staff_methods import Fallbacks
from kiosk.services.staff_search import PersonRow, SearchResult
from kiosk.ui.keypad import LETTERS, Keypad
from kiosk.ui.staff_common import (
    ROW_PX,
    count_line,
    entry,
    person_line,
    section_title,
    state_line,
    text_label,
    touch_list,
)
from kiosk.ui.staff_person import PersonPage
from kiosk.ui.texts import reason_text, translate

LIMIT = 50  # rows shown; the count says how many matched
PAUSE_MS = 150  # a search goes to the desk thread once typing pauses this long


class SearchPage(QStackedWidget):
    """The search (field, letters, results) and the chosen person's page."""

    to_camera = Signal()

    def __init__(self, desk: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.rows: list[PersonRow] = []
        self.result: SearchResult | None = None
        find = QWidget()
        column = QVBoxLayout(find)
        self.title = section_title()
        self.field = entry(px=28)
        self.keypad = Keypad(self.field, keys=LETTERS, columns=7)
        self.keypad.entered.connect(self.search_now)
        self.field.textChanged.connect(self._changed)
        self.field.returnPressed.connect(self.search_now)
        self.count_label = text_label(bold=True)
        self.results = touch_list()
        self.results.itemClicked.connect(self._chosen)
        self.results.itemActivated.connect(self._chosen)
        column.addWidget(self.title)
        column.addWidget(self.field)
        column.addWidget(self.keypad)
        column.addWidget(self.count_label)
        column.addWidget(self.results, 1)
        self.person = PersonPage(desk)
        self.person.back.connect(self.show_results)
        self.person.to_camera.connect(self.to_camera)
        self.addWidget(find)
        self.addWidget(self.person)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(PAUSE_MS)
        self._pause.timeout.connect(self.search_now)
        self.retranslate()

    def _changed(self) -> None:
        self._pause.start()

    def search_now(self) -> None:
        """Ask the desk thread for the text in the field (an empty field clears the list)."""
        self._pause.stop()
        query = self.field.text().strip()
        if not query:
            self.result = None
            self.rows = []
            self.results.clear()
            self.count_label.setText("")
            return
        self.desk.search(query, limit=LIMIT)

    def show_result(self, result: SearchResult) -> None:
        """The desk thread's rows, if they answer the text still in the field."""
        if result.query != self.field.text().strip():
            return  # typed on since: its own answer follows
        self.result = result
        self.rows = list(result.rows)
        self.results.clear()
        if result.refused:
            self.count_label.setText(reason_text(result.refused))
            return
        chosen = self.person.person
        for row in result.rows:
            if chosen is not None and row.attendee_id == chosen.attendee_id:
                self.person.update_row(row)
            item = QListWidgetItem(f"{person_line(row)}\n{state_line(row)}")
            item.setSizeHint(QSize(0, ROW_PX + 12))
            item.setData(Qt.ItemDataRole.UserRole, row.attendee_id)
            self.results.addItem(item)
        if result.total:
            self.count_label.setText(count_line(len(result.rows), result.total))
        else:
            self.count_label.setText(translate("Staff", "Nobody found"))

    def _chosen(self, item: QListWidgetItem) -> None:
        self.choose(self.results.row(item))

    def choose(self, index: int) -> None:
        """Open the page of the row at `index`."""
        self.person.open(self.rows[index])
        self.setCurrentWidget(self.person)

    def show_results(self) -> None:
        """Back to the list (searched again: states may have changed)."""
        self.setCurrentIndex(0)
        self.search_now()

    def show_fallbacks(self, offers: Fallbacks) -> None:
        """Hand the desk's offers to the person's page."""
        self.person.show_fallbacks(offers)

    def show_outcome(self, outcome: Outcome) -> None:
        """A staff action's answer, on the person's page; their times are read again."""
        self.person.show_outcome(outcome)
        if outcome.event is not None:
            self.search_now()

    def retranslate(self) -> None:
        """Texts in the language now installed."""
        self.title.setText(translate("Staff", "Search"))
        self.field.setPlaceholderText(
            translate("Staff", "Name, pinyin initials (zw), last 4 of ID, unit or reference")
        )
        self.keypad.retranslate()
        self.person.retranslate()
        if self.result is not None:
            self.show_result(self.result)
