"""A HID-POS scanner read through Linux hidraw on a worker thread; reopened after an unplug.

The device node is read as a byte stream and cut into reports by their sizes from the report
descriptor (sysfs for a hidraw node), so the same code reads a recorded capture replayed through
a pty or pipe. A node that is not a HID-POS scanner (a keyboard-mode scanner's hidraw node) is
reported as such instead of being read.
"""

from __future__ import annotations

import logging
import os
import select
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.scanner.base import ScanEvent, Scanner, ScannerStatus
from drivers.scanner.hidpos import (
    DEFAULT_REPORT_SIZE,
    SCANNED_DATA_REPORT_ID,
    BadReport,
    DescriptorInfo,
    HidPosAssembler,
    ReportFramer,
    parse_descriptor,
    parse_report,
    scan_payload,
)
from drivers.scanner.worker import ScannerWorker
from kiosk.core.charset import Charset

log = logging.getLogger(__name__)

DescriptorSource = Callable[[str], bytes | None]


def sysfs_descriptor(path: str) -> bytes | None:
    """The report descriptor of a hidraw node from sysfs, or None (not hidraw, no sysfs)."""
    node = Path(path).resolve()
    if not node.name.startswith("hidraw"):
        return None
    try:
        return (Path("/sys/class/hidraw") / node.name / "device" / "report_descriptor").read_bytes()
    except OSError:
        return None


class HidPosScanner(ScannerWorker):
    """Reads one HID-POS scanner; `on_scan` and `on_status` run on the worker thread."""

    thread_name = "scanner-hidpos"

    def __init__(
        self,
        path: str,
        *,
        on_scan: Callable[[ScanEvent], None],
        on_status: Callable[[ScannerStatus], None] | None = None,
        reconnect_s: float = 1.0,
        descriptor: DescriptorSource = sysfs_descriptor,
        max_payload: int = 1024,
        charset: Charset = "auto",
    ):
        self.path = path
        super().__init__(f"hidpos:{path}", on_status=on_status)
        self._on_scan = on_scan
        self._reconnect_s = reconnect_s
        self._descriptor = descriptor
        self._assembler = HidPosAssembler(max_payload=max_payload)
        self._charset: Charset = charset
        self.bad_reports = 0

    def _sizes(self) -> dict[int, int] | str:
        """Report sizes from the descriptor, or why this node is not a HID-POS scanner."""
        raw = self._descriptor(self.path)
        if raw is None:  # not a hidraw node (a replayed capture) or no sysfs: the usual size
            return {SCANNED_DATA_REPORT_ID: DEFAULT_REPORT_SIZE}
        info: DescriptorInfo = parse_descriptor(raw)
        if not info.hidpos:
            pages = ", ".join(f"0x{p:02X}" for p in sorted(info.usage_pages)) or "none"
            return f"not a HID-POS scanner (usage pages {pages}): set the scanner to HID-POS mode"
        if SCANNED_DATA_REPORT_ID not in info.input_sizes:
            return "HID-POS device without a scanned-data input report (ID 2)"
        return info.input_sizes

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
            except OSError as exc:
                self._set_status(False, f"cannot open: {exc.strerror or exc}", state="absent")
                self._stop.wait(self._reconnect_s)
                continue
            try:
                sizes = self._sizes()
                if isinstance(sizes, str):
                    self._set_status(False, sizes, state="absent")
                    self._stop.wait(self._reconnect_s * 5)
                    continue
                self._set_status(True, "reading HID-POS reports", state="ready")
                self._read(fd, ReportFramer(sizes))
            except OSError as exc:
                self._set_status(
                    False, f"device lost ({exc.strerror or exc}); reconnecting", state="lost"
                )
            finally:
                os.close(fd)
                self._assembler.reset()  # half a payload from before the unplug is not a scan
            self._stop.wait(self._reconnect_s)

    def _read(self, fd: int, framer: ReportFramer) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            data = os.read(fd, 4096)
            if not data:  # hidraw never returns 0 bytes; a pipe's writer went away
                raise OSError(0, "end of stream")
            now = time.monotonic()
            for report in framer.feed(data):
                self._report(report, now)

    def _report(self, report: bytes, now: float) -> None:
        try:
            chunk = parse_report(report)
        except BadReport as exc:
            self.bad_reports += 1
            log.warning("%s: report skipped: %s", self.name, exc)
            self._assembler.reset()
            return
        if chunk is None:
            return  # another report (status, attributes): not a scan
        scan = self._assembler.feed(chunk, now)
        if scan is None:
            return
        if scan.truncated:
            log.warning("%s: payload longer than %d bytes cut", self.name, len(scan.raw) - 1)
        try:
            self._on_scan(ScanEvent(scan_payload(scan, charset=self._charset), self.name, now))
        except Exception:
            log.exception("scan consumer failed")


if TYPE_CHECKING:  # mypy proves the class satisfies the Scanner protocol
    _conforms: Scanner = HidPosScanner("", on_scan=lambda event: None)
