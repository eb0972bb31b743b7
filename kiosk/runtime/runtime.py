"""Every configured device, built from the configuration and routed to the desk."""

from __future__ import annotations

import logging
import threading
import time

from drivers.workers import WorkerStillRunning
from kiosk.config import Config
from kiosk.runtime.camera import CameraDevice, qr_on_camera
from kiosk.runtime.cards import card_readers
from kiosk.runtime.devices import DeskPort, Device, DeviceReason, Reconnectable, StatusBoard
from kiosk.runtime.faces import face_station
from kiosk.runtime.scanners import scanners
from kiosk.runtime.sound import DeskSounds, desk_sounds

log = logging.getLogger(__name__)

CAMERA_OFF = "not configured ([camera] enabled = false): camera QR and face check-in are off"


class Runtime:
    """The desk's devices: started in order, stopped in reverse, each failure a status line."""

    def __init__(
        self, devices: list[Device], *, board: StatusBoard, sounds: DeskSounds | None = None
    ) -> None:
        self.devices = devices
        self.board = board
        self.sounds = sounds  # staff mode's volume and mute (kiosk.services.sound.SoundControls)
        self._started = False
        # Held by start, stop and a reconnect: a reconnect never restarts a device being stopped.
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Config, *, desk: DeskPort) -> Runtime:
        """Build (not start) every device the configuration enables (the wedge is Qt's: `add`)."""
        board = StatusBoard(desk)
        devices: list[Device] = []
        # The camera and face are built first (the ID-card reader asks the face station to
        # verify cardholders) but still start after the readers and scanners.
        late: list[Device] = []
        if config.camera.enabled:
            camera = CameraDevice(config, board=board)
            late.append(camera)
            qr = qr_on_camera(config, camera.camera, desk=desk, board=board)
            if qr is not None:
                late.append(qr)
            face = face_station(config, desk=desk, board=board, camera=camera.camera)
        else:
            log.info("camera %s", CAMERA_OFF)
            face = face_station(config, desk=desk, board=board, camera=None)
        if face is not None:
            late.append(face)
        verifier = face.card_verifier if face is not None else None
        devices += card_readers(config, desk=desk, board=board, verifier=verifier)
        devices += scanners(config, desk=desk, board=board)
        # First to start, last to stop: the first answer already has its tone.
        sounds = desk_sounds(config.sound, desk=desk, board=board)
        return cls([sounds, *devices, *late], board=board, sounds=sounds)

    def add(self, device: Device) -> None:
        """One more device (built elsewhere, e.g. the Qt keyboard-wedge filter), before start."""
        if self._started:
            raise RuntimeError("devices are added before the runtime starts")
        self.devices.insert(0, device)

    def start(self) -> None:
        """Start every device; one that fails to start is reported and the rest still start."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        for device in self.devices:
            try:
                device.start()
            # An optional device must never keep the desk from opening.
            except Exception as exc:
                log.exception("%s failed to start", device.name)
                why = DeviceReason("start_failed", (type(exc).__name__,))
                self.board.report(
                    device.name, ok=False, reason=why, detail=f"failed to start: {exc}"
                )
        log.info("devices started: %s", ", ".join(d.name for d in self.devices) or "none")

    def stop(self) -> None:
        """Stop every device, last started first (idempotent; the thread that started them)."""
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        if not self._started:
            return
        self._started = False
        began = time.monotonic()
        for device in reversed(self.devices):
            try:
                device.stop()
            # Shutdown goes on whatever one driver does: the store must still close cleanly.
            except Exception:
                log.exception("%s failed to stop", device.name)
        log.info("devices stopped in %.2f s", time.monotonic() - began)

    def reconnectable(self) -> list[str]:
        """The names of the devices staff can reconnect."""
        return [d.name for d in self.devices if isinstance(d, Reconnectable)]

    def reconnect(self, name: str) -> None:
        """Stop and start device `name` (blocks while it stops: call it off the GUI thread)."""
        with self._lock:
            if not self._started:
                log.info("reconnect of %s skipped: the devices are stopped", name)
                return
            for device in self.devices:
                if device.name == name and isinstance(device, Reconnectable):
                    try:
                        device.reconnect()
                    # Its old worker missed the join timeout and still runs: a new one beside it
                    # would be two workers on one device. Refused; staff see why and retry.
                    except WorkerStillRunning as exc:
                        log.warning("reconnect of %s refused: %s", name, exc)
                        why = DeviceReason("worker_still_running")
                        self.board.report(name, ok=False, reason=why, detail=str(exc))
                        return
                    log.info("%s reconnected", name)
                    return
        raise LookupError(f"no device {name!r} to reconnect")

    def statuses(self) -> dict[str, tuple[bool, str]]:
        """Name → (ok, detail) of every device reported so far."""
        return self.board.lines()
