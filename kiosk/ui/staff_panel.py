"""Staff mode: the desk's tools behind the staff PIN, one touch-sized section at a time.

Sections: the desk mode, search (manual check-in/out, undo, dispute), the walk-in form, today's
list, devices, sync (dead letters) and settings (language, volume, leave kiosk mode); each page by
role in kiosk/ui/staff_*.py. Staff are signed out after two minutes without a touch; the
attendee's screen comes back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QBoxLayout,
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.model import DeskMode
from kiosk.services.checkin import Outcome
from kiosk.services.desk import DeskService
from kiosk.services.screen import DeviceStatus, StaffState, SyncState
from kiosk.services.sound import SoundControls
from kiosk.ui import theme
from kiosk.ui.staff_common import section_title, text_label, touch_button
from kiosk.ui.staff_devices import DevicesPage
from kiosk.ui.staff_search import SearchPage
from kiosk.ui.staff_sessions import SessionsPage
from kiosk.ui.staff_sync import SyncPage
from kiosk.ui.staff_walkin import WalkInPage
from kiosk.ui.texts import mode_text, translate

CONTEXT = "Staff"
IDLE_MS = 120_000  # signed-in staff are signed out after two minutes without a touch
MODES = (DeskMode.IN, DeskMode.OUT, DeskMode.AUTO)


__all__ = ["StaffPanel", "section_title", "touch_button"]
NAV = ("mode", "search", "walk_in", "sessions", "devices", "sync", "settings")
# Which page shows the answer to a staff action (Outcome.action).
ANSWERS = {"manual": "search", "phone_code": "search", "void": "search", "dispute": "search",
           "walk_in": "walk_in", "retry": "sync", "dismiss": "sync"}  # fmt: skip


class StaffPanel(QFrame):
    """Staff mode's sections; `closed` returns to the attendee's screen."""

    closed = Signal()
    mode_chosen = Signal(object)  # DeskMode
    sign_out_requested = Signal()
    language_chosen = Signal(str)  # zh | en
    leave_requested = Signal()  # leave kiosk mode

    def __init__(self, desk: DeskService, *, idle_ms: int = IDLE_MS,
                 sounds: SoundControls | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.desk = desk
        self.sounds = sounds
        self.staff_label = QLabel()
        self.staff_label.setFont(theme.font(theme.STATUS_PX + 2, bold=True))
        self.sections = QStackedWidget()
        nav = self._nav_grid()
        self.search = SearchPage(desk)
        self.search.to_camera.connect(self.closed)
        self.walk_in = WalkInPage(desk)
        self.sessions = SessionsPage(desk)
        self.sync = SyncPage(desk)
        self.devices_page = DevicesPage(desk)
        self.sections.addWidget(self._mode_section())
        self.sections.addWidget(self.search)
        self.sections.addWidget(self.walk_in)
        self.sections.addWidget(self.sessions)
        self.sections.addWidget(self.devices_page)
        self.sections.addWidget(self.sync)
        self.sections.addWidget(self._settings_section())
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.addLayout(nav, 1)
        self.body.addWidget(self.sections, 4)
        column = QVBoxLayout(self)
        column.addWidget(self.staff_label)
        column.addLayout(self.body, 1)
        self.nav_buttons["mode"].setChecked(True)
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
            f" QPushButton:disabled {{ color: #90a4ae; }}"
            f" QLabel {{ color: {theme.INK}; }}"
        )
        self.retranslate()

    def _nav_grid(self) -> QGridLayout:
        self.nav = QButtonGroup(self)
        self.nav_buttons: dict[str, QPushButton] = {}
        for i, key in enumerate(NAV):
            button = touch_button(px=20)
            button.setCheckable(True)
            self.nav.addButton(button, i)
            self.nav_buttons[key] = button
        self.sign_out_button = touch_button(px=20)
        self.back_button = touch_button(px=20)
        self.nav.idClicked.connect(self.show_section)
        self.back_button.clicked.connect(self.closed)
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        self.nav_grid = QGridLayout()
        self._place_nav(portrait=False)
        return self.nav_grid

    def _place_nav(self, *, portrait: bool) -> None:
        """Landscape: one column, sign-out at the bottom; portrait: three columns on top."""
        buttons = [*self.nav_buttons.values(), self.back_button, self.sign_out_button]
        gap = len(NAV)  # landscape: an empty stretching row between the sections and sign-out
        for i, button in enumerate(buttons):
            if portrait:
                self.nav_grid.addWidget(button, i // 3, i % 3)
            else:
                self.nav_grid.addWidget(button, i if i < gap else i + 1, 0)
        self.nav_grid.setRowStretch(gap, 0 if portrait else 1)

    def set_portrait(self, portrait: bool) -> None:
        """The sections under the navigation (portrait) or beside it (landscape)."""
        self.body.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self._place_nav(portrait=portrait)
        self.body.setStretch(0, 0 if portrait else 1)
        self.body.setStretch(1, 1 if portrait else 4)

    def show_section(self, index: int) -> None:
        """Open one section (lists are read again from the desk thread as they open)."""
        self.nav.button(index).setChecked(True)
        self.sections.setCurrentIndex(index)
        page = self.sections.currentWidget()
        if page is self.sessions:
            self.sessions.refresh()
        elif page is self.sync:
            self.sync.refresh()
        elif page is self.search:
            self.search.field.setFocus()

    def open_section(self, key: str) -> None:
        """Open a section by its name (mode, search, walk_in, sessions, devices, sync, settings)."""
        self.show_section(NAV.index(key))

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
        self.volume_label = text_label(bold=True)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setPageStep(10)
        self.volume.setMinimumHeight(theme.TOUCH_PX + 8)
        self.volume.setStyleSheet(
            "QSlider::groove:horizontal { height: 12px; background: #b0bec5; border-radius: 6px; }"
            f" QSlider::handle:horizontal {{ background: {theme.BLUE}; width: {theme.TOUCH_PX}px;"
            f" margin: -{theme.TOUCH_PX // 2 - 6}px 0; border-radius: {theme.TOUCH_PX // 2}px; }}"
        )
        self.mute_button = touch_button()
        self.mute_button.setCheckable(True)
        sound_row = QHBoxLayout()
        sound_row.addWidget(self.volume, 1)
        sound_row.addWidget(self.mute_button)
        column.addWidget(self.volume_label)
        column.addLayout(sound_row)
        has_sound = self.sounds is not None
        for w in (self.volume_label, self.volume, self.mute_button):
            w.setVisible(has_sound)
        if self.sounds is not None:
            self.volume.setValue(self.sounds.volume)
            self.mute_button.setChecked(self.sounds.muted)
        # Released, not every step of a drag: each change is logged once.
        self.volume.sliderReleased.connect(self._volume_set)
        self.volume.valueChanged.connect(self._volume_moved)
        self.mute_button.toggled.connect(self._mute_set)
        column.addStretch(1)
        self.leave_button = touch_button()
        self.leave_button.setStyleSheet(f"color: {theme.RED};")
        self.leave_button.clicked.connect(self.leave_requested)
        column.addWidget(self.leave_button)
        return page

    # -- sound (SoundControls: each call returns at once) ------------------------------------------

    def _volume_moved(self, value: int) -> None:
        self._volume_text(value)
        if not self.volume.isSliderDown():  # a tap on the groove, or the keyboard
            self._volume_set()

    def _volume_set(self) -> None:
        if self.sounds is not None and self.sounds.volume != self.volume.value():
            self.sounds.set_volume(self.volume.value())

    def _mute_set(self, muted: bool) -> None:
        if self.sounds is not None and self.sounds.muted != muted:
            self.sounds.set_muted(muted)
        self._volume_text(self.volume.value())

    def _volume_text(self, value: int) -> None:
        text = translate("Staff", "Volume: %1").replace("%1", str(value))
        if self.mute_button.isChecked():
            text += " · " + translate("Staff", "muted")
        self.volume_label.setText(text)

    # -- state -----------------------------------------------------------------------------------

    def show_mode(self, mode: DeskMode) -> None:
        """Check the button of the mode in force."""
        self._mode = mode
        self.mode_buttons[MODES.index(mode)].setChecked(True)

    def show_device(self, status: DeviceStatus) -> None:
        """A device's state, its last error and whether staff can reconnect it."""
        self.devices_page.show_device(status)

    def show_sync(self, state: SyncState) -> None:
        """The sync line."""
        self.sync.show_sync(state)

    def show_outcome(self, outcome: Outcome) -> None:
        """A staff action's answer, on the page that asked for it (taps have no action)."""
        page = ANSWERS.get(outcome.action)
        if page == "search":
            self.search.show_outcome(outcome)
        elif page == "walk_in":
            self.walk_in.show_outcome(outcome)
        elif page == "sync":
            self.sync.show_outcome(outcome)

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
            "search": translate("Staff", "Search"),
            "walk_in": translate("Staff", "Walk-in"),
            "sessions": translate("Staff", "Today's list"),
            "devices": translate("Staff", "Devices"),
            "sync": translate("Staff", "Sync"),
            "settings": translate("Staff", "Settings"),
        }
        for key, button in self.nav_buttons.items():
            button.setText(names[key])
        self.mode_title.setText(names["mode"])
        self.settings_title.setText(names["settings"])
        for mode, button in zip(MODES, self.mode_buttons, strict=True):
            button.setText(mode_text(mode))
        self.back_button.setText(translate("Staff", "Back to check-in"))
        self.sign_out_button.setText(translate("Staff", "Sign out"))
        self.leave_button.setText(translate("Staff", "Leave kiosk mode (close the desk)"))
        self.mute_button.setText(translate("Staff", "Mute"))
        self._volume_text(self.volume.value())
        for page in (self.search, self.walk_in, self.sessions, self.sync, self.devices_page):
            page.retranslate()
