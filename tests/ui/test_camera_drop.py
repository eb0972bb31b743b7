"""A camera that drops mid-preview (the MJPEG simulator ends its stream) while a watchdog timer
measures the GUI thread: the desk shows the camera's state, then the live picture again."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from drivers.face.availability import FaceStatus
from drivers.face.engine import FaceEngine
from drivers.sim.mjpeg_camera import MjpegCamera
from kiosk.config import parse_config
from kiosk.runtime.camera import CameraDevice
from kiosk.runtime.devices import StatusBoard
from kiosk.runtime.face import FaceStation
from kiosk.services.screen import CAMERA_NAME
from tests.support.desk import DeskRig, GuiWatchdog, desk_rig

pytestmark = pytest.mark.timeout(120)

# Threads a face station or its camera starts (timers are plain "Thread-N").
STATION_THREADS = ("face-station", "camera-subscriber", "camera-capture", "Thread-")


def station_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(STATION_THREADS)]


@pytest.fixture
def rig(tmp_path: Path, qapp: QApplication) -> Iterator[DeskRig]:
    r = desk_rig(tmp_path)
    yield r
    r.close()


@pytest.fixture
def ipcam() -> Iterator[MjpegCamera]:
    cam = MjpegCamera(fps=15)
    yield cam
    cam.close()


def drop(cam: MjpegCamera, *, dropped: bool) -> None:
    """End every stream and answer new ones with an empty stream (a cable pulled), or stop."""
    # The simulator's own switch: its handlers stream while it is clear.
    if dropped:
        cam._stop.set()
    else:
        cam._stop.clear()


def test_camera_drop_mid_preview_shows_its_state_then_recovers(
    qtbot: QtBot, rig: DeskRig, ipcam: MjpegCamera, engine: FaceEngine
) -> None:
    before = set(station_threads())
    config = parse_config({"face": {"enabled": True, "liveness": "off"},
                           "camera": {"enabled": True, "source": ipcam.url, "fps": 15}})  # fmt: skip
    window = rig.window(hold_ms=400)
    window.show()
    view = window.camera_view
    camera = CameraDevice(config, board=StatusBoard(rig.desk))
    station = FaceStation(config=config, desk=rig.desk, camera=camera.camera,
                          load=lambda: (engine, FaceStatus(True, "models load")))  # fmt: skip
    try:
        with GuiWatchdog() as watchdog:
            station.start()
            camera.start()
            qtbot.waitUntil(lambda: view.has_frame and view.status_text == "", timeout=30_000)
            shown = view.frames_shown
            drop(ipcam, dropped=True)
            # No stale picture that looks live: the camera's state, by name, instead.
            qtbot.waitUntil(lambda: not view.has_frame, timeout=30_000)
            assert view.status_text.startswith(CAMERA_NAME), view.status_text
            # The staff's devices page has it too, with the error kept.
            camera_state = next(s for s in rig.desk.devices.states() if s.name == CAMERA_NAME)
            assert not camera_state.ok and camera_state.last_error
            drop(ipcam, dropped=False)
            qtbot.waitUntil(lambda: view.has_frame and view.status_text == "", timeout=30_000)
            assert view.frames_shown > shown
        assert watchdog.waits == [], watchdog.report()
        assert watchdog.busy_ms() < 50, watchdog.report()
        assert camera.camera.reconnects >= 1
    finally:
        station.stop()
        camera.stop()
    # Nothing the preview, the station or the camera started is left running.
    qtbot.waitUntil(lambda: set(station_threads()) <= before, timeout=10_000)
