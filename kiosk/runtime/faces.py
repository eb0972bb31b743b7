"""Face check-in on the desk camera: the face station as a runtime device."""

from __future__ import annotations

import logging

from drivers.camera import OpenCvCamera
from kiosk.config import Config
from kiosk.runtime.cards import CardVerifier
from kiosk.runtime.devices import DeskPort, DeviceReason, StatusBoard
from kiosk.runtime.face import FaceStation
from kiosk.services.screen import FACE_NAME

log = logging.getLogger(__name__)


class FaceDevice:
    """A FaceStation with the runtime's start/stop contract (stop is idempotent)."""

    def __init__(self, station: FaceStation) -> None:
        self.name = FACE_NAME
        self.station = station
        self._running = False

    @property
    def card_verifier(self) -> CardVerifier:
        """The station's person–ID check for ID-card taps (a no-op until face is ready)."""
        verifier: CardVerifier = self.station.cards
        return verifier

    def start(self) -> None:
        """Start recognising faces in the camera's frames."""
        if not self._running:
            self.station.start()
            self._running = True

    def stop(self) -> None:
        """Stop recognising."""
        if self._running:
            self._running = False
            self.station.stop()


def face_station(
    config: Config, *, desk: DeskPort, board: StatusBoard, camera: OpenCvCamera | None
) -> FaceDevice | None:
    """The face station when [face] is enabled, the camera exists and this build has it."""
    if not config.face.enabled:
        log.info("face check-in not configured ([face] enabled = false)")
        return None
    if camera is None:
        board.report(FACE_NAME, ok=False, reason=DeviceReason("face_needs_camera"),
                     detail="face check-in needs [camera] enabled = true")  # fmt: skip
        return None
    try:
        # dlib loads later, on the station's worker, and only after a child process saw it load.
        station = FaceStation.create(config=config, desk=desk, camera=camera)
    # Whatever goes wrong in an optional feature disables it with a line; the desk keeps running.
    except Exception as exc:
        log.exception("face station failed to start")
        board.report(FACE_NAME, ok=False, reason=DeviceReason("face_off"),
                     detail=f"face check-in disabled: {exc}")  # fmt: skip
        return None
    if station is None:  # [face] is enabled, so the project does not take face check-in
        board.report(FACE_NAME, ok=False, reason=DeviceReason("face_not_a_method"))
        return None
    return FaceDevice(station)
