"""The top of the attendee's screen: the project, the session on now and the next, the desk mode."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.core.model import DeskMode
from kiosk.core.timeutil import format_local
from kiosk.services.session_state import SessionInfo, SessionState
from kiosk.ui import theme
from kiosk.ui.texts import mode_text, translate

MODE_COLOURS = {DeskMode.IN: theme.GREEN, DeskMode.OUT: theme.BLUE, DeskMode.AUTO: theme.SLATE}


def _session_line(info: SessionInfo) -> str:
    times = f"{format_local(info.start)}–{format_local(info.end)}"
    return f"{info.title}　{times}" if info.title else times


class Header(QFrame):
    """Project and desk; now/next; the mode chip; the staff button (`staff_requested`)."""

    staff_requested = Signal()

    def __init__(self, *, project_name: str, desk_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("header")
        self.setStyleSheet(f"QFrame#header {{ background: {theme.INK}; border-radius: 12px; }}"
                           " QLabel { color: white; }")  # fmt: skip
        self._desk_name = desk_name
        self.project_label = QLabel(project_name)
        self.project_label.setFont(theme.font(26, bold=True))
        self.project_label.setWordWrap(True)
        self.now_label = QLabel()
        self.now_label.setFont(theme.font(theme.STATUS_PX + 2))
        self.now_label.setWordWrap(True)
        self.next_label = QLabel()
        self.next_label.setFont(theme.font(theme.STATUS_PX))
        self.next_label.setWordWrap(True)
        left = QVBoxLayout()
        for w in (self.project_label, self.now_label, self.next_label):
            left.addWidget(w)
        self.mode_label = QLabel()
        self.mode_label.setFont(theme.font(24, bold=True))
        self.mode_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.mode_label.setMinimumHeight(theme.TOUCH_PX)
        self.mode_label.setMinimumWidth(160)
        self.staff_button = QPushButton()
        self.staff_button.setFont(theme.font(theme.STATUS_PX, bold=True))
        self.staff_button.setMinimumSize(theme.TOUCH_PX * 2, theme.TOUCH_PX)
        self.staff_button.clicked.connect(self.staff_requested)
        self.staff_button.setStyleSheet(
            "QPushButton { color: white; background: transparent; border: 2px solid #90a4ae;"
            " border-radius: 10px; padding: 4px 12px; }"
        )
        row = QHBoxLayout(self)
        row.addLayout(left, 1)
        row.addWidget(self.mode_label)
        row.addWidget(self.staff_button)
        self._mode = DeskMode.AUTO
        self._state: SessionState | None = None
        self.retranslate()

    def show_mode(self, mode: DeskMode) -> None:
        """The mode chip: In (green), Out (blue), Auto (slate)."""
        self._mode = mode
        self.mode_label.setText(mode_text(mode))
        self.mode_label.setStyleSheet(
            f"background: {MODE_COLOURS[mode]}; color: white; border-radius: 10px; padding: 4px;"
        )

    def show_session(self, state: SessionState) -> None:
        """The session on now and the next one (or that none is on)."""
        self._state = state
        if state.current is not None:
            self.now_label.setText(
                translate("Desk", "Now: %1").replace("%1", _session_line(state.current))
            )
        else:
            self.now_label.setText(translate("Desk", "No session is on now"))
        if state.next is not None:
            self.next_label.setText(
                translate("Desk", "Next: %1").replace("%1", _session_line(state.next))
            )
        else:
            self.next_label.setText(translate("Desk", "No more sessions today"))

    def retranslate(self) -> None:
        """Set every text again in the language now installed."""
        self.staff_button.setText(translate("Desk", "Staff"))
        self.setToolTip(translate("Desk", "Desk %1").replace("%1", self._desk_name))
        self.show_mode(self._mode)
        if self._state is not None:
            self.show_session(self._state)
        else:
            self.now_label.setText(translate("Desk", "No session is on now"))
            self.next_label.setText("")
