"""The only door between worker threads and widgets: driver events become Qt signals here."""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from kiosk.core.errors import KioskError
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """One device's state for the status bar: name, whether it works, why not."""

    name: str
    ok: bool
    detail: str


class DeskBridge(QObject):
    """Runs check-ins on one desk thread and re-emits results on the GUI thread.

    Signals are emitted from worker threads; Qt queues them to receivers living on the GUI thread,
    so no widget is ever touched off that thread. The desk thread is single: presentations are
    decided and committed in arrival order, and the GUI thread never waits for a disk flush.
    """

    outcome = Signal(object)  # Outcome
    device = Signal(object)  # DeviceStatus
    sync = Signal(object)  # a sync status snapshot (sync.outbox.SyncStatus)
    notice = Signal(str, str)  # (zh, en) a message that is not a check-in, e.g. a bad QR code

    def __init__(self, service: CheckInService, parent: QObject | None = None):
        super().__init__(parent)
        self.service = service
        self._desk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk")

    def submit(self, credential: Credential) -> Future[Outcome]:
        """Queue one presentation from any thread; the outcome arrives through `outcome`."""
        return self._desk.submit(self._present, credential)

    def _present(self, credential: Credential) -> Outcome:
        try:
            result = self.service.present(credential)
        except Exception as exc:  # a bug must reach the screen as "call staff", not kill the desk
            log.exception("check-in failed")
            base = exc if isinstance(exc, KioskError) else KioskError(str(exc))
            result = Outcome(Status.ERROR, base.screen_zh, base.screen_en, reason="internal")
        self.outcome.emit(result)
        return result

    def report_device(self, name: str, *, ok: bool, detail: str) -> None:
        """Publish a device's state (thread-safe)."""
        self.device.emit(DeviceStatus(name, ok, detail))

    def report_notice(self, zh: str, en: str) -> None:
        """Show a message that is not a check-in outcome (thread-safe)."""
        self.notice.emit(zh, en)

    def shutdown(self) -> None:
        """Finish the presentation in progress, then stop the desk thread."""
        self._desk.shutdown(wait=True)
