"""What this machine can do: libraries, fonts, models and devices, each with the reason when not."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from drivers.face.availability import probe_face_models
from kiosk.config import Config

__all__ = ["Check", "probe_face_models", "run_checks"]


@dataclass(frozen=True, slots=True)
class Check:
    """One line of `cme-kiosk doctor`."""

    name: str
    ok: bool
    detail: str
    required: bool = False  # a failed required check makes doctor exit non-zero


def probe_import(module: str) -> tuple[bool, str]:
    """Import a module; report its version or the reason it failed."""
    try:
        mod = importlib.import_module(module)
    # Any failure (ImportError, a missing shared library, a crash in init) only disables it.
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"
    return True, str(getattr(mod, "__version__", "") or "installed")


def probe_cjk_font() -> tuple[bool, str]:
    """Whether fontconfig knows a font that covers Chinese."""
    if shutil.which("fc-list") is None:
        return False, "fc-list not found (install fontconfig and fonts-wqy-microhei)"
    out = subprocess.run(
        ["fc-list", ":lang=zh", "family"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not out:
        return (
            False,
            "no CJK font: Chinese names would show as boxes (apt install fonts-wqy-microhei)",
        )
    return True, out.splitlines()[0]


def run_checks(config: Config, *, with_face: bool = True) -> list[Check]:
    """Every check `cme-kiosk doctor` prints, in order."""
    checks = [Check("configuration", True, "valid", required=True)]
    data = config.data_dir
    try:
        data.mkdir(parents=True, exist_ok=True, mode=0o700)
        writable = os.access(data, os.W_OK)
    except OSError as exc:
        writable = False
        data_detail = str(exc)
    else:
        data_detail = str(data) if writable else f"{data} is not writable"
    checks.append(Check("data directory", writable, data_detail, required=True))
    for label, module in (
        ("Qt (PySide6)", "PySide6.QtWidgets"),
        ("QR decoder zxing-cpp", "zxingcpp"),
        ("QR decoder pyzbar/libzbar0", "pyzbar.pyzbar"),
        ("OpenCV (camera)", "cv2"),
        ("serial (pyserial)", "serial"),
    ):
        ok, detail = probe_import(module)
        checks.append(Check(label, ok, detail))
    checks.append(Check("CJK font", *probe_cjk_font()))
    checks += device_checks(config)
    if with_face:
        checks.append(face_check(config))
    return checks


def device_checks(config: Config) -> list[Check]:
    """The drivers' own probes for every input the desk can use, configured or not."""
    from drivers.idcard import pcsc_availability, sam_availability
    from drivers.qr.backends import backend_status

    checks: list[Check] = []
    if config.sam.enabled:
        checks.append(Check("SAM ID-card reader", *sam_availability(config.sam.port)))
    else:
        checks.append(Check("SAM ID-card reader", False, "off: [sam] enabled = false"))
    ok, detail = pcsc_availability()
    checks.append(Check("PC/SC (pcscd)", ok, detail if config.pcsc.enabled else f"{detail} (off)"))
    checks.append(Check("ID-card photo (WLT) decoder", *wlt_photo(config)))
    checks += scanner_checks(config)
    checks.append(
        Check(f"QR camera decoder {config.qr.backend}", *backend_status(config.qr.backend))
    )
    checks.append(Check("camera", *probe_camera(config)))
    checks.append(sound_check(config))
    return checks


def sound_check(config: Config) -> Check:
    """Whether the desk's tones can play: ALSA's device opened with a moment of silence."""
    from drivers.sound import probe

    state = probe(config.sound.device)
    detail = state.detail
    if state.ok and not config.sound.enabled:
        detail += " (muted at start: [sound] enabled = false)"
    return Check("sound", state.ok, detail)


def wlt_photo(config: Config) -> tuple[bool, str]:
    """Whether the configured vendor WLT library loads (ID-photo face comparison)."""
    from drivers.idcard import wlt_availability

    ok, detail = wlt_availability(config.sam.wlt_decoder, function=config.sam.wlt_function)
    if config.sam.wlt_decoder is None:
        detail += " (faces are verified against enrolled templates)"
    return ok, detail


def scanner_checks(config: Config) -> list[Check]:
    """The wedge filter, and each configured serial / evdev / HID-POS scanner's device node."""
    section = config.scanner
    checks = [
        Check("keyboard-wedge scanner", section.wedge, "Qt filter" if section.wedge else "off")
    ]
    for label, path, module in (
        ("serial scanner", section.serial_port, "serial"),
        ("evdev scanner", section.evdev_device, "evdev"),
        ("HID-POS scanner", section.hidpos_device, None),
    ):
        if not path:
            checks.append(Check(label, False, "not configured"))
            continue
        if module is not None:
            lib_ok, lib = probe_import(module)
            if not lib_ok:
                checks.append(Check(label, False, f"{module} not installed: {lib}"))
                continue
        node = Path(path)
        if not node.exists():
            checks.append(Check(label, False, f"{path} not present (unplugged?)"))
        elif not os.access(node, os.R_OK):
            checks.append(Check(label, False, f"{path} not readable: see packaging/udev"))
        elif label.startswith("HID-POS"):
            checks.append(Check(label, *hidpos_node(path)))
        else:
            checks.append(Check(label, True, f"{path} present"))
    return checks


def hidpos_node(path: str) -> tuple[bool, str]:
    """Whether a present hidraw node is a HID-POS scanner, from its report descriptor."""
    from drivers.scanner.hidpos import parse_descriptor
    from drivers.scanner.hidpos_reader import sysfs_descriptor

    raw = sysfs_descriptor(path)
    if raw is None:
        return True, f"{path} present (no hidraw descriptor to check)"
    info = parse_descriptor(raw)
    if not info.hidpos:
        pages = ", ".join(f"0x{p:02X}" for p in sorted(info.usage_pages)) or "none"
        return False, f"{path} is not a HID-POS scanner (usage pages {pages}): set HID-POS mode"
    return True, f"{path}: HID-POS scanner"


def probe_camera(config: Config) -> tuple[bool, str]:  # noqa: PLR0911 - one exit per check
    """Whether the configured camera source is there (a stream is not opened here)."""
    from drivers.camera import SourceKind, parse_source

    if not config.camera.enabled:
        return False, "off: [camera] enabled = false (camera QR and face check-in are off)"
    ok, detail = probe_import("cv2")
    if not ok:
        return False, f"OpenCV missing: {detail}"
    try:
        source = parse_source(config.camera.source)
    except ValueError as exc:
        return False, str(exc)
    node = source.device_node()
    if node is not None and not node.exists():
        return False, f"no camera at {node}"
    if source.kind is SourceKind.FILE and not (source.path and source.path.is_file()):
        return False, f"video file {source.path} not found"
    if source.kind is SourceKind.STREAM:
        return True, f"{source.describe()} (stream: not opened by doctor)"
    return True, f"{source.describe()} present"


def face_check(config: Config) -> Check:
    """Face check-in: the models in a child process, then whether the desk would use them."""
    from drivers.face.availability import face_status
    from kiosk.services.driver_texts import face_status_line

    status = face_status()
    if not status.ok:
        return Check("face check-in", False, face_status_line(status))
    if not config.face.enabled:
        return Check("face check-in", False, "models load; off: [face] enabled = false")
    if not config.camera.enabled:
        return Check("face check-in", False, "models load; needs [camera] enabled = true")
    return Check("face check-in", True, face_status_line(status))
