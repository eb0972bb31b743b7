"""Whether face check-in can run here: models probed in a child process before loading them."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from drivers.face.engine import FaceEngine
from drivers.face.settings import FaceSettings

log = logging.getLogger(__name__)

Probe = Callable[[], tuple[bool, str]]


@dataclass(frozen=True, slots=True)
class FaceStatus:
    """Whether face check-in can run; `detail` is the technical why, for the log and `doctor`.

    The words around it (ready / disabled) are the consumer's: kiosk/services/driver_texts.py.
    """

    ok: bool
    detail: str


_FACE_PROBE = """
import numpy as np
import face_recognition
face_recognition.face_locations(np.zeros((32, 32, 3), dtype=np.uint8))
print("FACE-MODELS-OK")
"""


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


def _default_probe() -> tuple[bool, str]:
    return probe_face_models()


_lock = threading.Lock()
_cached: FaceStatus | None = None


def face_status(*, probe: Probe | None = None, refresh: bool = False) -> FaceStatus:
    """Run the child-process probe once (cached); never imports face_recognition here."""
    global _cached  # noqa: PLW0603 - one probe per process: loading the models takes seconds
    with _lock:
        if _cached is not None and not refresh and probe is None:
            return _cached
        try:
            ok, detail = (probe or _default_probe)()
        # The probe spawns a process: any OS-level failure means "not available", not a crash.
        except Exception as exc:  # noqa: BLE001
            ok, detail = False, f"model probe failed: {exc}"
        status = FaceStatus(ok, detail if not ok else "models load")
        if probe is None:
            _cached = status
        if not ok:
            log.warning("face check-in disabled: %s", detail)
        return status


def load_engine(
    settings: FaceSettings | None = None, *, probe: Probe | None = None
) -> tuple[FaceEngine | None, FaceStatus]:
    """(engine, status): the engine only when the models loaded in a child process first."""
    status = face_status(probe=probe)
    if not status.ok:
        return None, status
    try:
        from drivers.face.backend import DlibBackend

        backend = DlibBackend()
    # face_recognition_models may call quit() (SystemExit) if its data vanished since the probe.
    except (Exception, SystemExit) as exc:  # noqa: BLE001
        detail = f"models failed to load: {type(exc).__name__}: {exc}"
        log.error("face check-in disabled: %s", detail)
        return None, FaceStatus(False, detail)
    return FaceEngine(backend, settings or FaceSettings()), status
