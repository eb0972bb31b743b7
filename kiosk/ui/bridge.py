"""The only door between worker threads and widgets: driver events become Qt signals here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal, Slot

from kiosk.core.errors import KioskError
from kiosk.core.model import Method
from kiosk.services.checkin import CheckInService, Credential, Outcome, Status
from kiosk.services.scans import scan_payload

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
    face = Signal(object)  # a face screen event (kiosk.runtime.face: FacePrompt, EnrollmentOffer…)
    preview = Signal(object)  # a small camera preview (kiosk.runtime.face.PreviewFrame)
    _call = Signal(object)  # a callable to run on the GUI thread (post_gui)

    def __init__(self, service: CheckInService, parent: QObject | None = None):
        super().__init__(parent)
        self.service = service
        self._desk = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk")
        # Queued even when emitted on the GUI thread: the caller never runs `fn` itself.
        self._call.connect(self._invoke, Qt.ConnectionType.QueuedConnection)

    def submit(self, credential: Credential) -> Future[Outcome]:
        """Queue one presentation from any thread; the outcome arrives through `outcome`."""
        return self._desk.submit(self._run, lambda: self.service.present(credential))

    def submit_payload(self, payload: str | bytes, *, source: str) -> Future[Outcome]:
        """Queue one scanned code from any thread: verified, then checked in or refused (red)."""
        return self._desk.submit(
            self._run, lambda: scan_payload(payload, service=self.service, source=source)
        )

    def submit_refusal(
        self,
        *,
        method: Method,
        reason: str,
        message_zh: str,
        message_en: str,
        detail: str,
        credential: Credential | None = None,
    ) -> Future[Outcome]:
        """Queue a presentation a driver, or a later check of `credential`, refused: kept, red."""

        def refuse() -> Outcome:
            try:
                # No credential read: the HMAC covers what was presented, method and reason.
                text = credential.audit_text() if credential else f"{method}:{reason}"
                self.service.deny(method=method, reason=reason, credential_text=text, detail=detail)
            except KioskError as exc:  # storage full: the screen still says what went wrong
                log.error("refused attempt not recorded: %s", exc.detail)
            return Outcome(Status.REFUSED, message_zh, message_en, reason=reason)

        return self._desk.submit(self._run, refuse)

    def ping(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the desk thread after the presentations queued before it (watchdog probe)."""
        self._desk.submit(fn)

    def post_gui(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the GUI thread's event loop; callable from any thread (watchdog probe)."""
        self._call.emit(fn)

    @Slot(object)
    def _invoke(self, fn: Callable[[], None]) -> None:
        fn()

    def _run(self, work: Callable[[], Outcome]) -> Outcome:
        try:
            result = work()
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
