"""OpenCV capture on one worker thread: pacing, looping files, recovery, drop-old delivery."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from drivers.camera.base import Capture, FrameCallback, StateCallback
from drivers.camera.events import CameraState, CameraStatus, Frame
from drivers.camera.source import CameraSource, SourceKind, parse_source
from drivers.camera.subscription import Subscription
from drivers.workers import WorkerStillRunning

log = logging.getLogger(__name__)

Opener = Callable[[CameraSource], Capture]


class CameraUnavailable(Exception):
    """The capture library is missing or cannot open this kind of source at all."""


def open_with_opencv(source: CameraSource) -> Capture:
    """Open a source with cv2.VideoCapture (imported here: OpenCV is optional for the kiosk)."""
    try:
        import cv2
    except ImportError as exc:
        raise CameraUnavailable(f"OpenCV is not installed: {exc}") from None
    cap: Any
    if source.kind is SourceKind.INDEX:
        cap = cv2.VideoCapture(source.index if source.index is not None else 0)
    elif source.kind is SourceKind.STREAM:
        cap = cv2.VideoCapture(source.url or "", cv2.CAP_FFMPEG)
    else:
        cap = cv2.VideoCapture(str(source.path))
    if source.kind in (SourceKind.INDEX, SourceKind.DEVICE) and cap.isOpened():
        # One buffered frame: a paced reader then gets a fresh image, not one from the queue.
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
    return cap  # type: ignore[no-any-return]


class OpenCvCamera:
    """A camera (or stream, or looping video file) read by one worker thread.

    Threads: `start` spawns the capture thread; each `subscribe` adds a delivery thread. State
    listeners run on the capture thread and must be quick (the Qt bridge re-emits them).
    """

    def __init__(
        self,
        source: str | CameraSource,
        *,
        fps: float = 15.0,
        width: int | None = None,
        height: int | None = None,
        opener: Opener | None = None,
        max_read_failures: int = 5,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 5.0,
    ) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        self.source = parse_source(source) if isinstance(source, str) else source
        self.fps = fps
        self._size = (width, height)
        self._opener = opener or open_with_opencv
        self._max_failures = max(1, max_read_failures)
        self._retry = (retry_initial_s, retry_max_s)
        self._newest: Frame | None = None
        self._cond = threading.Condition()
        self._subs: list[Subscription] = []
        self._listeners: list[StateCallback] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = CameraState(CameraStatus.STOPPED, "not started", time.monotonic())
        self._seq = 0
        self.reconnects = 0  # times the source went away while running and came back

    # -- public API ---------------------------------------------------------------------------

    @property
    def state(self) -> CameraState:
        """The current status."""
        return self._state

    def start(self) -> None:
        """Start the capture thread (does nothing if it already runs).

        WorkerStillRunning while the last capture thread, stopped but not joined, has not ended.
        """
        if self._thread is not None and self._thread.is_alive():
            if self._stop.is_set():  # never a second capture thread on the same camera
                raise WorkerStillRunning("camera")
            return
        self._stop.clear()
        self._set_state(CameraStatus.STARTING, f"opening {self.source.describe()}")
        self._thread = threading.Thread(target=self._run, name="camera-capture", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        """Stop capturing and join the capture thread; subscriptions stay for a later start()."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():  # kept: start() refuses until it has ended
                log.error("camera: capture thread did not stop within %.1f s", timeout)
            else:
                self._thread = None
        self._set_state(CameraStatus.STOPPED, "stopped")

    def close(self, timeout: float = 3.0) -> None:
        """Stop capturing and end every subscription's thread (the camera is done with)."""
        self.stop(timeout)
        for sub in list(self._subs):
            sub.close(timeout)
        self._subs.clear()

    def latest(self) -> Frame | None:
        """The newest frame (without waiting)."""
        return self._newest

    def wait_frame(self, *, after: int = 0, timeout: float | None = None) -> Frame | None:
        """The newest frame with seq > `after`, waiting up to `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._newest is None or self._newest.seq <= after:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._cond.wait(remaining)
            return self._newest

    def subscribe(self, on_frame: FrameCallback, *, name: str = "") -> Subscription:
        """Deliver frames to `on_frame` on its own thread; frames it is too slow for are skipped."""
        sub = Subscription(on_frame, name=name)
        self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Stop one subscription."""
        if sub in self._subs:
            self._subs.remove(sub)
        sub.close()

    def add_state_listener(self, on_state: StateCallback) -> None:
        """Call `on_state` at each status change (on the capture thread)."""
        self._listeners.append(on_state)

    # -- worker ---------------------------------------------------------------------------------

    def _set_state(self, status: CameraStatus, detail: str) -> None:
        if self._state.status is status and self._state.detail == detail:
            return
        self._state = CameraState(status, detail, time.monotonic())
        trouble = (CameraStatus.ABSENT, CameraStatus.RECONNECTING, CameraStatus.UNAVAILABLE)
        level = logging.WARNING if status in trouble else logging.INFO
        log.log(level, "camera %s: %s", status.value, detail)
        for listener in list(self._listeners):
            try:
                listener(self._state)
            # A listener's bug must not kill the capture thread.
            except Exception:
                log.exception("camera state listener failed")

    def _open(self) -> Capture | None:
        node = self.source.device_node()
        if node is not None and not node.exists():
            self._missing(f"no camera at {node}")
            return None
        if self.source.kind is SourceKind.FILE and not (
            self.source.path and self.source.path.is_file()
        ):
            self._missing(f"video file {self.source.path} not found")
            return None
        try:
            cap = self._opener(self.source)
        except CameraUnavailable as exc:
            self._set_state(CameraStatus.UNAVAILABLE, str(exc))
            self._stop.set()
            return None
        # OpenCV backends raise cv2.error and others for odd devices: treat as "not there yet".
        except Exception as exc:  # noqa: BLE001
            self._missing(f"cannot open {self.source.describe()}: {exc}")
            return None
        if not cap.isOpened():
            cap.release()
            self._missing(f"cannot open {self.source.describe()}")
            return None
        width, height = self._size
        if self.source.kind in (SourceKind.INDEX, SourceKind.DEVICE):
            if width:
                cap.set(3, float(width))  # cv2.CAP_PROP_FRAME_WIDTH
            if height:
                cap.set(4, float(height))  # cv2.CAP_PROP_FRAME_HEIGHT
            cap.set(5, float(self.fps))  # cv2.CAP_PROP_FPS
        return cap

    def _missing(self, detail: str) -> None:
        was_running = self._state.status in (CameraStatus.RUNNING, CameraStatus.RECONNECTING)
        self._set_state(CameraStatus.RECONNECTING if was_running else CameraStatus.ABSENT, detail)

    def _run(self) -> None:
        delay = self._retry[0]
        while not self._stop.is_set():
            cap = self._open()
            delivered = 0
            if cap is not None:
                try:
                    delivered = self._capture(cap)
                finally:
                    cap.release()
            if delivered:
                delay = self._retry[0]
            elif not self._stop.is_set():
                self._stop.wait(delay)  # nothing came: back off before trying again
                delay = min(delay * 2, self._retry[1])

    def _capture(self, cap: Capture) -> int:
        """Read paced frames until stopped, the end of a file, or `max_read_failures` in a row."""
        period = 1.0 / self.fps
        due = time.monotonic()
        failures = 0
        delivered = 0
        while not self._stop.is_set():
            if self.source.kind is not SourceKind.STREAM:
                # Files and devices are paced by sleeping; streams are drained as they arrive.
                wait = due - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    break
            ok, image = cap.read()
            now = time.monotonic()
            if not ok or image is None or getattr(image, "size", 0) == 0:
                if self.source.kind is SourceKind.FILE and delivered and not failures:
                    break  # the end of the file: reopen it from the start (it may be gone now)
                failures += 1
                if failures >= self._max_failures:
                    self._missing(f"{self.source.describe()} stopped delivering frames")
                    break
                self._stop.wait(min(period, 0.2))
                continue
            failures = 0
            if self.source.kind is SourceKind.STREAM and now < due:
                continue
            # Never burst to catch up after a stall: the next frame is one period from now.
            due = due + period if due + period > now else now + period
            if self._state.status is not CameraStatus.RUNNING:
                if self._state.status is CameraStatus.RECONNECTING:
                    self.reconnects += 1
                self._set_state(
                    CameraStatus.RUNNING, f"{self.source.describe()} at {self.fps:g} fps"
                )
            self._publish(image, now)
            delivered += 1
        return delivered

    def _publish(self, image: Any, now: float) -> None:
        image.flags.writeable = False  # one array is shared by every consumer
        self._seq += 1
        frame = Frame(seq=self._seq, t=now, image=image)
        with self._cond:
            self._newest = frame
            self._cond.notify_all()
        for sub in list(self._subs):
            sub.offer(frame)
