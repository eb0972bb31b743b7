"""What the runtime needs from the desk and from each device, and the board of their statuses."""

from __future__ import annotations

import logging
import threading
from typing import Protocol, runtime_checkable

from kiosk.services.desk import DeskPort

__all__ = ["DeskPort", "Device", "Reconnectable", "StatusBoard"]

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
    """The latest status line of every device, forwarded to the desk as it changes."""

    def __init__(self, desk: DeskPort) -> None:
        self._desk = desk
        self._lock = threading.Lock()
        self._lines: dict[str, tuple[bool, str]] = {}

    def report(self, name: str, *, ok: bool, detail: str, starting: bool = False) -> None:
        """Record and publish one device's state (any thread); `starting` is off but no error."""
        with self._lock:
            if self._lines.get(name) == (ok, detail):
                return
            self._lines[name] = (ok, detail)
        if starting:
            self._desk.report_device(name, ok=ok, detail=detail, starting=True)
        else:
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
