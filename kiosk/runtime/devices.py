"""What the runtime needs from the desk and from each device, and the board of their statuses."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from typing import Protocol

from kiosk.core.charset import Payload
from kiosk.core.model import Method
from kiosk.services.checkin import CheckInService, Credential, Outcome

log = logging.getLogger(__name__)


class DeskPort(Protocol):
    """The desk side of the routing (kiosk.ui.bridge.DeskBridge): every call is thread-safe."""

    service: CheckInService

    def submit(self, credential: Credential) -> Future[Outcome]:
        """Queue one presentation."""
        ...

    def submit_payload(self, payload: str | bytes | Payload, *, source: str) -> Future[Outcome]:
        """Queue one scanned code."""
        ...

    def submit_refusal(
        self, *, method: Method, reason: str, message_zh: str, message_en: str, detail: str
    ) -> Future[Outcome]:
        """Queue a presentation a driver could not use."""
        ...

    def report_device(self, name: str, *, ok: bool, detail: str) -> None:
        """Publish a device's state."""
        ...


class Device(Protocol):
    """One running input: started once, stopped quickly (idempotently)."""

    name: str

    def start(self) -> None:
        """Start its worker thread(s); a missing device is retried by the driver."""
        ...

    def stop(self) -> None:
        """Stop and release the device."""
        ...


class StatusBoard:
    """The latest status line of every device, forwarded to the desk as it changes."""

    def __init__(self, desk: DeskPort) -> None:
        self._desk = desk
        self._lock = threading.Lock()
        self._lines: dict[str, tuple[bool, str]] = {}

    def report(self, name: str, *, ok: bool, detail: str) -> None:
        """Record and publish one device's state (any thread)."""
        with self._lock:
            if self._lines.get(name) == (ok, detail):
                return
            self._lines[name] = (ok, detail)
        self._desk.report_device(name, ok=ok, detail=detail)

    def lines(self) -> dict[str, tuple[bool, str]]:
        """Name → (ok, detail) for every device reported so far."""
        with self._lock:
            return dict(self._lines)

    def summary(self) -> str:
        """One line per device, for the log and the console."""
        return "\n".join(
            f"{'ok ' if ok else 'off'} {name}: {detail}"
            for name, (ok, detail) in self.lines().items()
        )
