"""What the runtime needs from the desk and from each device, and the board of their statuses."""

from __future__ import annotations

import logging
import threading
from typing import Protocol, runtime_checkable

from kiosk.services.desk import DeskPort
from kiosk.services.device_texts import device_reason_text
from kiosk.services.screen import DeviceReason

__all__ = ["DeskPort", "Device", "DeviceReason", "Reconnectable", "StatusBoard"]

log = logging.getLogger(__name__)


class Device(Protocol):
    """One running input: started once, stopped quickly (idempotently)."""

    name: str

    def start(self) -> None:
        """Start its worker thread(s); a missing device is retried by the driver."""
        ...

    def stop(self) -> None:
        """Stop and release the device."""
        ...


@runtime_checkable
class Reconnectable(Protocol):
    """A device staff can reconnect from the Devices page: stop, then start again."""

    name: str

    def reconnect(self) -> None:
        """Stop and start again (blocks while the worker stops; never on the GUI thread)."""
        ...


class StatusBoard:
    """The latest state of every device, forwarded to the desk as it changes."""

    def __init__(self, desk: DeskPort) -> None:
        self._desk = desk
        self._lock = threading.Lock()
        self._states: dict[str, tuple[bool, DeviceReason, str]] = {}

    def report(
        self, name: str, *, ok: bool, reason: DeviceReason, detail: str = "", starting: bool = False
    ) -> None:
        """Record and publish one device's state (any thread); `starting` is off but no error.

        `reason` is what staff read (a code and its parameters); `detail` the driver's technical
        words, for the log and the console only.
        """
        with self._lock:
            if self._states.get(name) == (ok, reason, detail):
                return
            self._states[name] = (ok, reason, detail)
        if starting:
            self._desk.report_device(name, ok=ok, reason=reason, detail=detail, starting=True)
        else:
            self._desk.report_device(name, ok=ok, reason=reason, detail=detail)

    def reasons(self) -> dict[str, DeviceReason]:
        """Name → the reason of its latest state, for every device reported so far."""
        with self._lock:
            return {name: reason for name, (_, reason, _) in self._states.items()}

    def lines(self) -> dict[str, tuple[bool, str]]:
        """Name → (ok, plain line: the driver's words, else the reason's) for every device."""
        with self._lock:
            states = dict(self._states)
        return {
            name: (ok, detail or device_reason_text(reason))
            for name, (ok, reason, detail) in states.items()
        }

    def summary(self) -> str:
        """One line per device, for the log and the console."""
        return "\n".join(
            f"{'ok ' if ok else 'off'} {name}: {detail}"
            for name, (ok, detail) in self.lines().items()
        )
