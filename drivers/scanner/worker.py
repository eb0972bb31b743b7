"""What every threaded scanner transport shares: its status and its one worker thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from drivers.scanner.base import ScannerStatus
from drivers.workers import WorkerStillRunning

log = logging.getLogger(__name__)


class ScannerWorker:
    """Base of the serial, evdev and HID-POS readers; subclasses implement `_run` (the thread)."""

    thread_name = "scanner"

    def __init__(self, name: str, *, on_status: Callable[[ScannerStatus], None] | None) -> None:
        self.name = name
        self._on_status = on_status
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status = ScannerStatus(name, False, "not started")

    @property
    def status(self) -> ScannerStatus:
        """The latest state."""
        return self._status

    def start(self) -> None:
        """Start the worker thread (it retries until the device appears); idempotent.

        WorkerStillRunning while the last worker, stopped but not joined, has not ended.
        """
        if self._thread is not None and self._thread.is_alive():
            if self._stop.is_set():  # never a second worker beside it on the same device
                raise WorkerStillRunning(self.name)
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop reading and release the device."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():  # kept: start() refuses until it has ended
                log.error("%s: worker did not stop within %.1f s", self.name, timeout)
            else:
                self._thread = None

    def _set_status(self, ok: bool, detail: str, *, state: str) -> None:
        """Publish a change of state (only changes: the status bar is not a log)."""
        if (ok, detail) != (self._status.ok, self._status.detail):
            (log.info if ok else log.warning)("%s: %s", self.name, detail)
            self._status = ScannerStatus(self.name, ok, detail, state)
            if self._on_status is not None:
                self._on_status(self._status)

    def _run(self) -> None:
        raise NotImplementedError
