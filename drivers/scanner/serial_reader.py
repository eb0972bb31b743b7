"""Serial / USB-CDC scanners: one payload per CR-terminated line, on a worker thread.

Serial (or HID-POS) mode is the one that carries Chinese text intact: no keyboard layout or input
method is involved. The bytes are read as text like a camera's codes (`charset="auto"`), or in the
character set the scanner is set to send (`[scanner] charset`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from drivers.scanner.base import ScanEvent, Scanner, ScannerStatus
from drivers.scanner.lines import LineSplitter
from drivers.scanner.worker import ScannerWorker
from kiosk.core.charset import Charset, decode_payload

log = logging.getLogger(__name__)


class SerialScanner(ScannerWorker):
    """Reads lines from a serial port; after an unplug it reopens the same path until it is back."""

    thread_name = "scanner-serial"

    def __init__(
        self,
        port: str,
        *,
        on_scan: Callable[[ScanEvent], None],
        on_status: Callable[[ScannerStatus], None] | None = None,
        baudrate: int = 9600,
        reconnect_s: float = 1.0,
        max_line: int = 1024,
        charset: Charset = "auto",
    ):
        self.port = port
        super().__init__(f"serial:{port}", on_status=on_status)
        self._on_scan = on_scan
        self._baudrate = baudrate
        self._reconnect_s = reconnect_s
        self._max_line = max_line
        self._charset: Charset = charset

    def _run(self) -> None:
        try:
            import serial  # lazily: optional on a desk without a serial scanner
        except ImportError:
            self._set_status(
                False, "pyserial not installed: serial scanner disabled", state="unavailable"
            )
            return
        while not self._stop.is_set():
            try:
                port = serial.Serial(self.port, self._baudrate, timeout=0.1)
            except (serial.SerialException, OSError, ValueError) as exc:
                self._set_status(False, f"not connected: {exc}", state="absent")
                self._stop.wait(self._reconnect_s)
                continue
            self._set_status(True, f"connected at {self._baudrate} baud", state="ready")
            try:
                self._read(port)
            except (serial.SerialException, OSError) as exc:
                self._set_status(False, f"disconnected ({exc}); reconnecting", state="lost")
            finally:
                port.close()

    def _read(self, port: Any) -> None:
        lines = LineSplitter(self._max_line)
        while not self._stop.is_set():
            chunk = port.read(max(1, port.in_waiting or 1))
            for line in lines.feed(chunk):
                payload = decode_payload(line, charset=self._charset)
                event = ScanEvent(payload, self.name, time.monotonic())
                try:
                    self._on_scan(event)
                except Exception:
                    log.exception("scan consumer failed")


if TYPE_CHECKING:  # mypy proves the class satisfies the Scanner protocol
    _conforms: Scanner = SerialScanner("", on_scan=lambda event: None)
