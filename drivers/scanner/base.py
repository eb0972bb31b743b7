"""The scanner Protocol and the events every scanner transport emits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from kiosk.core.charset import Payload


@dataclass(frozen=True, slots=True)
class ScanEvent:
    """One complete scan: the bytes as the scanner sent them, and their text."""

    payload: Payload
    source: str  # "serial:/dev/ttyACM0", "evdev:/dev/input/event5", "wedge"
    at: float  # monotonic seconds when the scan completed

    @property
    def raw(self) -> bytes:
        """The payload's bytes as the scanner sent them."""
        return self.payload.raw

    @property
    def text(self) -> str:
        """The payload's text (`[scanner] charset`), or `hex:…` for bytes that are no text."""
        return self.payload.text


# ScannerStatus.state: the stems of the runtime's scanner_* reason codes.
SCANNER_STATES = frozenset({"ready", "absent", "lost", "unavailable"})


@dataclass(frozen=True, slots=True)
class ScannerStatus:
    """A scanner's state for the status bar and `doctor`: whether it works, and why not."""

    name: str
    ok: bool
    detail: str  # the technical why, for the log and `doctor`
    state: str = "absent"  # the reason code's stem: ready | absent | lost | unavailable


class Scanner(Protocol):
    """A scanner transport that runs on its own worker thread and calls back from it."""

    name: str

    def start(self) -> None:
        """Open the device (retrying until it appears) and start reporting scans."""
        ...

    def stop(self) -> None:
        """Stop reporting and release the device."""
        ...

    @property
    def status(self) -> ScannerStatus:
        """The latest state."""
        ...
