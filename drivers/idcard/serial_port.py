"""The serial transport of SAM readers (pyserial, imported lazily) and the local calendar day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from kiosk.core.timeutil import local_day, utc_now


class Port(Protocol):
    """The part of serial.Serial the reader uses (any OSError from it means the port went away)."""

    @property
    def in_waiting(self) -> int:
        """Bytes ready to read."""

    def read(self, size: int = 1) -> bytes:
        """Up to `size` bytes, waiting at most the port's timeout."""

    def write(self, data: bytes, /) -> int | None:
        """Send bytes."""

    def reset_input_buffer(self) -> None:
        """Discard unread input."""

    def close(self) -> None:
        """Close the port."""


Opener = Callable[[str, int], Port]


def open_serial(path: str, baudrate: int) -> Port:
    """Open a serial port 8N1 with pyserial (imported here: a missing pyserial disables SAM)."""
    import serial

    port: Port = serial.Serial(
        port=path, baudrate=baudrate, timeout=0.02, write_timeout=1.0, exclusive=True
    )
    return port


def shanghai_today() -> date:
    """Today in Asia/Shanghai (card validity is a local calendar day)."""
    return local_day(utc_now())
