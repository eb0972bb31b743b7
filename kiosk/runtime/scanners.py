"""Scanners at the desk: serial, evdev and HID-POS payloads go to the desk's code check."""

from __future__ import annotations

import logging

from drivers.scanner.base import ScanEvent, ScannerStatus
from drivers.scanner.evdev_reader import EvdevScanner
from drivers.scanner.hidpos_reader import HidPosScanner
from drivers.scanner.serial_reader import SerialScanner
from kiosk.config import Config
from kiosk.runtime.devices import DeskPort, Device, DeviceReason, StatusBoard
from kiosk.services.scans import burst_config

log = logging.getLogger(__name__)

SERIAL_NAME = "扫码枪 serial"
EVDEV_NAME = "扫码枪 evdev"
HIDPOS_NAME = "扫码枪 HID-POS"


class ScanRouter:
    """Scanner callbacks (on the scanner's thread): payloads to the desk, states to the board."""

    def __init__(self, desk: DeskPort, board: StatusBoard, *, label: str, where: str) -> None:
        self._desk = desk
        self._board = board
        self._label = label
        self._where = where  # the device's path as staff read it in its state

    def scan(self, event: ScanEvent) -> None:
        """Queue one payload: the bytes as they came and their text (the verifier judges both)."""
        self._desk.submit_payload(event.payload, source=event.source)

    def status(self, status: ScannerStatus) -> None:
        """Publish the scanner's state."""
        reason = DeviceReason(f"scanner_{status.state}", (self._where,))
        self._board.report(self._label, ok=status.ok, reason=reason, detail=status.detail)


class ScannerDevice:
    """A scanner driver with the runtime's start/stop contract."""

    def __init__(self, name: str, scanner: SerialScanner | EvdevScanner | HidPosScanner) -> None:
        self.name = name
        self.scanner = scanner

    def start(self) -> None:
        """Start reading."""
        self.scanner.start()

    def stop(self) -> None:
        """Stop reading (idempotent)."""
        self.scanner.stop(2.0)

    def reconnect(self) -> None:
        """Release the device and open it again (staff's reconnect; blocks while it stops)."""
        self.stop()
        self.start()


def scanners(config: Config, *, desk: DeskPort, board: StatusBoard) -> list[Device]:
    """The serial, evdev and HID-POS scanners configured (the wedge is a Qt filter: kiosk.ui)."""
    section = config.scanner
    devices: list[Device] = []
    if section.serial_port:
        router = ScanRouter(desk, board, label=SERIAL_NAME, where=section.serial_port)
        serial = SerialScanner(
            section.serial_port,
            on_scan=router.scan,
            on_status=router.status,
            baudrate=section.serial_baudrate,
            reconnect_s=section.reconnect_s,
            charset=section.charset,
        )
        devices.append(ScannerDevice(SERIAL_NAME, serial))
    if section.evdev_device:
        router = ScanRouter(desk, board, label=EVDEV_NAME, where=section.evdev_device)
        evdev = EvdevScanner(
            section.evdev_device,
            on_scan=router.scan,
            on_status=router.status,
            config=burst_config(section),
            reconnect_s=section.reconnect_s,
        )
        devices.append(ScannerDevice(EVDEV_NAME, evdev))
    if section.hidpos_device:
        router = ScanRouter(desk, board, label=HIDPOS_NAME, where=section.hidpos_device)
        hidpos = HidPosScanner(
            section.hidpos_device,
            on_scan=router.scan,
            on_status=router.status,
            reconnect_s=section.reconnect_s,
            charset=section.charset,
        )
        devices.append(ScannerDevice(HIDPOS_NAME, hidpos))
    if not devices:
        log.info("no serial, evdev or HID-POS scanner configured")
    return devices
