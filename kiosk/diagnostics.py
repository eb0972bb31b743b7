"""What this machine can do: libraries, fonts, models and devices, each with the reason when not."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import Config

_FACE_PROBE = """
import numpy as np
import face_recognition
face_recognition.face_locations(np.zeros((32, 32, 3), dtype=np.uint8))
print("FACE-MODELS-OK")
"""


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


def probe_face_models(timeout_s: float = 120.0) -> tuple[bool, str]:
    """Load the dlib models in a child process: face_recognition_models may quit() with status 0."""
    try:
        proc = subprocess.run(  # noqa: S603 - our own interpreter, fixed script
            [sys.executable, "-c", _FACE_PROBE],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"loading the face models took more than {timeout_s:.0f} s"
    if "FACE-MODELS-OK" in proc.stdout:
        return True, "models load"
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["exited without loading"]
    return False, f"models do not load (exit {proc.returncode}): {tail[0]}"


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


def probe_pcscd() -> tuple[bool, str]:
    """Whether pyscard imports and a pcscd answers."""
    ok, detail = probe_import("smartcard")
    if not ok:
        return False, f"pyscard missing: {detail}"
    try:
        from smartcard.System import readers

        found = readers()
    # pyscard raises its own exception types from the C layer; all mean "no usable service".
    except Exception as exc:  # noqa: BLE001
        return False, f"pcscd not reachable: {exc}"
    return True, f"{len(found)} reader(s): " + ", ".join(str(r) for r in found)


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
    checks.append(Check("PC/SC (pcscd)", *probe_pcscd()))
    if config.sam.enabled:
        port = Path(config.sam.port)
        checks.append(
            Check(
                "SAM ID-card reader",
                port.exists(),
                f"{port} " + ("present" if port.exists() else "not present"),
            )
        )
    wlt = config.sam.wlt_decoder
    checks.append(
        Check(
            "ID-card photo (WLT) decoder",
            wlt is not None and wlt.exists(),
            str(wlt)
            if wlt is not None and wlt.exists()
            else "not configured: ID-photo face comparison is off"
            " (faces are verified against enrolled templates)",
        )
    )
    if with_face:
        checks.append(Check("face models (dlib)", *probe_face_models()))
    return checks
