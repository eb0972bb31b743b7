"""The bottom of the attendee's screen: today's counts, each device and sync as icon and words."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QBoxLayout, QFrame, QLabel, QWidget

from kiosk.services.screen import DeviceStatus, SyncState
from kiosk.services.session_state import SessionState
from kiosk.ui import theme
from kiosk.ui.texts import device_reason_line, translate


class StatusStrip(QFrame):
    """Counts on the left, devices in the middle, sync on the right; red when staff must act."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts_label = QLabel()
        self.devices_label = QLabel()
        self.devices_label.setWordWrap(True)
        self.sync_label = QLabel()
        self.sync_label.setWordWrap(True)
        for label in (self.counts_label, self.devices_label, self.sync_label):
            label.setFont(theme.font(theme.STATUS_PX))
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.row.addWidget(self.counts_label, 2)
        self.row.addWidget(self.devices_label, 3)
        self.row.addWidget(self.sync_label, 2)
        self.devices: dict[str, DeviceStatus] = {}
        self._state: SessionState | None = None
        self._sync: SyncState | None = None
        self.retranslate()

    def set_portrait(self, portrait: bool) -> None:
        """One line per part on a tall screen: wrapped lines side by side would be cut."""
        self.row.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )

    def show_counts(self, state: SessionState) -> None:
        """Arrived, left and expected today."""
        self._state = state
        text = translate("Desk", "Arrived %1 · Left %2 · Expected %3")
        for i, value in enumerate((state.arrived, state.left, state.expected), start=1):
            text = text.replace(f"%{i}", str(value))
        self.counts_label.setText(text)

    def show_device(self, status: DeviceStatus) -> None:
        """One device's entry: ✓ or ✗ with its name; the reason in the tooltip and staff mode."""
        self.devices[status.name] = status
        parts = [
            f"<span style='color:{theme.GREEN}'>✓ {html.escape(s.name)}</span>"
            if s.ok
            else f"<span style='color:{theme.RED}; font-weight:bold'>✗ {html.escape(s.name)}</span>"
            for s in self.devices.values()
        ]  # fmt: skip
        self.devices_label.setText("　".join(parts))
        self.devices_label.setToolTip(
            "\n".join(f"{s.name}: {device_reason_line(s.reason)}" for s in self.devices.values())
        )

    def show_sync(self, state: SyncState) -> None:
        """Online or not, and what is pending."""
        self._sync = state
        self.sync_label.setText("⇅ " + state.line)
        self.sync_label.setStyleSheet("" if state.ok else f"color: {theme.RED}; font-weight: bold;")

    def retranslate(self) -> None:
        """Set every text again in the language now installed."""
        if self._state is not None:
            self.show_counts(self._state)
        else:
            self.counts_label.setText("")
        if self._sync is None:
            self.sync_label.setText("⇅ " + translate("Desk", "sync: not configured"))
