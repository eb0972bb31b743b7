"""The desk screen: one big coloured answer a nurse reads at a glance, status along the bottom."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.model import DeskMode, Direction
from kiosk.core.timeutil import SHANGHAI
from kiosk.services.checkin import Outcome, Status
from kiosk.services.desk import DeskService
from kiosk.services.screen import (
    DeviceStatus,
    EnrollmentOffer,
    EnrollmentUpdate,
    FacePrompt,
    ModeChanged,
    Notice,
    PinAnswer,
    SyncState,
)
from kiosk.ui.bridge import DeskBridge
from kiosk.ui.consent import ConsentScreen
from kiosk.ui.face_panel import HINT_COLOUR, FacePanel
from kiosk.ui.lifetime import watch
from kiosk.ui.pin_dialog import PinDialog
from kiosk.ui.widgets import white_label

# Colours chosen for contrast with white text at a glance (WCAG AA on large text).
COLOURS = {
    Status.ACCEPTED: "#2e7d32",
    Status.ALREADY: "#b26a00",
    Status.REFUSED: "#c62828",
    Status.ERROR: "#c62828",
    None: "#37474f",
}
LIVENESS_COLOUR = HINT_COLOUR  # blue: the person must act (blink, turn) before any verdict
IDLE_ZH = "请刷身份证、扫描二维码或看向摄像头"
IDLE_EN = "Tap your ID card, scan your code, or look at the camera"
MODES = [(DeskMode.IN, "签到 In"), (DeskMode.OUT, "签退 Out"), (DeskMode.AUTO, "自动 Auto")]


class DeskWindow(QMainWindow):
    """Project header, mode switch, the answer card, and device/sync/count status."""

    def __init__(
        self,
        desk: DeskService,
        *,
        lang: str = "zh",
        reset_ms: int = 4000,
        consent_ms: int = 45_000,
    ):
        super().__init__()
        watch(self, "DeskWindow")
        self.desk = desk
        self.bridge = DeskBridge(desk, parent=self)
        self.lang = lang
        service = desk.checkin
        self._mode = service.mode  # as last announced by the desk thread (ModeChanged)
        self._wanted: DeskMode | None = None  # a mode change waiting for the staff PIN
        self.pin_dialog: PinDialog | None = None
        self.setWindowTitle(f"CME 签到 · {service.project.name} · {service.desk_name}台")
        self._counts = {Direction.IN: 0, Direction.OUT: 0}
        self._devices: dict[str, DeviceStatus] = {}

        root = QWidget()
        layout = QVBoxLayout(root)
        layout.addLayout(self._header())

        self.card = QFrame()
        self.card.setMinimumHeight(320)
        card_layout = QVBoxLayout(self.card)
        self.name_label = white_label(44, bold=True)
        self.message_label = white_label(26)
        self.detail_label = white_label(16)
        for w in (self.name_label, self.message_label, self.detail_label):
            card_layout.addWidget(w)
        # The consent screen takes the card's place; the face column sits beside both.
        self.consent = ConsentScreen(answer_ms=consent_ms, result_ms=reset_ms)
        self.consent.closed.connect(self._consent_closed)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.card)
        self.stack.addWidget(self.consent)
        self.face_panel = FacePanel()
        middle = QHBoxLayout()
        middle.addWidget(self.stack, 1)
        middle.addWidget(self.face_panel)
        layout.addLayout(middle, 1)

        footer = QHBoxLayout()
        self.devices_label = QLabel()
        self.sync_label = QLabel("同步：未配置 / sync: not configured")
        self.counts_label = QLabel()
        for w in (self.devices_label, self.sync_label, self.counts_label):
            footer.addWidget(w, 1)
        layout.addLayout(footer)
        self.setCentralWidget(root)

        self._reset = QTimer(self)
        self._reset.setSingleShot(True)
        self._reset.setInterval(reset_ms)
        self._reset.timeout.connect(self.show_idle)
        self._countdown = QTimer(self)
        self._countdown.setInterval(200)
        self._countdown.timeout.connect(self._tick)
        self._deadline: float | None = None
        self._connect(self.bridge)
        self.show_idle()
        self._update_counts()

    def _connect(self, bridge: DeskBridge) -> None:
        bridge.outcome.connect(self.show_outcome)
        bridge.device.connect(self.show_device)
        bridge.device.connect(self.face_panel.show_status)
        bridge.notice.connect(self.show_notice)
        bridge.sync.connect(self.show_sync)
        bridge.mode.connect(self._mode_changed)
        bridge.pin.connect(self._pin_answer)
        bridge.face.connect(self.show_face)
        bridge.preview.connect(self.face_panel.show_preview)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """No event reaches the window once it closes: the bridge unsubscribes first."""
        self.bridge.close()
        super().closeEvent(event)

    def _header(self) -> QHBoxLayout:
        service = self.desk.checkin
        header = QHBoxLayout()
        title = QLabel(f"{service.project.name}　{service.project.number}　{service.desk_name}台")
        title.setObjectName("title")
        header.addWidget(title, 1)
        self.mode_buttons = QButtonGroup(self)
        for i, (mode, text) in enumerate(MODES):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setChecked(mode is service.mode)
            button.setMinimumHeight(44)
            self.mode_buttons.addButton(button, i)
            header.addWidget(button)
        self.mode_buttons.idClicked.connect(self._set_mode)
        return header

    def _set_mode(self, index: int) -> None:
        """A mode change is a staff action: the desk thread asks for the staff PIN once set."""
        self._wanted = MODES[index][0]
        self._show_mode()  # until the desk confirms, the buttons show the mode in force
        self.desk.change_mode(self._wanted)

    def _pin_answer(self, answer: PinAnswer) -> None:
        if answer.asked and self._wanted is not None:
            wanted = self._wanted
            dialog = PinDialog(
                on_submit=lambda pin: self.desk.change_mode(wanted, pin=pin), parent=self
            )
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one per request
            dialog.finished.connect(self._pin_closed)
            self.pin_dialog = dialog
            dialog.open()
        elif self.pin_dialog is not None:
            self.pin_dialog.show_answer(answer)

    def _pin_closed(self) -> None:
        self.pin_dialog = None

    def _mode_changed(self, changed: ModeChanged) -> None:
        self._mode = changed.mode
        self._wanted = None
        self._show_mode()

    @property
    def mode(self) -> DeskMode:
        """The desk mode in force, as the desk thread last announced it."""
        return self._mode

    def _show_mode(self) -> None:
        current = self._mode
        for i, (mode, _) in enumerate(MODES):
            button = self.mode_buttons.button(i)
            if button is not None:
                button.setChecked(mode is current)

    def _paint(self, status: Status | None) -> None:
        self.card.setStyleSheet(f"QFrame {{ background: {COLOURS[status]}; border-radius: 16px; }}")

    def show_idle(self) -> None:
        """The waiting screen."""
        self._countdown.stop()
        self._deadline = None
        self._paint(None)
        self.name_label.setText("")
        self.message_label.setText(IDLE_ZH if self.lang == "zh" else IDLE_EN)
        self.detail_label.setText(IDLE_EN if self.lang == "zh" else IDLE_ZH)

    def show_outcome(self, outcome: Outcome) -> None:
        """Paint one answer; it stays for a few seconds, then the idle screen returns."""
        offer = self.consent.offer
        if offer is not None and offer.outcome is outcome:
            return  # the consent screen shows this check-in already
        self._leave_consent()
        self._countdown.stop()
        self._paint(outcome.status)
        person = outcome.attendee
        self.name_label.setText(person.name if person else "")
        self.message_label.setText(outcome.message(self.lang))
        # The recorded instant when there is a record: it is what the organizer will see.
        moment = outcome.event.scanned_at if outcome.event else datetime.now(SHANGHAI)
        when = moment.astimezone(SHANGHAI).strftime("%H:%M:%S")
        masked = person.document.masked() if person else ""
        other = outcome.message("en" if self.lang == "zh" else "zh")
        self.detail_label.setText(f"{masked}　{when}\n{other}")
        if outcome.event is not None:
            self._counts[outcome.event.direction] += 1
            self._update_counts()
        self._reset.start()

    def show_notice(self, notice: Notice) -> None:
        """A refusal that did not come from the check-in service (e.g. an unreadable card)."""
        zh, en = notice.zh, notice.en
        self._leave_consent()
        self._countdown.stop()
        self._paint(Status.REFUSED)
        self.name_label.setText("")
        self.message_label.setText(zh if self.lang == "zh" else en)
        self.detail_label.setText(en if self.lang == "zh" else zh)
        self._reset.start()

    def show_device(self, status: DeviceStatus) -> None:
        """Update one device's entry in the status bar."""
        self._devices[status.name] = status
        parts = [f"{'✓' if s.ok else '✗'} {s.name}" for s in self._devices.values()]
        self.devices_label.setText("　".join(parts))
        tips = [f"{s.name}: {s.detail}" for s in self._devices.values()]
        self.devices_label.setToolTip("\n".join(tips))

    def show_sync(self, state: SyncState) -> None:
        """Update the sync line (online/offline, pending records)."""
        self.sync_label.setText(state.line)
        self.sync_label.setStyleSheet("" if state.ok else "color: #c62828; font-weight: bold;")

    def _update_counts(self) -> None:
        self.counts_label.setText(
            f"本台 签到 {self._counts[Direction.IN]} · 签退 {self._counts[Direction.OUT]}"
        )

    # -- face ------------------------------------------------------------------------------------

    def show_face(self, item: object) -> None:
        """A face station event: a liveness prompt, a hint, an enrollment offer or its end."""
        if isinstance(item, EnrollmentOffer):
            self._reset.stop()
            self._countdown.stop()
            self.consent.open(item)
            self.stack.setCurrentWidget(self.consent)
        elif isinstance(item, EnrollmentUpdate):
            self.consent.update_from(item)
        elif isinstance(item, FacePrompt) and item.kind in ("liveness", "verify"):
            if item.kind == "verify":  # a card tap waits for its holder's face
                self._leave_consent()
            self.show_challenge(item)
        elif isinstance(item, FacePrompt) and self.stack.currentWidget() is not self.consent:
            self.face_panel.show_hint(item)

    def show_challenge(self, prompt: FacePrompt) -> None:
        """A liveness or look-at-the-camera instruction, big and blue, with the seconds left."""
        if self.stack.currentWidget() is self.consent:
            return
        self._reset.stop()
        self.card.setStyleSheet(f"QFrame {{ background: {LIVENESS_COLOUR}; border-radius: 16px; }}")
        self.name_label.setText(prompt.zh)
        self.message_label.setText(prompt.en)
        self._deadline = prompt.deadline
        self._tick()
        self._countdown.start()

    def _tick(self) -> None:
        if self._deadline is None:
            self._countdown.stop()
            return
        left = self._deadline - time.monotonic()
        if left < -2.0:  # the verdict should have come by now: do not leave a stale prompt
            self.show_idle()
            return
        seconds = max(0, int(left + 0.999))
        self.detail_label.setText(f"剩余 {seconds} 秒 · {seconds} s left")

    def _leave_consent(self) -> None:
        if self.stack.currentWidget() is self.consent:
            self.consent.dismiss()
            self.stack.setCurrentWidget(self.card)

    def _consent_closed(self) -> None:
        self.stack.setCurrentWidget(self.card)
        self.show_idle()
