"""The only door between the desk service's threads and widgets: its events become Qt signals.

The bridge is a listener of the Qt-free desk service (kiosk/services/desk.py). The service calls
it on whatever thread published an event; the bridge only emits one signal there, which Qt queues
to the GUI thread, where the event is sorted into the typed signals widgets connect to.

Lifetime: the bridge is created on the GUI thread with a parent (the window), and `close()`
(also on the GUI thread) unsubscribes it, waiting for a call in flight, before Qt deletes it. So
no thread ever emits on a deleted object, and no Python reference cycle decides when it dies.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from kiosk.services.checkin import Outcome
from kiosk.services.desk import DeskService, Subscription
from kiosk.services.screen import (
    DeviceStatus,
    EnrollmentOffer,
    EnrollmentUpdate,
    FacePrompt,
    ModeChanged,
    Notice,
    PinAnswer,
    PreviewFrame,
    ScreenEvent,
    StaffState,
    SyncState,
)
from kiosk.services.session_state import SessionState
from kiosk.ui.lifetime import watch

log = logging.getLogger(__name__)


class _Relay:
    """The listener the service holds: a weak reference, so the service never keeps Qt alive."""

    def __init__(self, bridge: DeskBridge) -> None:
        self._bridge = weakref.ref(bridge)

    def __call__(self, event: ScreenEvent) -> None:
        bridge = self._bridge()
        if bridge is not None:
            bridge._arrived.emit(event)


class DeskBridge(QObject):
    """Re-emits the desk service's screen events as signals on the GUI thread."""

    outcome = Signal(object)  # Outcome
    device = Signal(object)  # DeviceStatus
    notice = Signal(object)  # Notice
    sync = Signal(object)  # SyncState
    mode = Signal(object)  # ModeChanged
    pin = Signal(object)  # PinAnswer
    staff = Signal(object)  # StaffState
    session = Signal(object)  # SessionState
    face = Signal(object)  # FacePrompt | EnrollmentOffer | EnrollmentUpdate
    preview = Signal(object)  # PreviewFrame
    _arrived = Signal(object)  # any ScreenEvent, emitted on the publishing thread
    _call = Signal(object)  # a callable to run on the GUI thread (post_gui)

    def __init__(self, desk: DeskService, *, parent: QObject) -> None:
        super().__init__(parent)
        assert threading.current_thread() is threading.main_thread(), "bridge off the GUI thread"
        self.desk = desk
        # Queued even when the publisher is the GUI thread: an answer is never painted from
        # inside the call that caused it.
        self._arrived.connect(self._sort, Qt.ConnectionType.QueuedConnection)
        self._call.connect(self._invoke, Qt.ConnectionType.QueuedConnection)
        subscription = desk.subscribe(_Relay(self))
        self._subscription: Subscription | None = subscription
        # Deleted with its parent before close(): still no publisher may reach a dead object.
        self.destroyed.connect(lambda *_: subscription.close(), Qt.ConnectionType.DirectConnection)
        watch(self, "DeskBridge")

    def close(self) -> None:
        """Stop receiving events (GUI thread); returns once no publisher is inside the relay."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    def post_gui(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the GUI thread's event loop; callable from any thread (watchdog probe)."""
        self._call.emit(fn)

    def _invoke(self, fn: Callable[[], None]) -> None:
        fn()

    def _sort(self, event: ScreenEvent) -> None:
        if isinstance(event, Outcome):
            self.outcome.emit(event)
        elif isinstance(event, DeviceStatus):
            self.device.emit(event)
        elif isinstance(event, Notice):
            self.notice.emit(event)
        elif isinstance(event, SyncState):
            self.sync.emit(event)
        elif isinstance(event, ModeChanged):
            self.mode.emit(event)
        elif isinstance(event, PinAnswer):
            self.pin.emit(event)
        elif isinstance(event, StaffState):
            self.staff.emit(event)
        elif isinstance(event, SessionState):
            self.session.emit(event)
        elif isinstance(event, FacePrompt | EnrollmentOffer | EnrollmentUpdate):
            self.face.emit(event)
        elif isinstance(event, PreviewFrame):
            self.preview.emit(event)
        else:
            log.warning("screen event %s has no signal", type(event).__name__)
