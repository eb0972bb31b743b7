"""Staff mode's sync page: online state and pending count, dead letters, retry, dismiss, sync now.

A dead letter is a record the platform refused for good; the page shows the platform's reason.
Retry queues it again as it was; dismiss closes it with a reason (both audited with the member).
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QHBoxLayout, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.core.timeutil import format_local
from kiosk.services.checkin import Outcome
from kiosk.services.desk import DeskService
from kiosk.services.screen import SyncState
from kiosk.services.staff_sync import DeadLetter, DeadLetters
from kiosk.ui import theme
from kiosk.ui.staff_common import (
    ROW_PX,
    AnswerLine,
    entry,
    section_title,
    text_label,
    touch_button,
    touch_list,
)
from kiosk.ui.texts import QT_TRANSLATE_NOOP, reason_text, translate

KINDS = {
    "event": QT_TRANSLATE_NOOP("Sync", "record"),
    "denied": QT_TRANSLATE_NOOP("Sync", "refused attempt"),
    "walk_in": QT_TRANSLATE_NOOP("Sync", "walk-in"),
}


class SyncPage(QWidget):
    """The sync line, sync now, and the open dead letters with retry and dismiss."""

    def __init__(self, desk: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.items: list[DeadLetter] = []
        self.title = section_title()
        self.sync_line = text_label(px=theme.STATUS_PX + 4, bold=True)
        self.sync_now_button = touch_button()
        self.sync_now_button.clicked.connect(self.sync_now)
        top = QHBoxLayout()
        top.addWidget(self.sync_line, 1)
        top.addWidget(self.sync_now_button)
        self.letters_title = text_label(bold=True)
        self.letters = touch_list()
        self.letters.currentRowChanged.connect(self._selected)
        self.dismiss_reason = entry(px=20)
        self.retry_button = touch_button()
        self.dismiss_button = touch_button()
        self.retry_button.clicked.connect(self.retry)
        self.dismiss_button.clicked.connect(self.dismiss)
        actions = QHBoxLayout()
        actions.addWidget(self.retry_button)
        actions.addWidget(self.dismiss_button)
        self.answer = AnswerLine()
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addLayout(top)
        column.addWidget(self.letters_title)
        column.addWidget(self.letters, 1)
        column.addWidget(self.dismiss_reason)
        column.addLayout(actions)
        column.addWidget(self.answer)
        self._selected(-1)
        self.retranslate()

    def refresh(self) -> None:
        """Ask the desk thread for the open dead letters."""
        self.desk.dead_letters()

    def show_sync(self, state: SyncState) -> None:
        """Online or not, and what is pending."""
        self.sync_line.setText(("✓ " if state.ok else "✗ ") + state.line)
        self.sync_line.setStyleSheet(f"color: {theme.GREEN if state.ok else theme.RED};")

    def show_dead_letters(self, letters: DeadLetters) -> None:
        """The list, with the platform's reason for each."""
        self.items = list(letters.items)
        self.letters.clear()
        for item in self.items:
            line = (
                translate("Sync", "%1 at %2 — platform: %3")
                .replace("%1", translate("Sync", KINDS.get(item.kind, item.kind)))
                .replace("%2", format_local(item.at, "%m-%d %H:%M"))
                .replace("%3", reason_text(item.reason, item.reason))
            )
            detail = item.detail if item.detail and item.detail != item.reason else ""
            row = QListWidgetItem(f"{line}\n{detail}" if detail else line)
            row.setSizeHint(QSize(0, ROW_PX + 12))
            self.letters.addItem(row)
        self._count(letters)
        self._selected(self.letters.currentRow())

    def _count(self, letters: DeadLetters) -> None:
        if letters.refused:
            self.letters_title.setText(reason_text(letters.refused))
        elif self.items:
            count = len(self.items)
            self.letters_title.setText(
                translate("Sync", "%n record(s) the platform refused:", None, count)
            )
        else:
            self.letters_title.setText(translate("Sync", "No dead letters"))

    def _selected(self, row: int) -> None:
        item = self.items[row] if 0 <= row < len(self.items) else None
        self.retry_button.setEnabled(item is not None and item.retryable)
        self.dismiss_button.setEnabled(item is not None)
        self.dismiss_reason.setEnabled(item is not None)

    def _current(self) -> DeadLetter | None:
        row = self.letters.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def retry(self) -> None:
        """Queue the chosen dead letter again and sync."""
        item = self._current()
        if item is not None:
            self.desk.retry_dead_letter(item.uuid)

    def dismiss(self) -> None:
        """Close the chosen dead letter with the reason typed."""
        item = self._current()
        if item is None:
            return
        reason = self.dismiss_reason.text().strip()
        if not reason:
            self.answer.show_problem(reason_text("reason_required"))
            return
        self.desk.dismiss_dead_letter(item.uuid, reason=reason)

    def sync_now(self) -> None:
        """Upload and pull now (the answer is the sync line moving)."""
        self.desk.sync_now()

    def show_outcome(self, outcome: Outcome) -> None:
        """A retry's or dismissal's answer; the list is read again."""
        self.answer.show_outcome(outcome)
        if outcome.event is not None or outcome.action == "retry":
            self.dismiss_reason.clear()
        self.refresh()

    def retranslate(self) -> None:
        """Texts in the language now installed."""
        self.title.setText(translate("Sync", "Sync"))
        self.sync_now_button.setText(translate("Sync", "Sync now"))
        self.retry_button.setText(translate("Sync", "Retry"))
        self.dismiss_button.setText(translate("Sync", "Dismiss"))
        self.dismiss_reason.setPlaceholderText(translate("Sync", "Reason to dismiss"))
        if not self.letters_title.text():
            self.letters_title.setText(translate("Sync", "No dead letters"))
