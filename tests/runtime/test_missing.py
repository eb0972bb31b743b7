"""Missing devices and libraries: a clear status line each, no crash, and a quick stop."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from drivers.sim.serial_scanner import SimSerialScanner
from kiosk.runtime.camera import CAMERA_NAME, QR_NAME
from kiosk.runtime.cards import SAM_NAME
from kiosk.runtime.scanners import EVDEV_NAME, SERIAL_NAME
from kiosk.services.checkin import Status
from kiosk.services.screen import FACE_NAME
from tests.support.desk import DeskRig, wait_for

pytestmark = pytest.mark.timeout(60)


def line(rig: DeskRig, name: str) -> tuple[bool, str] | None:
    """The latest status the bridge published for a device."""
    found = [d for d in rig.devices if d.name == name]
    return (found[-1].ok, found[-1].detail) if found else None


def test_every_missing_device_says_so_and_the_desk_still_works(
    rig: DeskRig, tmp_path: Path
) -> None:
    gone = tmp_path / "unplugged"
    scanner = SimSerialScanner(tmp_path / "ttyACM-scanner")
    rt = rig.runtime(
        {
            "sam": {"enabled": True, "port": str(gone / "ttyUSB0")},
            "scanner": {
                "serial_port": str(scanner.path),
                "evdev_device": str(gone / "event7"),
                "reconnect_s": 0.05,
            },
            "camera": {"enabled": True, "source": str(gone / "cam.avi")},
        }
    )
    # Each driver goes from "opening" to the reason it cannot, and keeps retrying.
    assert wait_for(lambda: "not found" in str(line(rig, CAMERA_NAME)))
    assert line(rig, CAMERA_NAME) == (False, f"video file {gone / 'cam.avi'} not found")
    assert wait_for(lambda: line(rig, SAM_NAME) == (False, f"{gone / 'ttyUSB0'}: not present"))
    assert wait_for(lambda: line(rig, EVDEV_NAME) is not None)
    evdev = line(rig, EVDEV_NAME)
    assert evdev is not None and not evdev[0]
    assert "not installed" in evdev[1] or "cannot open" in evdev[1]
    # The one device that is there works beside the missing ones.
    assert wait_for(lambda: line(rig, SERIAL_NAME) == (True, "connected at 9600 baud"))
    scanner.scan(rig.ticket("A1"))
    assert rig.outcomes.wait().status is Status.ACCEPTED
    began = time.monotonic()
    rt.stop()
    rt.stop()  # idempotent
    assert time.monotonic() - began < 3.0
    scanner.close()


def test_unavailable_qr_backend_disables_camera_qr_only(
    rig: DeskRig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # import fails as if not installed
    rig.runtime({"camera": {"enabled": True, "source": str(tmp_path / "none.avi")}})
    assert wait_for(lambda: line(rig, QR_NAME) is not None)
    qr = line(rig, QR_NAME)
    assert qr is not None and not qr[0]
    assert "zxing-cpp not installed" in qr[1] and "camera QR scanning disabled" in qr[1]


def test_face_without_a_camera(rig: DeskRig) -> None:
    rig.runtime({"face": {"enabled": True}})
    assert wait_for(
        lambda: line(rig, FACE_NAME) == (False, "face check-in needs [camera] enabled = true")
    )
