"""The desk window: the attendee's screen by default, staff mode behind the staff button.

The attendee's screen: the project, the session on now and the next, the desk mode; the live
camera with the face box; the answer card; today's counts, devices and sync. It fills the screen
in landscape and in portrait (the camera goes above the card when the screen is taller than wide).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.core.model import DeskMode
from kiosk.services.checkin import Outcome
from kiosk.services.desk import DeskService
from kiosk.services.screen import (
    DeviceStatus,
    EnrollmentOffer,
    EnrollmentUpdate,
    FacePrompt,
    ModeChanged,
    Notice,
    PinAnswer,
    StaffState,
    SyncState,
)
from kiosk.services.session_state import SessionState
from kiosk.services.sound import SoundControls
from kiosk.services.staff_methods import Fallbacks
from kiosk.services.staff_search import SearchResult, SessionList
from kiosk.services.staff_sync import DeadLetters
from kiosk.ui import theme
from kiosk.ui.answer_card import AnswerCard
from kiosk.ui.bridge import DeskBridge
from kiosk.ui.camera_view import CameraView
from kiosk.ui.consent import ConsentScreen
from kiosk.ui.header import Header
from kiosk.ui.i18n import Translations
from kiosk.ui.kiosk_lock import KioskLock
from kiosk.ui.lifetime import watch
from kiosk.ui.pin_dialog import PinDialog
from kiosk.ui.staff_panel import StaffPanel
from kiosk.ui.status_strip import StatusStrip
from kiosk.ui.texts import translate

SESSION_REFRESH_MS = 30_000  # the header's "now" moves on even when nobody checks in


class DeskWindow(QMainWindow):
    """The attendee's screen and staff mode, over one desk service."""

    def __init__(
        self,
        desk: DeskService,
        *,
        hold_ms: int = 3000,
        consent_ms: int = 45_000,
        camera: bool = True,
        translations: Translations | None = None,
        lock: KioskLock | None = None,
        sounds: SoundControls | None = None,
    ):
        super().__init__()
        watch(self, "DeskWindow")
        self.desk = desk
        self.bridge = DeskBridge(desk, parent=self)
        checkin = desk.checkin
        self._mode = checkin.mode  # as last announced by the desk thread (ModeChanged)
        self.pin_dialog: PinDialog | None = None
        self.header = Header(project_name=checkin.project.name, desk_name=checkin.desk_name)
        self.card = AnswerCard(hold_ms=hold_ms)
        self.card.session_titles = {s.id: s.title for s in checkin.project.sessions}
        self.consent = ConsentScreen(answer_ms=consent_ms, result_ms=hold_ms)
        self.consent.closed.connect(self._consent_closed)
        self.answers = QStackedWidget()
        self.answers.addWidget(self.card)
        self.answers.addWidget(self.consent)
        self.camera_view = CameraView()
        self.camera_view.setVisible(camera)
        self.strip = StatusStrip()
        self.middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.middle.addWidget(self.camera_view, 2)
        self.middle.addWidget(self.answers, 3)
        attendee = QWidget()
        column = QVBoxLayout(attendee)
        column.addWidget(self.header)
        column.addLayout(self.middle, 1)
        column.addWidget(self.strip)
        # Staff mode is built the first time it opens (see `staff`), not while the desk starts:
        # until then the states it shows are kept here and handed over when it is built.
        self._staff: StaffPanel | None = None
        self._sounds = sounds
        self._devices: dict[str, DeviceStatus] = {}
        self._sync: SyncState | None = None
        self._portrait = False
        self.translations = translations
        self.lock = lock
        self.pages = QStackedWidget()
        self.pages.addWidget(attendee)
        self.setCentralWidget(self.pages)
        self.setStyleSheet(f"QMainWindow {{ background: {theme.PAGE}; }}")
        self.header.staff_requested.connect(self.enter_staff)
        self._connect(self.bridge)
        self._session_timer = QTimer(self)
        self._session_timer.setInterval(SESSION_REFRESH_MS)
        self._session_timer.timeout.connect(desk.refresh_session)
        self._session_timer.start()
        self.retranslate()

    def _connect(self, bridge: DeskBridge) -> None:
        bridge.outcome.connect(self.show_outcome)
        bridge.device.connect(self.show_device)
        bridge.notice.connect(self.show_notice)
        bridge.sync.connect(self.show_sync)
        bridge.session.connect(self.show_session)
        bridge.mode.connect(self._mode_changed)
        bridge.pin.connect(self._pin_answer)
        bridge.staff.connect(self._staff_changed)
        bridge.face.connect(self.show_face)
        bridge.preview.connect(self.camera_view.show_preview)
        bridge.outcome.connect(self._staff_outcome)
        # Answers to staff mode's own requests: staff mode exists by the time they come.
        bridge.search.connect(self._search_result)
        bridge.fallbacks.connect(self._fallbacks)
        bridge.session_list.connect(self._session_list)
        bridge.dead_letters.connect(self._dead_letters)

    def _search_result(self, result: SearchResult) -> None:
        self.staff.search.show_result(result)

    def _fallbacks(self, offer: Fallbacks) -> None:
        self.staff.search.show_fallbacks(offer)

    def _session_list(self, rows: SessionList) -> None:
        self.staff.sessions.show_list(rows)

    def _dead_letters(self, letters: DeadLetters) -> None:
        self.staff.sync.show_dead_letters(letters)

    @property
    def staff(self) -> StaffPanel:
        """Staff mode's panel, built (with the states seen so far) the first time it is needed."""
        if self._staff is None:
            self._staff = self._build_staff()
        return self._staff

    def _build_staff(self) -> StaffPanel:
        staff = StaffPanel(self.desk, sounds=self._sounds)
        staff.closed.connect(self.leave_staff)
        staff.mode_chosen.connect(self._set_mode)
        staff.sign_out_requested.connect(self.desk.sign_out)
        staff.language_chosen.connect(self.use_language)
        staff.leave_button.setVisible(self.lock is not None)
        staff.leave_requested.connect(self.leave_kiosk)
        self.pages.addWidget(staff)
        staff.set_portrait(self._portrait)
        staff.show_mode(self._mode)
        for status in self._devices.values():
            staff.show_device(status)
        if self._sync is not None:
            staff.show_sync(self._sync)
        return staff

    # -- window --------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """In kiosk mode only staff close the desk; once it closes, no event reaches it."""
        if self.lock is not None and not self.lock.allows_close():
            event.ignore()
            return
        self._session_timer.stop()
        self.bridge.close()
        super().closeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Portrait screens stack the camera above the answer card."""
        self._orient(event.size().width(), event.size().height())
        super().resizeEvent(event)

    def _orient(self, width: int, height: int) -> None:
        portrait = height > width
        self.middle.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )
        self.strip.set_portrait(portrait)
        self._portrait = portrait
        if self._staff is not None:
            self._staff.set_portrait(portrait)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """A new translator was installed: every text again."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        """Set the window's own texts in the language now installed."""
        checkin = self.desk.checkin
        self.setWindowTitle(
            translate("Desk", "CME check-in · %1 · desk %2")
            .replace("%1", checkin.project.name)
            .replace("%2", checkin.desk_name)
        )
        self.header.retranslate()
        self.strip.retranslate()
        if self._staff is not None:
            self._staff.retranslate()
        if self.card.status is None and self._deadline_free():
            self.card.show_idle()

    def leave_kiosk(self) -> None:
        """Staff chose "leave kiosk mode": the desk closes (its unit does not restart it)."""
        if self.lock is not None:
            self.lock.leaving = True
            self.lock.release()
        self.close()

    def use_language(self, lang: str) -> None:
        """Switch the desk's language (staff mode's settings); every screen retranslates."""
        if self.translations is not None:
            self.translations.use(lang)

    def _deadline_free(self) -> bool:
        return not self.card._countdown.isActive()

    # -- answers -------------------------------------------------------------------------------

    def show_outcome(self, outcome: Outcome) -> None:
        """Paint one answer (the consent screen shows its own check-in already)."""
        offer = self.consent.offer
        if offer is not None and offer.outcome is outcome:
            return
        self._leave_consent()
        self.card.show_outcome(outcome)

    def _staff_outcome(self, outcome: Outcome) -> None:
        """A staff action's answer on its page (an attendee's tap before staff mode: nothing)."""
        if self._staff is not None:
            self._staff.show_outcome(outcome)

    def show_notice(self, notice: Notice) -> None:
        """A refusal that did not come from the check-in service (e.g. an unreadable card)."""
        self._leave_consent()
        self.card.show_notice(notice)

    def show_device(self, status: DeviceStatus) -> None:
        """One device's state: the strip, the camera view (face) and staff mode."""
        self.strip.show_device(status)
        self.camera_view.show_status(status)
        self._devices[status.name] = status
        if self._staff is not None:
            self._staff.show_device(status)

    def show_sync(self, state: SyncState) -> None:
        """The sync line (online/offline, pending records)."""
        self.strip.show_sync(state)
        self._sync = state
        if self._staff is not None:
            self._staff.show_sync(state)

    def show_session(self, state: SessionState) -> None:
        """Now/next in the header, the counts in the strip."""
        self.header.show_session(state)
        self.strip.show_counts(state)

    # -- face ------------------------------------------------------------------------------------

    def show_face(self, item: object) -> None:
        """A face station event: a liveness prompt, a hint, an enrollment offer or its end."""
        if isinstance(item, EnrollmentOffer):
            self.consent.open(item)
            self.answers.setCurrentWidget(self.consent)
        elif isinstance(item, EnrollmentUpdate):
            self.consent.update_from(item)
        elif isinstance(item, FacePrompt) and item.kind in ("liveness", "verify"):
            if item.kind == "verify":  # a card tap waits for its holder's face
                self._leave_consent()
            if self.answers.currentWidget() is not self.consent:
                self.card.show_prompt(item)
                self.camera_view.show_prompt(item, held=True)
        elif isinstance(item, FacePrompt) and self.answers.currentWidget() is not self.consent:
            self.camera_view.show_prompt(item)

    def _leave_consent(self) -> None:
        if self.answers.currentWidget() is self.consent:
            self.consent.dismiss()
            self.answers.setCurrentWidget(self.card)

    def _consent_closed(self) -> None:
        self.answers.setCurrentWidget(self.card)
        self.card.show_idle()

    # -- staff mode and the desk mode -------------------------------------------------------------

    def enter_staff(self) -> None:
        """Staff mode: the desk thread asks for the staff PIN once the platform set one."""
        self.desk.sign_in()

    def leave_staff(self) -> None:
        """Back to the attendee's screen (staff stay signed in until idle or sign-out)."""
        self.pages.setCurrentIndex(0)

    def _set_mode(self, mode: DeskMode) -> None:
        self.desk.change_mode(mode)

    def _staff_changed(self, state: StaffState) -> None:
        if state.signed_in:
            if self.pin_dialog is not None:
                self.pin_dialog.accept()
            self.pages.setCurrentWidget(self.staff)
        else:
            self.pages.setCurrentIndex(0)
        if state.signed_in or self._staff is not None:
            self.staff.show_staff(state)

    def _pin_answer(self, answer: PinAnswer) -> None:
        if answer.asked:
            if self.pin_dialog is None:
                dialog = PinDialog(on_submit=self.desk.sign_in, parent=self)
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
        self.header.show_mode(changed.mode)
        if self._staff is not None:
            self._staff.show_mode(changed.mode)

    def fill_screen(self) -> None:
        """Show over the whole available screen, with or without a window manager."""
        screen = self.screen()
        if screen is not None:
            area = screen.availableGeometry()
            self._orient(area.width(), area.height())  # before the layout sets a minimum size
            self.setGeometry(area)
        self.show()

    def show_full_screen(self) -> None:
        """Full screen (kiosk mode), with or without a window manager."""
        # Without a window manager (a bare X server, some kiosk setups) Qt's full-screen request
        # is a hint nobody acts on: the window then fills the screen only by its own geometry.
        screen = self.screen()
        if screen is not None:
            area = screen.geometry()
            self._orient(area.width(), area.height())
            self.setGeometry(area)
        self.showFullScreen()

    @property
    def mode(self) -> DeskMode:
        """The desk mode in force, as the desk thread last announced it."""
        return self._mode
