"""Whether face check-in can run here: models probed in a child process before loading them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from drivers.face.engine import FaceEngine
from drivers.face.settings import FaceSettings

log = logging.getLogger(__name__)

Probe = Callable[[], tuple[bool, str]]


@dataclass(frozen=True, slots=True)
class FaceStatus:
    """The status line for the desk and `cme-kiosk doctor`."""

    ok: bool
    detail: str

    def line(self, lang: str = "en") -> str:
        """One line for the status bar."""
        if lang == "zh":
            return "人脸签到可用" if self.ok else f"人脸签到已停用：{self.detail}"
        return "face check-in ready" if self.ok else f"face check-in disabled: {self.detail}"


def _default_probe() -> tuple[bool, str]:
    from kiosk.diagnostics import probe_face_models

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
