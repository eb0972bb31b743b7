"""The desk camera and the QR decoding on its frames (codes to the desk's check, held = once)."""

from __future__ import annotations

import logging

from drivers.camera import CameraState, CameraStatus, OpenCvCamera, Subscription
from drivers.qr.backends import DecoderUnavailable
from drivers.qr.decode import FrameDecoder
from drivers.qr.detection import QrScanned
from drivers.qr.worker import QrFrameWorker
from kiosk.config import Config
from kiosk.runtime.devices import DeskPort, DeviceReason, StatusBoard
from kiosk.services.screen import CAMERA_NAME

log = logging.getLogger(__name__)

QR_NAME = "二维码 camera QR"


class CameraDevice:
    """The camera's capture thread; its state goes to the board."""

    def __init__(self, config: Config, *, board: StatusBoard) -> None:
        self.name = CAMERA_NAME
        section = config.camera
        self.camera = OpenCvCamera(
            section.source, fps=section.fps, width=section.width, height=section.height
        )
        self._board = board
        self._where = self.camera.source.describe()
        self.camera.add_state_listener(self._state)

    def _state(self, state: CameraState) -> None:
        starting = state.status is CameraStatus.STARTING
        reason = DeviceReason(f"camera_{state.status.value}", (self._where,))
        self._board.report(
            self.name, ok=state.ok, reason=reason, detail=state.detail, starting=starting
        )

    def start(self) -> None:
        """Start capturing (a missing camera is retried by the driver)."""
        self.camera.start()

    def stop(self) -> None:
        """Stop capturing and end every frame subscription (idempotent)."""
        self.camera.close(2.0)

    def reconnect(self) -> None:
        """Close the capture and open it again; the preview, QR and face subscriptions stay."""
        self.camera.stop(2.0)
        self.camera.start()


class QrCameraDevice:
    """Decodes the camera's frames on a subscription thread; each new code goes to the desk."""

    def __init__(
        self, decoder: FrameDecoder, camera: OpenCvCamera, *, desk: DeskPort, debounce_s: float
    ) -> None:
        self.name = QR_NAME
        # Trouble with single frames is logged by the worker once per kind; it is not a status.
        self.worker = QrFrameWorker(decoder, on_scan=self.scanned, debounce_s=debounce_s)
        self._camera = camera
        self._desk = desk
        self._subscription: Subscription | None = None

    def scanned(self, event: QrScanned) -> None:
        """Queue the payload: the symbol's bytes and their text (the verifier judges both)."""
        self._desk.submit_payload(event.detection.payload, source=f"camera:{event.backend}")

    def start(self) -> None:
        """Subscribe to the camera's frames."""
        if self._subscription is None:
            self._subscription = self._camera.subscribe(self.worker.handle_frame, name="qr")

    def stop(self) -> None:
        """Unsubscribe (idempotent)."""
        if self._subscription is not None:
            self._camera.unsubscribe(self._subscription)
            self._subscription = None


def qr_on_camera(
    config: Config, camera: OpenCvCamera, *, desk: DeskPort, board: StatusBoard
) -> QrCameraDevice | None:
    """The QR decoder on the camera, or None with a status line when the backend cannot load."""
    try:
        decoder = FrameDecoder.open(config.qr.backend, formats=config.qr.formats)
    except DecoderUnavailable as exc:
        board.report(QR_NAME, ok=False, reason=DeviceReason("qr_off"),
                     detail=f"{exc.status}: camera QR scanning disabled")  # fmt: skip
        return None
    board.report(QR_NAME, ok=True, reason=DeviceReason("qr_ready", (decoder.name,)))
    return QrCameraDevice(decoder, camera, desk=desk, debounce_s=config.qr.debounce_s)
