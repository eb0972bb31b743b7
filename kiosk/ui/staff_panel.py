"""Staff mode: the desk's tools behind the staff PIN, one touch-sized section at a time.

Sections: the desk mode, devices, sync, and settings (language). Staff are signed out after two
minutes without a touch; the attendee's screen comes back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.model import DeskMode
from kiosk.services.desk import DeskService
from kiosk.services.screen import DeviceStatus, StaffState, SyncState
from kiosk.ui import theme
from kiosk.ui.texts import mode_text, translate

CONTEXT = "Staff"
IDLE_MS = 120_000  # signed-in staff are signed out after two minutes without a touch
MODES = (DeskMode.IN, DeskMode.OUT, DeskMode.AUTO)


def touch_button(text: str = "", *, px: int = 22) -> QPushButton:
    """A button a gloved finger hits: at least 48 px high."""
    button = QPushButton(text)
    button.setFont(theme.font(px, bold=True))
    button.setMinimumHeight(theme.TOUCH_PX + 8)
    return button


def section_title() -> QLabel:
    label = QLabel()
    label.setFont(theme.font(28, bold=True))
    return label


class StaffPanel(QFrame):
    """Staff mode's sections; `closed` returns to the attendee's screen."""

    closed = Signal()
    mode_chosen = Signal(object)  # DeskMode
    sign_out_requested = Signal()
    language_chosen = Signal(str)  # zh | en
    leave_requested = Signal()  # leave kiosk mode

    def __init__(self, desk: DeskService, *, idle_ms: int = IDLE_MS,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.desk = desk
        self.staff_label = QLabel()
        self.staff_label.setFont(theme.font(theme.STATUS_PX + 2, bold=True))
        self.nav = QButtonGroup(self)
        self.sections = QStackedWidget()
        nav_column = QVBoxLayout()
        self._nav_keys = ("mode", "devices", "sync", "settings")
        self.nav_buttons: dict[str, QPushButton] = {}
        for i, key in enumerate(self._nav_keys):
            button = touch_button()
            button.setCheckable(True)
            self.nav.addButton(button, i)
            nav_column.addWidget(button)
            self.nav_buttons[key] = button
        nav_column.addStretch(1)
        self.sign_out_button = touch_button()
        self.back_button = touch_button()
        nav_column.addWidget(self.back_button)
        nav_column.addWidget(self.sign_out_button)
        self.nav.idClicked.connect(self.sections.setCurrentIndex)
        self.back_button.clicked.connect(self.closed)
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        self.sections.addWidget(self._mode_section())
        self.sections.addWidget(self._devices_section())
        self.sections.addWidget(self._sync_section())
        self.sections.addWidget(self._settings_section())
        body = QHBoxLayout()
        body.addLayout(nav_column, 1)
        body.addWidget(self.sections, 3)
        column = QVBoxLayout(self)
        column.addWidget(self.staff_label)
        column.addLayout(body, 1)
        self.nav_buttons["mode"].setChecked(True)
        self.devices: dict[str, DeviceStatus] = {}
        self._mode = desk.checkin.mode
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(idle_ms)
        self._idle.timeout.connect(self._idle_out)
        self.installEventFilter(self)
        self.setObjectName("staffPanel")
        self.setStyleSheet(
            f"QFrame#staffPanel {{ background: {theme.PAGE}; }}"
            f" QPushButton {{ background: white; border: 1px solid #b0bec5; border-radius: 10px;"
            f" padding: 6px 12px; }}"
            f" QPushButton:checked {{ background: {theme.BLUE}; color: white; border: none; }}"
            f" QLabel {{ color: {theme.INK}; }}"
        )
        self.retranslate()

    # -- sections --------------------------------------------------------------------------------

    def _mode_section(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.mode_title = section_title()
        column.addWidget(self.mode_title)
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: list[QPushButton] = []
        for i, mode in enumerate(MODES):
            button = touch_button(px=28)
            button.setCheckable(True)
            button.setMinimumHeight(theme.TOUCH_PX * 2)
            self.mode_group.addButton(button, i)
            self.mode_buttons.append(button)
            column.addWidget(button)
            button.clicked.connect(lambda _=False, m=mode: self.mode_chosen.emit(m))
        column.addStretch(1)
        return page

    def _devices_section(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.devices_title = section_title()
        self.devices_list = QLabel()
        self.devices_list.setFont(theme.font(theme.STATUS_PX + 2))
        self.devices_list.setWordWrap(True)
        self.devices_list.setAlignment(Qt.AlignmentFlag.AlignTop)
        column.addWidget(self.devices_title)
        column.addWidget(self.devices_list, 1)
        return page

    def _sync_section(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.sync_title = section_title()
        self.sync_line = QLabel()
        self.sync_line.setFont(theme.font(theme.STATUS_PX + 2))
        self.sync_line.setWordWrap(True)
        column.addWidget(self.sync_title)
        column.addWidget(self.sync_line)
        column.addStretch(1)
        return page

    def _settings_section(self) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        self.settings_title = section_title()
        column.addWidget(self.settings_title)
        row = QHBoxLayout()
        self.chinese_button = touch_button("中文")
        self.english_button = touch_button("English")
        self.chinese_button.clicked.connect(lambda: self.language_chosen.emit("zh"))
        self.english_button.clicked.connect(lambda: self.language_chosen.emit("en"))
        row.addWidget(self.chinese_button)
        row.addWidget(self.english_button)
        column.addLayout(row)
        column.addStretch(1)
        self.leave_button = touch_button()
        self.leave_button.setStyleSheet(f"color: {theme.RED};")
        self.leave_button.clicked.connect(self.leave_requested)
        column.addWidget(self.leave_button)
        return page

    # -- state -----------------------------------------------------------------------------------

    def show_mode(self, mode: DeskMode) -> None:
        """Check the button of the mode in force."""
        self._mode = mode
        self.mode_buttons[MODES.index(mode)].setChecked(True)

    def show_device(self, status: DeviceStatus) -> None:
        """Every device's line with the reason it is off."""
        self.devices[status.name] = status
        lines = [f"{'✓' if s.ok else '✗'} {s.name} — {s.detail}" for s in self.devices.values()]
        self.devices_list.setText("\n".join(lines))

    def show_sync(self, state: SyncState) -> None:
        """The sync line."""
        self.sync_line.setText(state.line)

    def show_staff(self, state: StaffState) -> None:
        """Who is signed in; the idle clock starts."""
        if state.signed_in:
            who = state.name or translate("Staff", "staff")
            self.staff_label.setText(translate("Staff", "Signed in: %1").replace("%1", who))
            self._idle.start()
        else:
            self.staff_label.setText("")
            self._idle.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Any touch or key in staff mode restarts the idle clock."""
        touched = (QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress, QEvent.Type.TouchBegin)
        if event.type() in touched and self._idle.isActive():
            self._idle.start()
        return False

    def _idle_out(self) -> None:
        self.desk.sign_out(reason="idle")

    def retranslate(self) -> None:
        """Texts in the language now installed."""
        names = {
            "mode": translate("Staff", "Desk mode"),
            "devices": translate("Staff", "Devices"),
            "sync": translate("Staff", "Sync"),
            "settings": translate("Staff", "Settings"),
        }
        for key, button in self.nav_buttons.items():
            button.setText(names[key])
        self.mode_title.setText(names["mode"])
        self.devices_title.setText(names["devices"])
        self.sync_title.setText(names["sync"])
        self.settings_title.setText(names["settings"])
        for mode, button in zip(MODES, self.mode_buttons, strict=True):
            button.setText(mode_text(mode))
        self.back_button.setText(translate("Staff", "Back to the check-in screen"))
        self.sign_out_button.setText(translate("Staff", "Sign out"))
        self.leave_button.setText(translate("Staff", "Leave kiosk mode (close the desk)"))
