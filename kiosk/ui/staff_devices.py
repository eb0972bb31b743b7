"""Staff mode's devices page: each device's state and last error, and reconnect.

Reconnect goes through the desk service (`DeskService.reconnect_device`), which stops and starts
the device on a thread of its own: the GUI thread never calls a driver nor waits for one. The
device's new states come back as DeviceStatus events like any other.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QListWidgetItem, QVBoxLayout, QWidget

from kiosk.core.timeutil import format_local
from kiosk.services.desk import DeskService
from kiosk.services.screen import DeviceStatus
from kiosk.ui import theme
from kiosk.ui.staff_common import ROW_PX, AnswerLine, section_title, touch_button, touch_list
from kiosk.ui.texts import device_reason_line, translate


class DevicesPage(QWidget):
    """One row per device (state, why it is off, its last error); reconnect the chosen one."""

    def __init__(self, desk: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.statuses: dict[str, DeviceStatus] = {}
        self.names: list[str] = []
        self.pending: set[str] = set()  # reconnect asked, no new state heard yet
        self.title = section_title()
        self.rows = touch_list()
        self.rows.setUniformItemSizes(False)
        self.rows.currentRowChanged.connect(self._selected)
        self.reconnect_button = touch_button()
        self.reconnect_button.clicked.connect(self.reconnect)
        self.answer = AnswerLine()
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addWidget(self.rows, 1)
        column.addWidget(self.reconnect_button)
        column.addWidget(self.answer)
        self.retranslate()

    def show_device(self, status: DeviceStatus) -> None:
        """A device's new state; a reconnect waiting for it is over."""
        self.statuses[status.name] = status
        if status.name in self.pending:
            self.pending.discard(status.name)
            self.answer.clear_answer()
        self._fill()

    def _fill(self) -> None:
        chosen = self.chosen()
        self.names = list(self.statuses)
        self.rows.blockSignals(True)
        self.rows.clear()
        for name in self.names:
            row = QListWidgetItem(self.line(self.statuses[name]))
            row.setSizeHint(
                QSize(
                    0, ROW_PX + (ROW_PX // 2 if self.statuses[name].last_error is not None else 0)
                )
            )
            self.rows.addItem(row)
        if chosen in self.names:
            self.rows.setCurrentRow(self.names.index(chosen))
        self.rows.blockSignals(False)
        self._selected(self.rows.currentRow())

    def line(self, status: DeviceStatus) -> str:
        """The row's text: state, name and detail; then the last error with its time."""
        text = f"{'✓' if status.ok else '✗'} {status.name} — {device_reason_line(status.reason)}"
        if status.name in self.pending:
            text += " · " + translate("Devices", "reconnecting…")
        if status.last_error is not None:
            at = format_local(status.last_error_at, "%H:%M:%S") if status.last_error_at else "–"
            last = translate("Devices", "Last error at %1: %2")
            text += "\n" + last.replace("%1", at).replace(
                "%2", device_reason_line(status.last_error)
            )
        return text

    def chosen(self) -> str | None:
        """The name of the device selected, if any."""
        row = self.rows.currentRow()
        return self.names[row] if 0 <= row < len(self.names) else None

    def _selected(self, row: int) -> None:
        name = self.names[row] if 0 <= row < len(self.names) else None
        status = self.statuses.get(name) if name else None
        self.reconnect_button.setEnabled(
            status is not None and status.reconnectable and name not in self.pending
        )

    def reconnect(self) -> None:
        """Ask the desk service to reconnect the chosen device; its states follow as events."""
        name = self.chosen()
        if name is None:
            return
        # A lock and a set, no driver: the reconnect itself runs on the service's own thread.
        if not self.desk.devices.can_reconnect(name):
            self.answer.show_problem(translate("Devices", "This device cannot be reconnected now"))
            return
        self.desk.reconnect_device(name)  # its states come back as DeviceStatus events
        self.pending.add(name)
        self.answer.setText(translate("Devices", "Reconnecting %1…").replace("%1", name))
        self.answer.setStyleSheet(f"color: {theme.INK};")
        self._fill()

    def retranslate(self) -> None:
        """Texts in the language now installed."""
        self.title.setText(translate("Staff", "Devices"))
        self.reconnect_button.setText(translate("Devices", "Reconnect"))
        self._fill()
