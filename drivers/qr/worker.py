"""Decode camera frames on one worker thread, newest frame first, and report each code once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import numpy as np
import numpy.typing as npt

from drivers.qr.debounce import Debouncer
from drivers.qr.decode import BadFrame, FrameDecoder
from drivers.qr.detection import QrScanned

log = logging.getLogger(__name__)

Frame = npt.NDArray[np.generic]


class CameraFrame(Protocol):
    """What drivers.camera delivers: a BGR image and its monotonic capture time."""

    @property
    def image(self) -> npt.NDArray[np.uint8]:
        """The BGR frame."""
        ...

    @property
    def t(self) -> float:
        """time.monotonic() when it was captured."""
        ...


class QrFrameWorker:
    """Takes frames from the camera thread without blocking it; decodes the newest one.

    When decoding is slower than the camera, older frames are replaced, not queued: latency
    stays one frame and memory stays flat. `on_scan` and `on_error` run on the worker thread
    (the Qt bridge re-emits them on the GUI thread).
    """

    def __init__(
        self,
        decoder: FrameDecoder,
        *,
        on_scan: Callable[[QrScanned], None],
        on_error: Callable[[str], None] | None = None,
        debounce_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.decoder = decoder
        self._on_scan = on_scan
        self._on_error = on_error
        self._debouncer = Debouncer(debounce_s)
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: tuple[Frame, float] | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._busy = False
        self._last_error = ""
        self.dropped = 0  # frames replaced by a newer one before they were decoded
        self.decoded = 0

    def submit(self, frame: Frame, *, at: float | None = None) -> None:
        """Hand over a frame (from any thread); returns at once."""
        stamp = self._clock() if at is None else at
        with self._cond:
            if self._pending is not None:
                self.dropped += 1
            self._pending = (frame, stamp)
            self._cond.notify_all()

    def process(self, frame: Frame, *, at: float) -> list[QrScanned]:
        """Decode one frame now and return its new codes (what the worker thread runs)."""
        try:
            found = self.decoder.decode(frame)
        except BadFrame as exc:
            self._error(f"camera frame unreadable: {exc}")
            return []
        except (ValueError, RuntimeError, MemoryError) as exc:  # the backend choked on the data
            self._error(f"QR decoder {self.decoder.name} failed on a frame: {exc}")
            return []
        self.decoded += 1
        self._last_error = ""
        return [QrScanned(d, at, self.decoder.name) for d in self._debouncer.feed(found, at)]

    def handle_frame(self, frame: CameraFrame) -> None:
        """Decode a camera frame on the caller's thread and report new codes.

        For `camera.subscribe(worker.handle_frame)`: the camera's subscription thread does the
        decoding and skips frames while busy, so `start()` is not needed then.
        """
        self._report(self.process(frame.image, at=frame.t))

    def _report(self, events: list[QrScanned]) -> None:
        for event in events:
            try:
                self._on_scan(event)
            except Exception:  # a bug in a consumer must not stop the camera
                log.exception("QR scan consumer failed")

    def _error(self, message: str) -> None:
        if message != self._last_error:  # one log line per kind of trouble, not one per frame
            log.warning("%s", message)
            if self._on_error is not None:
                self._on_error(message)
        self._last_error = message

    def start(self) -> None:
        """Start the worker thread."""
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="qr-decode", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the frame in progress."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                assert self._pending is not None
                frame, at = self._pending
                self._pending = None
                self._busy = True
            try:
                for event in self.process(frame, at=at):
                    try:
                        self._on_scan(event)
                    except Exception:
                        log.exception("QR scan consumer failed")
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until every submitted frame was decoded and reported (tests, benchmarks)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout)
