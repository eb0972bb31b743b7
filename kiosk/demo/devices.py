"""The demo's hardware: simulators speaking the real protocols on the real transports.

A SAM ID-card reader on a pty (GA 467 frames), a serial QR scanner on a pty (CR-terminated
lines) and an IP camera over HTTP MJPEG. The kiosk's own drivers read them exactly as they read
the devices on a real desk; only the configuration points them here.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.idcard.frames import Command
from drivers.sim.idcard_samples import SimCard, resident_card
from drivers.sim.mjpeg_camera import MjpegCamera
from drivers.sim.sam_reader import SamSimulator, start_sam_simulator
from drivers.sim.serial_scanner import SimSerialScanner
from kiosk.core.model import Attendee

# A card stays on the reader until the reader has fetched it, then a moment more, like a hand.
_READ_TIMEOUT_S = 5.0
_HOLD_S = 0.3
# The reader reports a card gone after 0.5 s of no-card answers; the next tap is then a new one.
_GONE_S = 0.8


def card_of(
    person: Attendee, *, expired: bool = False, name: str | None = None, number: str | None = None
) -> SimCard:
    """The resident ID card a roster person carries (optionally expired, or someone else's)."""
    doc = number or person.document.number
    return resident_card(
        name=name or person.name,
        region=doc[:6],
        birth=doc[6:14],
        seq=doc[14:17],
        valid_from="20100101" if expired else "20200101",
        valid_to="20200101" if expired else "20400101",
    )


@dataclass
class DemoDevices:
    """The running simulators and the configuration that points the kiosk's drivers at them."""

    sam: SamSimulator
    scanner: SimSerialScanner
    camera: MjpegCamera

    def config_sections(self) -> dict[str, Any]:
        """[sam], [scanner] and [camera] settings for these simulators."""
        return {
            "sam": {"enabled": True, "port": self.sam.port},
            "scanner": {"serial_port": str(self.scanner.path), "serial_baudrate": 9600},
            "camera": {
                "enabled": True, "source": self.camera.url, "fps": 10, "width": 640,
                "height": 480,
            },
        }  # fmt: skip

    def tap(self, card: SimCard) -> bool:
        """Place the card until the reader has read it, then take it away; False if never read."""
        before = self.sam.count(Command.READ_TEXT_PHOTO)
        self.sam.place(card)
        read = self.sam.wait_for(Command.READ_TEXT_PHOTO, count=before + 1, timeout=_READ_TIMEOUT_S)
        time.sleep(_HOLD_S)
        self.sam.remove()
        time.sleep(_GONE_S)
        return read

    def close(self) -> None:
        """Unplug everything."""
        with contextlib.suppress(OSError):
            self.scanner.close()
        self.sam.stop()
        self.camera.close()


def start_devices(root: Path) -> DemoDevices:
    """Start the three simulators with stable device links under `root`/dev."""
    dev = root / "dev"
    dev.mkdir(parents=True, exist_ok=True)
    _, sam = start_sam_simulator(dev / "ttySAM0")
    scanner = SimSerialScanner(dev / "ttyScanner0")
    camera = MjpegCamera(fps=10)
    return DemoDevices(sam, scanner, camera)
