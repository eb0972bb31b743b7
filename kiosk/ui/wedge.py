"""Keyboard-wedge scanners in the GUI: an application-wide filter that keeps scans out of fields.

Installed on the QApplication, the filter sees every key press before any widget does, whatever
has focus. Printable keys are held back while they may be a scanner's burst
(drivers.scanner.burst decides); a burst ends as `scanned(text)` with nothing typed anywhere, and
anything else is replayed, in order, to the widget it was meant for. People's typing reaches the
field one inter-key limit (35 ms by default) late, which nobody notices.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent

from drivers.scanner.burst import BurstConfig, BurstDecoder, Replay, Scan, Step
from kiosk.config import ScannerSection
from kiosk.services.desk import DeskPort
from kiosk.services.scans import burst_config
from kiosk.services.screen import DeviceReason

log = logging.getLogger(__name__)

_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Shift,
        Qt.Key.Key_Control,
        Qt.Key.Key_Alt,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_Meta,
        Qt.Key.Key_CapsLock,
        Qt.Key.Key_NumLock,
    }
)
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


@dataclass(frozen=True, slots=True)
class HeldKey:
    """A key press held back, with what is needed to deliver it later."""

    receiver: QObject
    key: int
    modifiers: Qt.KeyboardModifier
    text: str


class WedgeFilter(QObject):
    """Application event filter: emits `scanned(str)` for scanner bursts, passes typing on."""

    scanned = Signal(str)

    def __init__(
        self,
        config: BurstConfig | None = None,
        *,
        parent: QObject | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(parent)
        self._decoder: BurstDecoder[HeldKey] = BurstDecoder(config)
        self._clock = clock
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)

    @classmethod
    def from_config(cls, section: ScannerSection, *, parent: QObject | None = None) -> WedgeFilter:
        """A filter configured by the [scanner] section."""
        return cls(burst_config(section), parent=parent)

    def install(self, app: QCoreApplication) -> None:
        """Start watching every key press of the application."""
        app.installEventFilter(self)

    def uninstall(self, app: QCoreApplication) -> None:
        """Stop watching; held keys are delivered first."""
        app.removeEventFilter(self)
        self._apply(self._decoder.other(self._now() + 1e9))

    @property
    def pending(self) -> int:
        """Keys held back right now."""
        return self._decoder.pending

    def _now(self) -> float:
        return self._clock() * 1000.0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Hold, consume or pass one event (only key presses are looked at)."""
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        key = Qt.Key(event.key())
        if key in _MODIFIER_KEYS:
            return False
        step = self._step(watched, event, key)
        self._apply(step)
        self._arm()
        return step.swallow

    def _step(self, watched: QObject, event: QKeyEvent, key: Qt.Key) -> Step[HeldKey]:
        now = self._now()
        text = event.text()
        held = HeldKey(watched, int(key), event.modifiers(), text)
        if event.isAutoRepeat():
            return self._decoder.other(now)  # a key held down is a person
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return self._decoder.terminator("enter", held, now)
        if key == Qt.Key.Key_Tab:
            return self._decoder.terminator("tab", held, now)
        if len(text) == 1 and text.isprintable() and not (event.modifiers() & _COMMAND_MODIFIERS):
            return self._decoder.char(text, held, now)
        return self._decoder.other(now)

    def _arm(self) -> None:
        deadline = self._decoder.deadline()
        if deadline is None:
            self._timer.stop()
            return
        self._timer.start(max(0, int(deadline - self._now()) + 1))

    def _on_timer(self) -> None:
        self._apply(self._decoder.tick(self._now()))
        self._arm()

    def _apply(self, step: Step[HeldKey]) -> None:
        for action in step.actions:
            if isinstance(action, Scan):
                log.info("wedge scanner: %d characters", len(action.text))
                self.scanned.emit(action.text)
            elif isinstance(action, Replay):
                for held in action.tokens:
                    self._deliver(held)

    def _deliver(self, held: HeldKey) -> None:
        receiver = held.receiver
        if not shiboken6.isValid(receiver):
            # The widget went away meanwhile: the keys go where the focus is now.
            app = QCoreApplication.instance()
            focus = app.focusWidget() if app is not None and hasattr(app, "focusWidget") else None
            if focus is None:
                return
            receiver = focus
        event = QKeyEvent(QEvent.Type.KeyPress, held.key, held.modifiers, held.text)
        self._replaying = True
        try:
            QCoreApplication.sendEvent(receiver, event)
        finally:
            self._replaying = False


WEDGE_NAME = "扫码枪 keyboard"


class WedgeDevice:
    """The wedge filter with the runtime's start/stop contract; both run on the GUI thread."""

    def __init__(self, section: ScannerSection, *, app: QCoreApplication, desk: DeskPort) -> None:
        self.name = WEDGE_NAME
        self._app = app
        self._desk = desk
        self.filter = WedgeFilter.from_config(section, parent=app)
        self.filter.scanned.connect(self._scanned)
        self._installed = False

    def _scanned(self, text: str) -> None:
        self._desk.submit_payload(text, source="wedge")

    def start(self) -> None:
        """Watch the application's key presses."""
        if not self._installed:
            self.filter.install(self._app)
            self._installed = True
            self._desk.report_device(self.name, ok=True, reason=DeviceReason("wedge_ready"))

    def stop(self) -> None:
        """Stop watching (held keys are delivered to their widget first); the filter goes too."""
        if self._installed:
            self.filter.uninstall(self._app)
            self._installed = False
