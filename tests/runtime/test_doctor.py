"""`cme-kiosk doctor` lines from the drivers' probes: present devices ok, missing ones say why."""

from __future__ import annotations

from pathlib import Path

import pytest

import drivers.face.availability as availability
from drivers.sim.sam_reader import start_sam_simulator
from drivers.sim.serial_scanner import SimSerialScanner
from kiosk.config import parse_config
from kiosk.diagnostics import Check, device_checks, face_check


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def test_configured_devices_present_and_missing(tmp_path: Path) -> None:
    port, sim = start_sam_simulator(tmp_path / "ttySAM")
    scanner = SimSerialScanner(tmp_path / "ttyACM0")
    video = tmp_path / "desk.avi"
    video.write_bytes(b"not really a video, but a file")
    try:
        config = parse_config(
            {
                "sam": {"enabled": True, "port": port},
                "scanner": {"serial_port": str(scanner.path), "evdev_device": "/dev/input/nope"},
                "camera": {"enabled": True, "source": str(video)},
                "qr": {"backend": "zxing"},
            }
        )
        checks = by_name(device_checks(config))
    finally:
        scanner.close()
        sim.stop()
    assert checks["SAM ID-card reader"] == Check("SAM ID-card reader", True, f"{port} present")
    assert checks["serial scanner"].ok and str(scanner.path) in checks["serial scanner"].detail
    evdev = checks["evdev scanner"]
    assert not evdev.ok and ("not installed" in evdev.detail or "not present" in evdev.detail)
    assert checks["QR camera decoder zxing"] == Check(
        "QR camera decoder zxing", True, "QR decoder zxing ready"
    )
    assert checks["camera"] == Check("camera", True, f"{video} present")
    assert not checks["PC/SC (pcscd)"].required  # optional: never fails the doctor


def test_camera_off_and_missing_say_so(tmp_path: Path) -> None:
    off = by_name(device_checks(parse_config({})))["camera"]
    assert not off.ok and "[camera] enabled = false" in off.detail
    missing = parse_config({"camera": {"enabled": True, "source": str(tmp_path / "x.avi")}})
    assert (
        by_name(device_checks(missing))["camera"].detail
        == f"video file {tmp_path / 'x.avi'} not found"
    )


def test_face_line_says_what_stops_face_check_in(monkeypatch: pytest.MonkeyPatch) -> None:
    # The child-process model probe's cached answer (loading dlib here would take seconds).
    broken = availability.FaceStatus(False, "models do not load (exit 0): quit")
    monkeypatch.setattr(availability, "_cached", broken)
    check = face_check(parse_config({"face": {"enabled": True}}))
    assert check == Check(
        "face check-in", False, "face check-in disabled: models do not load (exit 0): quit"
    )
    monkeypatch.setattr(availability, "_cached", availability.FaceStatus(True, "models load"))
    no_camera = face_check(parse_config({"face": {"enabled": True}}))
    assert no_camera == Check("face check-in", False, "models load; needs [camera] enabled = true")
    ready = face_check(parse_config({"face": {"enabled": True}, "camera": {"enabled": True}}))
    assert ready == Check("face check-in", True, "face check-in ready")


def test_hidpos_scanner_node(tmp_path: Path) -> None:
    node = SimSerialScanner(tmp_path / "hidraw-scanner")
    try:
        config = parse_config({"scanner": {"hidpos_device": str(node.path)}})
        present = by_name(device_checks(config))["HID-POS scanner"]
    finally:
        node.close()
    # A pty has no hidraw descriptor: present, and the reader will treat it as HID-POS.
    assert present == Check(
        "HID-POS scanner", True, f"{node.path} present (no hidraw descriptor to check)"
    )
    gone = by_name(device_checks(config))["HID-POS scanner"]
    assert gone == Check("HID-POS scanner", False, f"{node.path} not present (unplugged?)")
