"""The door between the workspace service's worker thread and the screens: queued signals.

Like the desk's bridge (kiosk/ui/bridge.py): created on the GUI thread with the window as parent;
the service calls it on its worker thread, where it only emits one signal that Qt queues to the
GUI thread; `close()` unsubscribes (waiting for a call in flight) before Qt deletes it.
"""

from __future__ import annotations

import threading
import weakref

from PySide6.QtCore import QObject, Qt, Signal

from kiosk.services.organizer import OrganizerService, Subscription
from kiosk.services.organizer_view import ActionResult, Computing, WorkspaceEvent, WorkspaceView
from kiosk.ui.lifetime import watch


class _Relay:
    """What the service holds: a weak reference, so the service never keeps Qt alive."""

    def __init__(self, bridge: OrganizerBridge) -> None:
        self._bridge = weakref.ref(bridge)

    def __call__(self, event: WorkspaceEvent) -> None:
        bridge = self._bridge()
        if bridge is not None:
            bridge._arrived.emit(event)


class OrganizerBridge(QObject):
    """Re-emits the service's views and answers on the GUI thread."""

    view = Signal(object)  # WorkspaceView
    result = Signal(object)  # ActionResult
    computing = Signal(bool)  # the review is being computed (True) or is done (False)
    _arrived = Signal(object)

    def __init__(self, service: OrganizerService, *, parent: QObject) -> None:
        super().__init__(parent)
        assert threading.current_thread() is threading.main_thread(), "bridge off the GUI thread"
        self._arrived.connect(self._sort, Qt.ConnectionType.QueuedConnection)
        subscription = service.subscribe(_Relay(self))
        self._subscription: Subscription | None = subscription
        self.destroyed.connect(lambda *_: subscription.close(), Qt.ConnectionType.DirectConnection)
        watch(self, "OrganizerBridge")

    def close(self) -> None:
        """Stop receiving (GUI thread); returns once no call is inside the relay."""
        if self._subscription is not None:
            self._subscription.close()
            self._subscription = None

    def _sort(self, event: WorkspaceEvent) -> None:
        if isinstance(event, WorkspaceView):
            self.view.emit(event)
        elif isinstance(event, ActionResult):
            self.result.emit(event)
        elif isinstance(event, Computing):
            self.computing.emit(event.active)
